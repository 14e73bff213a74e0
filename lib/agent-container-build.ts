/**
 * Bundles the agent container's entry (functions/agent-worker/container.ts) into one CommonJS file with
 * everything it imports, the AWS SDK included: the image then needs no node_modules at all; the options are the
 * functions' (lib/build-functions.ts NODE_BUNDLE), so the image runs Node.js 22 as Lambda does. The
 * Dockerfile's build stage runs this file, the tests run it to start the bundle as the
 * image's CMD does, and the FargateWorker component derives the image tag from what it writes.
 *
 *   node -r ./tools/register-ts.js lib/agent-container-build.ts <outDir>
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { build } from "esbuild";
import { NODE_BUNDLE, recordBuild, unchangedBuild } from "./build-functions";

const ROOT = resolve(__dirname, "..");
export const CONTAINER_ENTRY = "functions/agent-worker/container.ts";
/** The bundle's file name in the image (the CMD runs /app/agent.js). */
export const BUNDLE_FILE = "agent.js";

export interface ContainerBundle {
  readonly file: string;
  readonly bytes: number;
  /** SHA-256 (hex) of the bundle. */
  readonly sha256: string;
}

/** This file: its options make the bundle as much as the sources do. */
const BUILDER = ["lib/agent-container-build.ts"];

/**
 * The bundle in `outDir`, rebuilt only when an input it was built from changed (what the build read is recorded
 * beside the folder, `<outDir>.build.json`, not in it: the image copies the folder whole).
 */
export async function buildAgentContainer(outDir: string): Promise<ContainerBundle> {
  const file = join(resolve(outDir), BUNDLE_FILE);
  const recordFile = `${resolve(outDir)}.build.json`;
  const unchanged = unchangedBuild(recordFile, [file, `${file}.map`], BUILDER);
  if (unchanged) return { file, bytes: unchanged.bytes, sha256: unchanged.sha256 };
  const result = await build({
    ...NODE_BUNDLE,
    absWorkingDir: ROOT,
    entryPoints: [join(ROOT, CONTAINER_ENTRY)],
    outfile: file,
    // Its list of inputs decides whether the next build can reuse this one.
    metafile: true,
  });
  if (result.warnings.length > 0)
    throw new Error(
      `esbuild warnings for the agent container:\n${result.warnings.map((w) => w.text).join("\n")}`,
    );
  mkdirSync(resolve(outDir), { recursive: true });
  let js: Uint8Array | undefined;
  for (const f of result.outputFiles) {
    writeFileSync(f.path, f.contents);
    if (f.path.endsWith(".js")) js = f.contents;
  }
  if (!js) throw new Error("esbuild produced no bundle for the agent container");
  const record = recordBuild(recordFile, Object.keys(result.metafile!.inputs), js, BUILDER);
  return { file, bytes: record.bytes, sha256: record.sha256 };
}

if (require.main === module) {
  const out = process.argv[2];
  if (!out) {
    console.error("usage: node -r ./tools/register-ts.js lib/agent-container-build.ts <outDir>");
    process.exit(2);
  }
  buildAgentContainer(out).then(
    (b) => console.log(`${b.file}: ${b.bytes} bytes, sha256 ${b.sha256}`),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
