import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { pathToFileURL } from "url";
import { parseYaml } from "../../lib/yaml";
import { countStatuses, renderResults, score, TARGET_SCORE } from "../../mutation/run";
import { REPO_ROOT } from "../helpers/offline";

/*
 * The mutation-testing setup as data: each group's config names modules and specs that exist, the groups
 * cover the modules where a silent mistake costs most, the recorded results are the ones the runner wrote and
 * meet the target, only prose is ignored, and the full set runs on a schedule or by hand, never in .ci/run or
 * on a pull request.
 */

const GROUPS = path.join(REPO_ROOT, "mutation", "groups");
const names = fs
  .readdirSync(GROUPS)
  .filter((f) => f.endsWith(".conf.mjs"))
  .map((f) => f.replace(/\.conf\.mjs$/, ""));
interface StrykerConfig {
  mutate: string[];
  mochaOptions: { config: string; spec: string[] };
  incrementalFile: string;
  concurrency: number;
  ignorers: string[];
}
const load = async (name: string) =>
  (await import(pathToFileURL(path.join(GROUPS, `${name}.conf.mjs`)).href)).default as StrykerConfig;
const exists = (p: string) => fs.existsSync(path.join(REPO_ROOT, p));

/** The modules the groups must mutate. */
const MODULES = [
  "functions/shared/chunking.ts",
  "policy/lib/policy-document.ts",
  "policy/iam.ts",
  "config/fargate.ts",
  "components/fargate/args.ts",
  "functions/shared/sqs-batch.ts",
  "functions/shared/retry.ts",
  "cost/estimate.ts",
  "cost/fargate.ts",
  "contracts/routing.ts",
  "functions/shared/ticket.ts",
  "functions/shared/project-log.ts",
];

describe("mutation testing setup", () => {
  it("has groups whose modules, specs and mocha config exist, each module in one group", async () => {
    const mutated: string[] = [];
    for (const name of names) {
      const config = await load(name);
      for (const f of [...config.mutate, ...config.mochaOptions.spec, config.mochaOptions.config])
        assert.ok(exists(f), `${name}: ${f}`);
      assert.strictEqual(config.incrementalFile, `mutation/incremental/${name}.json`);
      assert.ok(
        config.concurrency >= 1 && config.concurrency <= 2,
        "one or two runners: the machines are shared",
      );
      assert.deepStrictEqual(config.ignorers, ["prose"]);
      mutated.push(...config.mutate);
    }
    assert.deepStrictEqual([...mutated].sort(), [...MODULES].sort());
  });

  it("commits each group's incremental file, and results the runner wrote that meet the target", () => {
    for (const name of names) assert.ok(exists(`mutation/incremental/${name}.json`), name);
    const results = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "mutation", "results.json"), "utf8"));
    assert.strictEqual(
      fs.readFileSync(path.join(REPO_ROOT, "mutation", "results.md"), "utf8"),
      renderResults(results),
    );
    assert.deepStrictEqual(Object.keys(results).sort(), [...MODULES].sort());
    for (const [file, { after }] of Object.entries(results as Record<string, { after: { score: number } }>))
      assert.ok(after.score >= TARGET_SCORE, `${file}: ${after.score} %`);
  });

  it("scores killed and timed-out mutants over the valid ones, and refuses a status it does not know", () => {
    const at = (status: string) => ({
      status,
      mutatorName: "x",
      location: { start: { line: 1, column: 1 } },
    });
    const counts = countStatuses(
      [
        "Killed",
        "Killed",
        "Timeout",
        "Survived",
        "NoCoverage",
        "Ignored",
        "CompileError",
        "RuntimeError",
      ].map(at),
    );
    assert.deepStrictEqual(counts, {
      killed: 2,
      timeout: 1,
      survived: 1,
      noCoverage: 1,
      invalid: 2,
      ignored: 1,
    });
    assert.strictEqual(score(counts), 60);
    assert.strictEqual(score({ ...counts, killed: 0, timeout: 0, survived: 0, noCoverage: 0 }), 100);
    assert.strictEqual(score({ ...counts, killed: 1, timeout: 0, survived: 2, noCoverage: 0 }), 33.3);
    assert.throws(() => countStatuses([at("Pending")]), /Pending/);
  });

  it("ignores only the prose of descriptions, remediation steps, notes and references", async () => {
    const babel = require("@babel/core") as {
      parseSync(code: string, options: object): object;
      traverse(ast: object, visitors: object): void;
    };
    const { prose } = await import(pathToFileURL(path.join(REPO_ROOT, "mutation", "ignore-prose.mjs")).href);
    const code = `
      const p = policy({
        name: "kept-name",
        description: "ignored-description",
        remediationSteps: "ignored-" + "remediation",
        beyondAnchors: \`ignored-note\`,
        references: { checkov: ["ignored-reference"] },
        config: { list: { description: "ignored-config-description", default: ["kept-default"] } },
      }, (res, add) => add("kept-message", { description: res.x === "kept-comparison" }));`;
    const ast = babel.parseSync(code, { babelrc: false, configFile: false });
    const seen: Record<string, boolean> = {};
    const visit = (p: { node: { value?: string; quasis?: { value: { raw: string } }[] } }) => {
      const text = p.node.value ?? p.node.quasis![0].value.raw;
      seen[text] = prose.shouldIgnore(p) !== undefined;
    };
    babel.traverse(ast, { StringLiteral: visit, TemplateLiteral: visit });
    const ignored = Object.keys(seen).filter((k) => seen[k]);
    const kept = Object.keys(seen).filter((k) => !seen[k]);
    assert.deepStrictEqual(ignored.sort(), [
      "ignored-",
      "ignored-config-description",
      "ignored-description",
      "ignored-note",
      "ignored-reference",
      "remediation",
    ]);
    assert.deepStrictEqual(kept.sort(), ["kept-comparison", "kept-default", "kept-message", "kept-name"]);
  });

  it("runs the full set weekly and by hand, read-only, and never from .ci/run or a pull request", () => {
    const text = fs.readFileSync(path.join(REPO_ROOT, ".github", "workflows", "mutation.yml"), "utf8");
    const w = parseYaml(text) as {
      on: Record<string, unknown>;
      jobs: Record<string, { permissions: object; steps: { run?: string; env?: Record<string, string> }[] }>;
    };
    assert.deepStrictEqual(Object.keys(w.on).sort(), ["schedule", "workflow_dispatch"]);
    const steps = w.jobs.mutation.steps;
    const run = steps.find((s) => s.run?.includes("test:mutation"))!;
    assert.match(run.run!, /^npm run -s test:mutation -- --force \$GROUP$/);
    assert.strictEqual(run.env!.GROUP, "${{ inputs.group }}", "the input passes as a variable");
    for (const s of steps)
      assert.ok(!s.run?.includes("${{"), `no expression spliced into a script: ${s.run}`);
    const ci = fs.readFileSync(path.join(REPO_ROOT, ".ci", "run"), "utf8");
    const pr = fs.readFileSync(path.join(REPO_ROOT, ".github", "workflows", "pull-request.yml"), "utf8");
    for (const other of [ci, pr]) assert.doesNotMatch(other, /test:mutation|stryker/i);
  });
});
