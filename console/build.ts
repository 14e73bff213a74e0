/**
 * The web console's build (console/src -> a static site), shared by the Frontend component, which uploads it,
 * and the local runner, which serves it: esbuild bundles src/main.ts and src/styles.css, minified, into
 * `assets/app.<sha256>.js` and `assets/app.<sha256>.css` (content-hashed names, so CloudFront may cache them
 * for a year), and index.html (from console/index.html) names them. favicon.svg is copied.
 *
 * Synchronous, so a component's constructor can call it, and deterministic: unchanged sources give the same
 * bytes, the same names and the same folder, `<outRoot>/<digest of every file>/`. Test workers and previews
 * running side by side each write a folder under a temporary name and rename it into place, so no reader
 * ever sees a half-written file, and no build adds stale assets to another's folder.
 *
 *   npm run -s console:build [-- <outDir>]   # also copies the build to outDir
 */
import { createHash, randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { buildSync } from "esbuild";

const HERE = __dirname;
const ROOT = resolve(HERE, "..");
export const DEFAULT_OUT_ROOT = join(ROOT, ".build", "console");

/** Browsers the bundle's syntax targets: those of the last few years (ES2020 is their common floor). */
const TARGET = ["es2020", "chrome100", "firefox100", "safari15"];

export interface ConsoleFile {
  /** Path under the site folder, with forward slashes. */
  readonly path: string;
  readonly bytes: number;
  /** gzip -9 size: what a CDN that compresses sends, about. */
  readonly gzipBytes: number;
}

export interface ConsoleBuild {
  /** The built site folder (index.html at its top). */
  readonly dir: string;
  readonly files: readonly ConsoleFile[];
  /** The script's and the stylesheet's paths under the folder. */
  readonly script: string;
  readonly stylesheet: string;
}

// On globalThis: the offline preview reloads the project's modules for every stack, and the console does not
// depend on the stack.
const CACHE = Symbol.for("agent-platform/console-build");

export function buildConsole(outRoot: string = DEFAULT_OUT_ROOT): ConsoleBuild {
  const cache = ((globalThis as { [CACHE]?: Map<string, ConsoleBuild> })[CACHE] ??= new Map());
  const cached = cache.get(outRoot);
  if (cached && existsSync(join(cached.dir, "index.html"))) return cached;
  const built = build(outRoot);
  cache.set(outRoot, built);
  return built;
}

const digest = (data: Buffer | string) => createHash("sha256").update(data).digest("hex");

function build(outRoot: string): ConsoleBuild {
  const result = buildSync({
    entryPoints: { app: join(HERE, "src", "main.ts"), styles: join(HERE, "src", "styles.css") },
    bundle: true,
    minify: true,
    format: "iife",
    target: TARGET,
    platform: "browser",
    charset: "utf8",
    legalComments: "none",
    tsconfig: join(HERE, "src", "tsconfig.json"),
    outdir: join(HERE, "out"), // never written (write: false); esbuild needs it to name the outputs
    write: false,
    logLevel: "silent",
  });
  const js = result.outputFiles.find((f) => f.path.endsWith(".js"));
  const css = result.outputFiles.find((f) => f.path.endsWith(".css"));
  if (!js || !css) throw new Error("the console's build produced no script or no stylesheet");
  const [jsBytes, cssBytes] = [Buffer.from(js.contents), Buffer.from(css.contents)];
  const files = new Map<string, Buffer>();
  const script = `assets/app.${digest(jsBytes).slice(0, 16)}.js`;
  const stylesheet = `assets/app.${digest(cssBytes).slice(0, 16)}.css`;
  files.set(script, jsBytes);
  files.set(stylesheet, cssBytes);
  const template = readFileSync(join(HERE, "index.html"), "utf8");
  if (!template.includes("{{script}}") || !template.includes("{{stylesheet}}"))
    throw new Error("console/index.html must name {{script}} and {{stylesheet}}");
  files.set(
    "index.html",
    Buffer.from(template.replace("{{script}}", `/${script}`).replace("{{stylesheet}}", `/${stylesheet}`)),
  );
  files.set("favicon.svg", readFileSync(join(HERE, "favicon.svg")));

  const paths = [...files.keys()].sort();
  const id = digest(paths.map((p) => `${p}\0${digest(files.get(p)!)}\n`).join("")).slice(0, 16);
  const dir = join(outRoot, id);
  if (!existsSync(join(dir, "index.html"))) {
    const tmp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
    for (const p of paths) {
      mkdirSync(dirname(join(tmp, p)), { recursive: true });
      writeFileSync(join(tmp, p), files.get(p)!);
    }
    try {
      renameSync(tmp, dir);
    } catch (error) {
      // Another process renamed the same build into place first: its folder has the same bytes.
      rmSync(tmp, { recursive: true, force: true });
      if (!existsSync(join(dir, "index.html"))) throw error;
    }
  }
  return {
    dir,
    files: paths.map((p) => ({
      path: p,
      bytes: files.get(p)!.length,
      gzipBytes: gzipSync(files.get(p)!, { level: 9 }).length,
    })),
    script,
    stylesheet,
  };
}

if (require.main === module) {
  const built = buildConsole();
  const target = process.argv[2];
  if (target) cpSync(built.dir, resolve(target), { recursive: true });
  for (const f of built.files) process.stdout.write(`${f.path}\t${f.bytes} B\t${f.gzipBytes} B gzipped\n`);
  process.stdout.write(`${target ? resolve(target) : built.dir}\n`);
}
