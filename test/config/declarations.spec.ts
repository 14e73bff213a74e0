import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parseYaml } from "../../lib/yaml";
import { loadStackConfig, mapConfigSource } from "../../config";
import { configReference } from "../../tools/gen-config-reference";
import { readStack } from "../../tools/offline/stack-files";
import { REPO_ROOT } from "../helpers/offline";

const project = parseYaml(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8")) as {
  config: Record<string, unknown>;
};
const declared = Object.keys(project.config as object);

describe("config declarations", () => {
  it("declares every key with a type and a description, and a default unless it is a secret", () => {
    for (const [key, d] of Object.entries(project.config as Record<string, Record<string, unknown>>)) {
      assert.ok(["string", "integer", "boolean", "array"].includes(d.type as string), `${key}: type`);
      assert.ok(typeof d.description === "string" && d.description.length > 10, `${key}: description`);
      assert.ok(d.secret === true ? d.default === undefined : d.default !== undefined, `${key}: default`);
    }
  });

  // A secret is read only where its feature is on (cacheAuthToken with the cache), so each key must be
  // reported missing in at least one of the real stacks, not necessarily in dev.
  it("has config.ts read every declared key (removing one is reported as missing in some stack)", () => {
    const stacks = ["dev", "staging", "prod"].map((name) => ({ name, input: readStack(REPO_ROOT, name) }));
    for (const key of declared) {
      const reported = stacks.some(({ name, input }) => {
        const values = { ...input.config };
        delete values[`agent-platform:${key}`];
        try {
          loadStackConfig(mapConfigSource(values, input.secretKeys), "agent-platform", name);
          return false;
        } catch (e) {
          return (e as Error).message.includes(`agent-platform:${key} = (not set): is required`);
        }
      });
      assert.ok(reported, `${key} is declared in Pulumi.yaml but config.ts does not read it in any stack`);
    }
  });

  it("keeps docs/config.md in step with Pulumi.yaml and the stack files", () => {
    const current = fs.readFileSync(path.join(REPO_ROOT, "docs", "config.md"), "utf8");
    assert.strictEqual(current, configReference(REPO_ROOT), "run `npm run gen:config-reference`");
    for (const key of declared) assert.ok(current.includes(`| \`${key}\` |`), key);
  });

  it("starts the README with the two commands that work on a fresh clone", () => {
    const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8").split("\n");
    assert.strictEqual(readme[0], "# agent-platform");
    assert.match(readme[3], /^npm ci && npm run -s preview:offline -- --stack all +#/);
    assert.match(readme[4], /^npm ci && npm test +#/);
    const scripts = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).scripts;
    for (const s of ["build", "lint", "test", "preview:offline", "bench"])
      assert.ok(scripts[s], `script ${s}`);
  });
});
