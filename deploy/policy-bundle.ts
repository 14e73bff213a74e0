/*
 * Builds a self-contained copy of the policy pack for publishing to Pulumi Cloud. `policy/` imports modules
 * outside its folder (lib/rules.ts, lib/aws-types.ts, cost/estimate.ts), which works for a local
 * `--policy-pack policy` but not for a published pack: Pulumi Cloud receives only the pack's folder. esbuild
 * bundles everything except the @pulumi packages, which the published pack installs from its package.json.
 */
import { builtinModules } from "module";
import * as fs from "fs";
import * as path from "path";
import * as esbuild from "esbuild";

export interface PolicyBundle {
  dir: string;
  name: string;
  version: string;
}

const REPO_ROOT = path.resolve(__dirname, "..");

/** Writes index.js, package.json and PulumiPolicy.yaml into `outDir` and returns where and which version. */
export function bundlePolicyPack(outDir: string, root = REPO_ROOT): PolicyBundle {
  const policyDir = path.join(root, "policy");
  const pkg = JSON.parse(fs.readFileSync(path.join(policyDir, "package.json"), "utf8")) as {
    name: string;
    version: string;
    dependencies: Record<string, string>;
  };
  fs.mkdirSync(outDir, { recursive: true });
  const result = esbuild.buildSync({
    entryPoints: [path.join(policyDir, "index.ts")],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    outfile: path.join(outDir, "index.js"),
    external: ["@pulumi/*"],
    metafile: true,
    logLevel: "silent",
  });
  // Anything left outside the bundle must come from the published pack's dependencies or Node itself.
  // (Relative imports that esbuild lists as external are type-only imports it removed.)
  const builtins = new Set(builtinModules);
  const missing = new Set<string>();
  for (const input of Object.values(result.metafile.inputs)) {
    for (const imp of input.imports) {
      if (!imp.external || imp.path.startsWith(".")) continue;
      const pkgName = imp.path.startsWith("@")
        ? imp.path.split("/").slice(0, 2).join("/")
        : imp.path.split("/")[0];
      if (builtins.has(pkgName) || builtins.has(pkgName.replace(/^node:/, ""))) continue;
      if (!pkg.dependencies[pkgName]) missing.add(pkgName);
    }
  }
  if (missing.size > 0) {
    throw new Error(
      `the policy pack imports ${[...missing].sort().join(", ")}, which policy/package.json does not list as dependencies`,
    );
  }
  const dependencies = Object.fromEntries(
    Object.entries(pkg.dependencies).filter(([name]) => name.startsWith("@pulumi/")),
  );
  fs.writeFileSync(
    path.join(outDir, "package.json"),
    JSON.stringify(
      { name: pkg.name, version: pkg.version, private: true, main: "index.js", dependencies },
      null,
      2,
    ) + "\n",
  );
  fs.writeFileSync(
    path.join(outDir, "PulumiPolicy.yaml"),
    "description: agent-platform CrossGuard pack (bundled by deploy/policy-bundle.ts)\nruntime: nodejs\n",
  );
  return { dir: outDir, name: pkg.name, version: pkg.version };
}

if (require.main === module) {
  const out = process.argv[2] ?? path.join(__dirname, ".build", "policy-pack");
  const b = bundlePolicyPack(out);
  console.log(`${b.name}@${b.version} bundled into ${path.relative(process.cwd(), b.dir)}`);
}
