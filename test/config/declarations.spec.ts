import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { loadStackConfig, mapConfigSource } from "../../config";
import { configReference } from "../../tools/gen-config-reference";
import { readStack } from "../../tools/offline/stack-files";
import { REPO_ROOT } from "../helpers/offline";

const project = YAML.parse(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8"));
const declared = Object.keys(project.config as object);

describe("config declarations", () => {
  it("declares every key with a type and a description, and a default unless it is a secret", () => {
    for (const [key, d] of Object.entries(project.config as Record<string, Record<string, unknown>>)) {
      assert.ok(["string", "integer", "boolean", "array"].includes(d.type as string), `${key}: type`);
      assert.ok(typeof d.description === "string" && d.description.length > 10, `${key}: description`);
      assert.ok(d.secret === true ? d.default === undefined : d.default !== undefined, `${key}: default`);
    }
  });

  it("has config.ts read every declared key (removing one is reported as missing)", () => {
    const input = readStack(REPO_ROOT, "dev");
    for (const key of declared) {
      const values = { ...input.config };
      delete values[`agent-platform:${key}`];
      assert.throws(
        () => loadStackConfig(mapConfigSource(values, input.secretKeys), "agent-platform", "dev"),
        (e: Error) => e.message.includes(`agent-platform:${key} = (not set): is required`),
        `${key} is declared in Pulumi.yaml but config.ts does not read it`,
      );
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
