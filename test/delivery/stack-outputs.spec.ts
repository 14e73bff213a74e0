import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../helpers/offline";
import { stackEvaluation } from "../helpers/stacks";

/*
 * The program's stack outputs: every `pulumi stack output` the README, the guides and the workflows name is
 * one index.ts exports (a runbook step that reads an output the program does not have fails in the middle of
 * an incident), and a stack exports only the outputs of the components it runs, none as undefined.
 */

/** The output names of outputs.ts's `return withoutUndefined({ ... })` (what index.ts exports), comments skipped. */
function declaredOutputs(): Set<string> {
  const source = fs.readFileSync(path.join(REPO_ROOT, "outputs.ts"), "utf8");
  const start = source.indexOf("return withoutUndefined({");
  const end = source.indexOf("\n  });", start);
  assert.ok(start >= 0 && end > start, "outputs.ts returns the outputs through withoutUndefined({ ... })");
  return new Set([...source.slice(start, end).matchAll(/^    (\w+):/gm)].map((m) => m[1]));
}

const exported = declaredOutputs();

function documents(): string[] {
  const docs = fs
    .readdirSync(path.join(REPO_ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => path.join("docs", f));
  const workflows = fs
    .readdirSync(path.join(REPO_ROOT, ".github", "workflows"))
    .map((f) => path.join(".github", "workflows", f));
  return ["README.md", ...docs, ...workflows];
}

/** Output names a line reads: `pulumi stack output [flags] <name>` or `pulumi stack output --json ... | jq .<name>`. */
function outputsNamed(line: string): string[] {
  const names: string[] = [];
  for (const m of line.matchAll(
    /pulumi stack output((?:\s+[^\s|)`;]+)*)(\s*\|\s*jq\s+(?:-r\s+)?'?\.(\w+))?/g,
  )) {
    const words = m[1].trim().split(/\s+/).filter(Boolean);
    for (let i = 0; i < words.length; i++) {
      if (["-s", "--stack"].includes(words[i])) i++;
      else if (!words[i].startsWith("-") && /^\w+$/.test(words[i])) names.push(words[i]);
    }
    if (m[3]) names.push(m[3]);
  }
  return names;
}

describe("stack outputs", () => {
  it("dev exports the outputs of the components it runs, and no undefined one", async function () {
    this.timeout(60000);
    const { outputs } = await stackEvaluation("dev");
    const names = Object.keys(outputs);
    assert.ok(names.length > 20, names.join(", "));
    assert.deepStrictEqual(
      names.filter((n) => !exported.has(n)),
      [],
    );
    assert.deepStrictEqual(
      names.filter((n) => outputs[n] === undefined),
      [],
    );
    // dev runs the API and the pipeline, not the database or the cache (Pulumi.dev.yaml).
    for (const on of ["apiUrl", "rawBucketName", "dataTableName", "queues"])
      assert.ok(names.includes(on), on);
    for (const off of ["databaseAddress", "databaseIdentifier", "cacheEndpoint", "cacheAuthSecretArn"])
      assert.ok(!names.includes(off), off);
    // What the smoke test needs to find its document after the pipeline (tools/smoke/target.ts).
    assert.deepEqual([outputs.processedPrefix, outputs.vectorNamespace], ["documents/", "dev"]);
  });
});

describe("stack outputs named in the docs", () => {
  it("reads names from the command forms the docs use", () => {
    assert.deepStrictEqual(outputsNamed("X=$(pulumi stack output -s ORG/prod backupVaultName)"), [
      "backupVaultName",
    ]);
    assert.deepStrictEqual(outputsNamed("pulumi stack output rawBucketName --stack prod"), ["rawBucketName"]);
    assert.deepStrictEqual(outputsNamed("T=$(pulumi stack output -s ORG/prod --json | jq -r .tableName)"), [
      "tableName",
    ]);
    assert.deepStrictEqual(outputsNamed("`pulumi stack output --json -s ORG/<stack>`"), []);
  });

  it("are all exported by index.ts (outputs.ts)", () => {
    const missing: string[] = [];
    let found = 0;
    for (const file of documents()) {
      const lines = fs.readFileSync(path.join(REPO_ROOT, file), "utf8").split("\n");
      lines.forEach((line, i) => {
        for (const name of outputsNamed(line)) {
          found++;
          if (!exported.has(name)) missing.push(`${file}:${i + 1} reads ${name}`);
        }
      });
    }
    assert.ok(found >= 5, `only ${found} outputs named in the docs: has the command form changed?`);
    assert.deepStrictEqual(missing, []);
  });
});
