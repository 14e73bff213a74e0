import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { REPO_ROOT } from "../helpers/offline";

/*
 * The pack as the Pulumi CLI loads it: the CLI's policy host (@pulumi/pulumi cmd/run-policy-pack/run.js)
 * registers ts-node with type checking in policy/, over policy/tsconfig.json (with `extends`), with
 * `{target: ES2020, module/moduleResolution: nodenext, sourceMap}` overridden by the compiler options
 * written in policy/tsconfig.json itself (read without `extends` by tsutils.loadTypeScriptCompilerOptions).
 * A type error there stops `pulumi preview --policy-pack policy`, so `npm run typecheck` checks policy/ with
 * the same options, and CI runs the pack under that host (test/policy/serve.spec.ts).
 */

const POLICY_TSCONFIG = path.join(REPO_ROOT, "policy", "tsconfig.json");
const tsutils = require("@pulumi/pulumi/tsutils") as {
  loadTypeScriptCompilerOptions(file: string): Record<string, unknown>;
};

/** The options `tsc -p policy` uses. */
function tscOptions(): ts.CompilerOptions {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    POLICY_TSCONFIG,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(String(d.messageText)),
    },
  );
  return parsed!.options;
}

/** The options the CLI's policy host type-checks the pack with. */
function policyHostOptions(): ts.CompilerOptions {
  const register = {
    target: "ES2020",
    module: "nodenext",
    moduleResolution: "nodenext",
    ...tsutils.loadTypeScriptCompilerOptions(POLICY_TSCONFIG),
  };
  const overrides = ts.convertCompilerOptionsFromJson(register, path.dirname(POLICY_TSCONFIG)).options;
  return { ...tscOptions(), ...overrides };
}

describe("the pack as the Pulumi CLI loads it", () => {
  it("is type-checked with the compiler options the CLI's policy host uses", () => {
    const tsc = tscOptions();
    const host = policyHostOptions();
    for (const key of ["target", "module", "moduleResolution", "types", "lib", "strict", "noUnusedLocals"])
      assert.deepStrictEqual(tsc[key], host[key], key);
  });

  it("where the root check differs: syntax and globals the policy host refuses", () => {
    // The root tsconfig targets ES2022 and loads mocha's types; the policy host targets ES2020 without them.
    const source = "export const m = /a/d.exec('a');\ndescribe('x', () => undefined);\n";
    const file = path.join(REPO_ROOT, "policy", "__cli_load_probe.ts");
    const check = (options: ts.CompilerOptions) => {
      const host = ts.createCompilerHost(options);
      const read = host.readFile;
      host.fileExists = (f) => f === file || ts.sys.fileExists(f);
      host.readFile = (f) => (f === file ? source : read(f));
      const program = ts.createProgram([file], { ...options, noEmit: true }, host);
      return ts.getPreEmitDiagnostics(program).map((d) => d.code);
    };
    assert.strictEqual(fs.existsSync(file), false);
    assert.deepStrictEqual(check(policyHostOptions()).sort(), [1501, 2593]);
    const root = ts.getParsedCommandLineOfConfigFile(
      path.join(REPO_ROOT, "tsconfig.json"),
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(String(d.messageText)),
      },
    )!.options;
    assert.deepStrictEqual(check(root), []);
  });

  it("CI type-checks policy/ with its tsconfig and runs the policy host check", () => {
    const scripts = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).scripts;
    assert.match(scripts.typecheck, /(^|&& )tsc --noEmit -p policy($| &&)/);
    assert.strictEqual(scripts["check:policy-host"], "POLICY_SERVE_CHECK=1 mocha test/policy/serve.spec.ts");
    const ci = fs.readFileSync(path.join(REPO_ROOT, ".ci", "run"), "utf8");
    assert.match(ci, /^npm run -s typecheck \|\| fail/m);
    assert.match(ci, /^npm run -s check:policy-host \|\| fail/m);
  });
});
