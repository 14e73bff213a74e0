/**
 * Bundles each pipeline function into one minified CommonJS file for the Lambda Node.js 22 runtime:
 * `<outDir>/<name>/index.js` (handler `index.handler`) and its source map `index.js.map`.
 *
 * Everything is bundled, the AWS SDK v3 included, although the runtime ships one: the versions are then the ones
 * the tests ran against, and the bundle loads faster than the runtime's copy, because esbuild tree-shakes the SDK's
 * ES module builds (`mainFields: module, main`) while the runtime's copy is loaded whole (see bench/bundles.ts for
 * sizes and load times).
 *
 * The output is byte-for-byte deterministic: no timestamps, and source paths are computed against a fixed output
 * location whatever `outDir` is, so an unchanged function gives an identical archive and Pulumi shows no diff.
 * The source map covers this repository's code only (see ownSourceMap).
 *
 * Used by the Pipeline component (`await buildFunctions()`), and as a CLI:
 *   npx ts-node --transpile-only lib/build-functions.ts [outDir]
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { build, BuildOptions as BuildOptionsEsbuild, Metafile } from "esbuild";

export const FUNCTION_NAMES = [
  "process",
  "vectorize",
  "migrate",
  "invalidate",
  "ws",
  "api",
  "agent-worker",
  "ws-authorizer",
  "workflow",
  "ticket-key-rotation",
  "uptime-probe",
] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

export interface FunctionBundle {
  /** Directory holding index.js and index.js.map: the Lambda code archive. */
  readonly dir: string;
  /** Path of index.js. */
  readonly bundle: string;
  /** Size of index.js in bytes. */
  readonly bytes: number;
  /** SHA-256 (hex) of index.js. */
  readonly sha256: string;
  /** esbuild's account of what went into the bundle (for size reports). */
  readonly metafile?: Metafile;
}

export interface BuildOptions {
  /** Defaults to .build/functions under the repository root; relative paths are resolved against the root. */
  readonly outDir?: string;
  /** Keep esbuild's metafile in the result. */
  readonly metafile?: boolean;
  /** Build only these functions (a check about some of them need not bundle all eleven). Default: every one. */
  readonly only?: readonly FunctionName[];
}

const ROOT = resolve(__dirname, "..");

/**
 * How every Node.js bundle is built (the functions here, the agent container in lib/agent-container-build.ts): one
 * minified CommonJS file for Node.js 22 with a linked source map, returned to the caller rather than written.
 */
export const NODE_BUNDLE = {
  bundle: true,
  platform: "node",
  target: "node22",
  format: "cjs",
  // ES module builds first: they tree-shake, which roughly halves the AWS SDK's share of the bundle.
  mainFields: ["module", "main"],
  minify: true,
  sourcemap: "linked",
  // Stack traces (NODE_OPTIONS=--enable-source-maps) need mappings, not the sources themselves.
  sourcesContent: false,
  legalComments: "eof",
  write: false,
  logLevel: "silent",
} as const satisfies BuildOptionsEsbuild;
/** Where bundles are laid out for esbuild, so source map paths never depend on the requested outDir. */
const CANONICAL_OUT = join(ROOT, ".build", "functions");

/** Every function's bundle (or only those `options.only` names), each reused while its inputs are unchanged. */
export async function buildFunctions(
  options?: BuildOptions & { only?: undefined },
): Promise<Record<FunctionName, FunctionBundle>>;
export async function buildFunctions<N extends FunctionName>(
  options: BuildOptions & { only: readonly N[] },
): Promise<Record<N, FunctionBundle>>;
export async function buildFunctions(
  options: BuildOptions = {},
): Promise<Partial<Record<FunctionName, FunctionBundle>>> {
  const outDir = resolve(ROOT, options.outDir ?? CANONICAL_OUT);
  const names = options.only ?? FUNCTION_NAMES;
  const bundles: Partial<Record<FunctionName, FunctionBundle>> = {};
  const digests: InputDigests = new Map();
  if (options.metafile !== true)
    for (const name of names) {
      const cached = reuse(name, outDir, digests);
      if (cached) bundles[name] = cached;
    }
  const stale = names.filter((name) => !bundles[name]);
  if (stale.length > 0) Object.assign(bundles, await buildAll(stale, outDir, options, digests));
  return Object.fromEntries(names.map((name) => [name, bundles[name]]));
}

/**
 * What a build read and wrote, kept beside the function's directory (not in it: the directory is the code
 * archive). A later build whose every input still has the same content reuses the bundle: bundling takes
 * seconds, and every preview and every test run that evaluates the program asks for the bundles.
 */
export interface BuildRecord {
  inputs: Record<string, string>;
  sha256: string;
  bytes: number;
}

const sha256Of = (data: string | Uint8Array) => createHash("sha256").update(data).digest("hex");

/**
 * Digests of input files (repository-relative; undefined for a missing file), shared by the checks and records of
 * one call: the functions share most of their inputs, so each file is read and hashed once, not once per function.
 */
export type InputDigests = Map<string, string | undefined>;

function digestOf(input: string, digests: InputDigests): string | undefined {
  if (!digests.has(input)) {
    const file = join(ROOT, input);
    digests.set(input, existsSync(file) ? sha256Of(readFileSync(file)) : undefined);
  }
  return digests.get(input);
}

/**
 * What makes a bundle besides its sources: this file (the options and the layout) and esbuild's version. They
 * are recorded as inputs of every build, so a change to either rebuilds instead of reusing an older output.
 */
const BUILDER_INPUTS = ["lib/build-functions.ts", "node_modules/esbuild/package.json"];

/**
 * The record of an earlier build that can be reused: every input it read, the builder's among them
 * (BUILDER_INPUTS and `builder`), still has the same content, and its bundle (the first of `outputs`, which must
 * all exist) is the one it wrote. Otherwise undefined.
 */
export function unchangedBuild(
  recordFile: string,
  outputs: readonly string[],
  builder: readonly string[] = [],
  digests: InputDigests = new Map(),
): BuildRecord | undefined {
  if (!existsSync(recordFile) || !outputs.every((f) => existsSync(f))) return undefined;
  const record = JSON.parse(readFileSync(recordFile, "utf8")) as BuildRecord;
  if (![...BUILDER_INPUTS, ...builder].every((input) => input in record.inputs)) return undefined;
  for (const [input, hash] of Object.entries(record.inputs))
    if (digestOf(input, digests) !== hash) return undefined;
  return sha256Of(readFileSync(outputs[0])) === record.sha256 ? record : undefined;
}

/**
 * Writes what a build read (the inputs, with their digests, and the builder's: BUILDER_INPUTS and `builder`)
 * and its bundle's digest.
 */
export function recordBuild(
  recordFile: string,
  inputs: readonly string[],
  bundle: Uint8Array,
  builder: readonly string[] = [],
  digests: InputDigests = new Map(),
): BuildRecord {
  const all = [...new Set([...inputs, ...BUILDER_INPUTS, ...builder])].sort();
  const record: BuildRecord = {
    inputs: Object.fromEntries(
      all.map((input) => {
        const digest = digestOf(input, digests);
        if (digest === undefined) throw new Error(`build input ${input} does not exist`);
        return [input, digest];
      }),
    ),
    sha256: sha256Of(bundle),
    bytes: bundle.length,
  };
  writeFileSync(recordFile, JSON.stringify(record));
  return record;
}

/**
 * The inputs esbuild read for one entry point of a build: the files it reaches through imports. A build of
 * several functions lists every function's inputs together; this is the list a build of the one function has.
 */
function inputsOf(metafile: Metafile, entryPoint: string): string[] {
  const seen = new Set([entryPoint]);
  const pending = [entryPoint];
  for (let file = pending.pop(); file !== undefined; file = pending.pop())
    for (const { path } of metafile.inputs[file]?.imports ?? [])
      if (path in metafile.inputs && !seen.has(path)) {
        seen.add(path);
        pending.push(path);
      }
  return [...seen];
}

function reuse(name: FunctionName, outDir: string, digests: InputDigests): FunctionBundle | undefined {
  const dir = join(outDir, name);
  const bundle = join(dir, "index.js");
  const outputs = [bundle, join(dir, "index.js.map")];
  const record = unchangedBuild(join(outDir, `${name}.build.json`), outputs, [], digests);
  return record && { dir, bundle, bytes: record.bytes, sha256: record.sha256 };
}

/**
 * Bundles `names` in one esbuild run: the functions share most of their dependencies (the AWS SDK above all),
 * which esbuild then parses once instead of once per function. A function's bundle has the same bytes whichever
 * functions share the run (its code those of a build of it alone; its source map names the module's exports
 * after the function's folder).
 */
async function buildAll(
  names: readonly FunctionName[],
  outDir: string,
  options: BuildOptions,
  digests: InputDigests,
): Promise<Partial<Record<FunctionName, FunctionBundle>>> {
  const result = await build({
    ...NODE_BUNDLE,
    absWorkingDir: ROOT,
    entryPoints: names.map((name) => ({
      in: join(ROOT, "functions", name, "index.ts"),
      out: `${name}/index`,
    })),
    outdir: CANONICAL_OUT,
    // Always: its list of inputs decides whether the next build can reuse this one.
    metafile: true,
  });
  if (result.warnings.length > 0) {
    const text = result.warnings
      .map((w) => `${w.location?.file ?? ""}:${w.location?.line ?? ""} ${w.text}`)
      .join("\n");
    throw new Error(`esbuild warnings building the ${names.join(", ")} functions:\n${text}`);
  }
  const metafile = result.metafile!;
  const bundles: Partial<Record<FunctionName, FunctionBundle>> = {};
  for (const name of names) {
    const jsPath = join(CANONICAL_OUT, name, "index.js");
    const js = result.outputFiles.find((f) => f.path === jsPath);
    const map = result.outputFiles.find((f) => f.path === `${jsPath}.map`);
    if (!js || !map) throw new Error(`esbuild produced no bundle for the ${name} function`);

    const dir = join(outDir, name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const bundle = join(dir, "index.js");
    writeFileSync(bundle, js.contents);
    writeFileSync(join(dir, "index.js.map"), ownSourceMap(map.text));
    const inputs = inputsOf(metafile, `functions/${name}/index.ts`);
    const { sha256 } = recordBuild(join(outDir, `${name}.build.json`), inputs, js.contents, [], digests);
    bundles[name] = {
      dir,
      bundle,
      bytes: js.contents.length,
      sha256,
      ...(options.metafile === true
        ? { metafile: ownMetafile(metafile, inputs, relative(ROOT, jsPath)) }
        : {}),
    };
  }
  return bundles;
}

/** The part of a several-function build's metafile that concerns one function's bundle. */
function ownMetafile(metafile: Metafile, inputs: readonly string[], jsOutput: string): Metafile {
  return {
    inputs: Object.fromEntries(inputs.map((i) => [i, metafile.inputs[i]])),
    outputs: Object.fromEntries(
      [jsOutput, `${jsOutput}.map`].map((o) => [o, metafile.outputs[o]]).filter(([, v]) => v !== undefined),
    ),
  };
}

/**
 * The source map reduced to this repository's code. Mappings into node_modules (over 90% of the bundle) become
 * "no source": stack frames there show the bundle's position, ours show the TypeScript line. Node builds its
 * source map index at load time when --enable-source-maps is on, so the full map would cost tens of
 * milliseconds of every cold start (bench/results/bundles.md).
 */
export function ownSourceMap(mapJson: string): string {
  const map = JSON.parse(mapJson) as {
    version: number;
    sources: string[];
    names: string[];
    mappings: string;
  };
  const keptSources: string[] = [];
  const sourceIndex = map.sources.map((source) => {
    if (source.includes("node_modules/")) return -1;
    keptSources.push(source);
    return keptSources.length - 1;
  });
  const keptNames: string[] = [];
  const nameIndex = new Map<number, number>();

  // Source, line, column and name are relative to the previous segment across the whole map; generated column
  // is relative within a line.
  const prior = { source: 0, line: 0, column: 0, name: 0 };
  const out = { source: 0, line: 0, column: 0, name: 0 };
  const lines = map.mappings.split(";").map((line) => {
    let generated = 0;
    let outGenerated = 0;
    let mapped = false; // whether the last segment written maps to a kept source
    const segments: string[] = [];
    for (const segment of line === "" ? [] : line.split(",")) {
      const fields = decodeVlq(segment);
      generated += fields[0];
      let keep = false;
      if (fields.length >= 4) {
        prior.source += fields[1];
        prior.line += fields[2];
        prior.column += fields[3];
        if (fields.length === 5) prior.name += fields[4];
        keep = sourceIndex[prior.source] >= 0;
      }
      if (keep) {
        const encoded = [
          generated - outGenerated,
          sourceIndex[prior.source] - out.source,
          prior.line - out.line,
          prior.column - out.column,
        ];
        out.source = sourceIndex[prior.source];
        out.line = prior.line;
        out.column = prior.column;
        if (fields.length === 5) {
          let name = nameIndex.get(prior.name);
          if (name === undefined) {
            name = keptNames.push(map.names[prior.name]) - 1;
            nameIndex.set(prior.name, name);
          }
          encoded.push(name - out.name);
          out.name = name;
        }
        segments.push(encodeVlq(encoded));
        outGenerated = generated;
        mapped = true;
      } else if (mapped) {
        // End the previous mapping here: what follows belongs to a dropped source.
        segments.push(encodeVlq([generated - outGenerated]));
        outGenerated = generated;
        mapped = false;
      }
    }
    return segments.join(",");
  });
  return JSON.stringify({ ...map, sources: keptSources, names: keptNames, mappings: lines.join(";") });
}

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BASE64_VALUE = new Map([...BASE64].map((c, i) => [c, i]));

function decodeVlq(segment: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = BASE64_VALUE.get(char);
    if (digit === undefined) throw new Error(`invalid source map segment ${segment}`);
    value += (digit & 31) * 2 ** shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    values.push(value % 2 === 1 ? -(value - 1) / 2 : value / 2);
    value = 0;
    shift = 0;
  }
  return values;
}

function encodeVlq(values: readonly number[]): string {
  let out = "";
  for (const v of values) {
    let value = v < 0 ? -v * 2 + 1 : v * 2;
    do {
      let digit = value % 32;
      value = Math.floor(value / 32);
      if (value > 0) digit |= 32;
      out += BASE64[digit];
    } while (value > 0);
  }
  return out;
}

if (require.main === module) {
  buildFunctions({ ...(process.argv[2] ? { outDir: process.argv[2] } : {}) }).then(
    (bundles) => {
      const rows = Object.entries(bundles).map(([name, b]) => [
        name,
        `${(b.bytes / 1024).toFixed(1)} KiB`,
        b.sha256.slice(0, 16),
        relative(process.cwd(), b.bundle),
      ]);
      const header = ["function", "size", "sha256", "bundle"];
      const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
      for (const row of [header, widths.map((w) => "-".repeat(w)), ...rows]) {
        console.log(row.map((cell, i) => cell.padEnd(widths[i])).join("  "));
      }
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
