import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../helpers/offline";

/*
 * Every `pulumi stack output` the README, the guides and the workflows name is an output index.ts exports: a
 * runbook step that reads an output the program does not have fails in the middle of an incident.
 */

const exported = new Set(
  [...fs.readFileSync(path.join(REPO_ROOT, "index.ts"), "utf8").matchAll(/^export const (\w+)/gm)].map(
    (m) => m[1],
  ),
);

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

  it("are all exported by index.ts", () => {
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
