/**
 * The import direction of the repository (ARCHITECTURE.md): which room may import which. Every relative import,
 * `export ... from`, `require()` and `import()` of a source file is resolved to the file it names, and each one
 * that crosses into a room its own room may not use is a violation. Type-only imports count: a type is a
 * dependency too. Checked by test/delivery/import-direction.spec.ts; as a command:
 *
 *   node -r ./tools/register-ts.js tools/import-direction.ts      # prints each violation, exits 1 if any
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

/** A room: the files it holds (by path) and what they may import besides their own room. */
export interface Room {
  readonly name: string;
  /** Whether a repository path (forward slashes) is in this room. */
  holds(file: string): boolean;
  /** Whether a file of this room may import `target` (a repository path in another room, or its own). */
  mayImport(target: string, from: string): boolean;
}

const under =
  (...prefixes: string[]) =>
  (file: string) =>
    prefixes.some((p) => file.startsWith(p));
const oneOf =
  (...names: string[]) =>
  (file: string) =>
    names.includes(file);

/** The folder a functions/ file belongs to: functions/<name>/... -> <name>. */
const functionOf = (file: string) => file.split("/")[1];

/**
 * The rooms, most specific first. What is not listed (tools/, deploy/, test/, bench/) is developer tooling
 * that may import anything, and that nothing in a listed room may import.
 */
export const ROOMS: readonly Room[] = [
  {
    name: "contracts",
    holds: under("contracts/"),
    mayImport: under("contracts/"),
  },
  {
    name: "lib",
    holds: under("lib/"),
    mayImport: under("lib/"),
  },
  {
    name: "cost",
    holds: under("cost/"),
    mayImport: under("cost/", "lib/"),
  },
  {
    // A function imports its own folder, the functions' shared code and the contracts: never another function.
    name: "functions",
    holds: under("functions/"),
    mayImport: (target, from) =>
      target.startsWith("contracts/") ||
      target.startsWith("functions/shared/") ||
      (target.startsWith("functions/") && functionOf(target) === functionOf(from)),
  },
  {
    // The web console: browser code (console/src) and its build, which share only the contracts.
    name: "console",
    holds: under("console/"),
    mayImport: under("console/", "contracts/"),
  },
  {
    name: "policy",
    holds: under("policy/"),
    mayImport: under("policy/", "lib/", "cost/"),
  },
  {
    name: "config",
    holds: (file) => file === "config.ts" || file.startsWith("config/"),
    // config/ reads Pulumi config into the components' own argument types and reports their rules' problems:
    // it imports their pure args modules only, never the resources.
    mayImport: (target) =>
      target === "config.ts" ||
      under("config/", "lib/", "contracts/")(target) ||
      /^components\/(.*\/)?(.*-)?args\.ts$/.test(target),
  },
  {
    name: "components",
    holds: under("components/"),
    // Components take their settings as arguments: they never read config. The Frontend builds the console
    // (its build entry and the CSP/config.json it serves with), never its browser code.
    mayImport: (target) =>
      under("components/", "contracts/", "lib/")(target) ||
      oneOf("console/build.ts", "console/site.ts")(target),
  },
  {
    name: "program",
    holds: oneOf("index.ts", "outputs.ts"),
    mayImport: (target) =>
      target === "config.ts" || under("config/", "components/", "contracts/", "lib/")(target),
  },
];

export function roomOf(file: string): Room | undefined {
  return ROOMS.find((r) => r.holds(file));
}

export interface Violation {
  readonly file: string;
  /** The import as written. */
  readonly specifier: string;
  /** The repository path it names. */
  readonly target: string;
  readonly message: string;
}

const EXTENSIONS = ["", ".ts", ".js", ".json", "/index.ts"];

/** The repository path a relative specifier of `file` names, or undefined when no file answers it. */
export function resolveImport(
  file: string,
  specifier: string,
  exists: (file: string) => boolean,
): string | undefined {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
  return EXTENSIONS.map((e) => base + e).find(exists);
}

/** The module specifiers `text` imports: import/export from, import(), require(), `import x = require()`. */
export function specifiersOf(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
}

/**
 * The violations among `files` (repository paths with their text). `exists` says whether a repository path is
 * a file (for resolving extensionless specifiers).
 */
export function importViolations(
  files: ReadonlyMap<string, string>,
  exists: (file: string) => boolean,
): Violation[] {
  const violations: Violation[] = [];
  for (const [file, text] of files) {
    const room = roomOf(file);
    if (!room) continue;
    for (const specifier of specifiersOf(text)) {
      if (!specifier.startsWith(".")) continue;
      const target = resolveImport(file, specifier, exists);
      if (target === undefined) continue;
      if (room.holds(target) && room.name !== "functions") continue;
      if (!room.mayImport(target, file)) {
        const into = roomOf(target)?.name ?? target.split("/")[0];
        violations.push({
          file,
          specifier,
          target,
          message: `${file} imports ${target}: ${room.name} may not import ${into === room.name ? "another function's code" : into}`,
        });
      }
    }
  }
  return violations;
}

/** The repository's own source files (TypeScript outside node_modules and build output), with their text. */
export function repositorySources(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const skip = new Set(["node_modules", ".build", ".git", "out", "dist"]);
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!skip.has(entry.name)) walk(rel);
      } else if (rel.endsWith(".ts")) {
        files.set(rel, fs.readFileSync(path.join(root, rel), "utf8"));
      }
    }
  };
  walk("");
  return files;
}

/** Whether `file` is a file (not a folder: `./config` names config.ts, not config/). */
export function isFile(file: string): boolean {
  return fs.statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
}

if (require.main === module) {
  const root = path.resolve(__dirname, "..");
  const violations = importViolations(repositorySources(root), (f) => isFile(path.join(root, f)));
  for (const v of violations) console.log(v.message);
  process.exitCode = violations.length > 0 ? 1 : 0;
}
