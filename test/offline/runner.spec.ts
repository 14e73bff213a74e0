import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { defaultJobs, main } from "../../tools/preview-offline";
import { REPO_ROOT } from "../helpers/offline";
import { stackReport } from "../helpers/stacks";
import { readStack } from "../../tools/offline/stack-files";

/**
 * Runs the CLI in-process and captures what it prints. `preview` previews a stack (default: the CLI's own
 * previewStack).
 */
async function run(argv: string[], root = REPO_ROOT, jobs?: number, preview?: Parameters<typeof main>[5]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    argv,
    root,
    (s) => out.push(s),
    (s) => err.push(s),
    jobs,
    preview,
  );
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/** A project root with the repo's Pulumi.yaml, ESC examples and policy pack, plus the given stack files. */
function projectWith(stacks: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "offline-preview-"));
  fs.copyFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), path.join(root, "Pulumi.yaml"));
  fs.cpSync(path.join(REPO_ROOT, "deploy"), path.join(root, "deploy"), { recursive: true });
  fs.symlinkSync(path.join(REPO_ROOT, "policy"), path.join(root, "policy"));
  fs.symlinkSync(path.join(REPO_ROOT, "index.ts"), path.join(root, "index.ts"));
  for (const [name, text] of Object.entries(stacks))
    fs.writeFileSync(path.join(root, `Pulumi.${name}.yaml`), text);
  return root;
}

const fixture = (name: string) => path.join(REPO_ROOT, "test", "fixtures", name);

describe("offline preview CLI", function () {
  this.timeout(120000);
  let tmp: string;
  before(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "offline-json-"))));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("previews every stack file, in order, exits 0 and writes the JSON contract", async () => {
    const json = path.join(tmp, "all.json");
    // The project's stacks with their own config: the evaluations the other specs share (test/helpers/stacks.ts).
    const { code, out, err } = await run(["--stack", "all", "--json", json], REPO_ROOT, 1, (o) =>
      stackReport(o.stack),
    );
    assert.strictEqual(err, "");
    assert.strictEqual(code, 0);
    const doc = JSON.parse(fs.readFileSync(json, "utf8"));
    assert.deepStrictEqual(
      doc.stacks.map((s: { stack: string }) => s.stack),
      ["dev", "staging", "prod"],
    );
    for (const s of doc.stacks) {
      assert.deepStrictEqual(Object.keys(s), [
        "stack",
        "resources",
        "violations",
        "costEstimate",
        "exemptions",
      ]);
      // The contract's fields first, then the additions a comparison of two previews needs.
      assert.deepStrictEqual(Object.keys(s.resources[0]), [
        "urn",
        "type",
        "name",
        "parent",
        "custom",
        "inputsHash",
      ]);
      assert.ok(s.resources.some((r: { type: string }) => r.type === "agent-platform:index:Observability"));
      assert.strictEqual(typeof s.costEstimate.monthlyUsd, "number");
      assert.ok(Array.isArray(s.costEstimate.items));
      assert.deepStrictEqual(
        s.violations.filter((v: { enforcementLevel: string }) => v.enforcementLevel === "mandatory"),
        [],
      );
    }
    assert.deepStrictEqual(Object.keys(doc), ["stacks", "policies"]);
    const tagging = doc.policies.find((p: { name: string }) => p.name === "required-tags");
    assert.strictEqual(tagging.domain, "tagging");
    assert.ok(
      tagging.remediation.length > 0 && ["low", "medium", "high", "critical"].includes(tagging.severity),
    );
    assert.match(out, /^Stack dev: \d+ resources/m);
    assert.match(
      out,
      /^offline preview: dev: 0 mandatory, \d+ advisory, \$[\d.]+\/month(?: \(up to \$[\d.]+\))?; staging: .*; prod: .*$/m,
    );
  });

  it("exits 1 on a mandatory violation and names the policy and resource", async () => {
    const json = path.join(tmp, "untagged.json");
    const { code, out } = await run([
      "--stack",
      "dev",
      "--program",
      fixture("untagged-program.ts"),
      "--json",
      json,
    ]);
    assert.strictEqual(code, 1);
    assert.match(
      out,
      /required-tags \(mandatory\): 1\n {4}- untagged: aws:cloudwatch\/logGroup:LogGroup .untagged. lacks tags: Environment, Project, Function, Owner\./,
    );
    const v = JSON.parse(fs.readFileSync(json, "utf8")).stacks[0].violations;
    assert.deepStrictEqual(v, [
      {
        policy: "required-tags",
        enforcementLevel: "mandatory",
        urn: "urn:pulumi:dev::agent-platform::aws:cloudwatch/logGroup:LogGroup::untagged",
        type: "aws:cloudwatch/logGroup:LogGroup",
        name: "untagged",
        message:
          "Taggable AWS resources carry the required tags with non-empty values.\naws:cloudwatch/logGroup:LogGroup 'untagged' lacks tags: Environment, Project, Function, Owner.",
      },
    ]);
  });

  it("honours the pack config: an advisory level does not fail the run, a disabled policy reports nothing", async () => {
    const advisory = path.join(tmp, "advisory.json");
    fs.writeFileSync(advisory, JSON.stringify({ "required-tags": "advisory" }));
    let r = await run([
      "--stack",
      "dev",
      "--program",
      fixture("untagged-program.ts"),
      "--policy-config",
      advisory,
    ]);
    assert.strictEqual(r.code, 0);
    assert.match(r.out, /required-tags \(advisory\): 1/);

    const disabled = path.join(tmp, "disabled.json");
    fs.writeFileSync(disabled, JSON.stringify({ "required-tags": { enforcementLevel: "disabled" } }));
    r = await run([
      "--stack",
      "dev",
      "--program",
      fixture("untagged-program.ts"),
      "--policy-config",
      disabled,
    ]);
    assert.strictEqual(r.code, 0);
    assert.match(r.out, /Policy findings: none/);
  });

  it("applies policy config properties over the schema defaults", async () => {
    const cfg = path.join(tmp, "tags.json");
    fs.writeFileSync(cfg, JSON.stringify({ "required-tags": { requiredTags: ["CostCenter"] } }));
    const r = await run(["--stack", "dev", "--program", fixture("tiny-program.ts"), "--policy-config", cfg]);
    assert.strictEqual(r.code, 1);
    assert.match(r.out, /'tiny-queue' lacks tags: CostCenter\./);
  });

  it("exits 2 for a pack config that does not fit the policies, and only warns on a name the pack lacks", async () => {
    const cfg = path.join(tmp, "badpack.json");
    fs.writeFileSync(
      cfg,
      JSON.stringify({ "required-tagz": "mandatory", "required-tags": { requiredTags: "Owner" } }),
    );
    let r = await run(["--stack", "dev", "--policy-config", cfg]);
    assert.strictEqual(r.code, 2);
    assert.strictEqual(r.out, "");
    assert.match(r.err, /required-tags.requiredTags = "Owner": must be array/);
    // The CLI accepts a config entry naming no policy of the pack and ignores it.
    fs.writeFileSync(cfg, JSON.stringify({ "required-tagz": "mandatory", "required-tags": "advisory" }));
    r = await run(["--stack", "dev", "--program", fixture("untagged-program.ts"), "--policy-config", cfg]);
    assert.strictEqual(r.code, 0);
    assert.strictEqual(
      r.err,
      "warning: policy pack config: required-tagz: no policy of that name in the pack (the CLI accepts the entry and ignores it)",
    );
  });

  it("sends a resource passed where a string is expected as its id, and reports the pack's findings", async () => {
    const json = path.join(tmp, "refs.json");
    const r = await run([
      "--stack",
      "dev",
      "--program",
      fixture("resource-reference-program.ts"),
      "--json",
      json,
    ]);
    assert.strictEqual(r.err, "");
    assert.strictEqual(r.code, 1);
    const violations = JSON.parse(fs.readFileSync(json, "utf8")).stacks[0].violations as Array<{
      policy: string;
      name: string;
      message: string;
    }>;
    assert.deepStrictEqual(
      violations
        .filter((v) => v.policy === "iam-no-admin-access")
        .map((v) => [v.name, v.message.split("\n")[1]]),
      [
        [
          "app-admin",
          "IAM role policy attachment 'app-admin' attaches the AWS managed AdministratorAccess policy.",
        ],
      ],
    );
  });

  it("gives a resource that names no provider the default provider built from the stack's aws: config", async () => {
    const tags = ["Environment: dev", "Project: agent-platform", "Owner: platform-team", "Function: logs"];
    const root = projectWith({
      tagged: [
        "config:",
        "  aws:region: us-east-1",
        "  aws:allowedAccountIds: ['123456789012']",
        "  aws:defaultTags:",
        "    tags:",
        ...tags.map((t) => `      ${t}`),
        "",
      ].join("\n"),
      untagged: "config:\n  aws:region: us-east-1\n",
    });
    const json = path.join(tmp, "default-provider.json");
    const program = fixture("default-provider-program.ts");
    const tagged = await run(["--stack", "tagged", "--program", program, "--json", json], root);
    assert.strictEqual(tagged.err, "");
    assert.strictEqual(tagged.code, 0);
    const doc = JSON.parse(fs.readFileSync(json, "utf8")).stacks[0];
    assert.deepStrictEqual(doc.violations, []);
    assert.deepStrictEqual(
      doc.resources
        .filter((r: { type: string }) => r.type === "pulumi:providers:aws")
        .map(({ urn, type, name, parent }: Record<string, unknown>) => ({ urn, type, name, parent })),
      [
        {
          urn: "urn:pulumi:tagged::agent-platform::pulumi:providers:aws::default_7_48_0",
          type: "pulumi:providers:aws",
          name: "default_7_48_0",
          parent: null,
        },
      ],
    );
    // Without that config the same default provider carries no tags and guards no account.
    const untagged = await run(["--stack", "untagged", "--program", program], root);
    assert.strictEqual(untagged.code, 1);
    assert.match(untagged.out, /'logs' lacks tags: Environment, Project, Function, Owner\./);
    assert.match(untagged.out, /AWS provider 'default_7_48_0' sets no allowedAccountIds/);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("--first-preview: values providers compute are unknown, and the checks they stop are listed", async () => {
    const argv = ["--stack", "dev", "--program", fixture("resource-reference-program.ts")];
    const update = await run(argv);
    const preview = await run([...argv, "--first-preview"]);
    // The attachment names the managed policy by a literal ARN: known in both modes.
    for (const r of [update, preview]) {
      assert.strictEqual(r.code, 1);
      assert.match(r.out, /iam-no-admin-access \(mandatory\): 1\n {4}- app-admin: /);
    }
    // The inline policy embeds the queue's ARN: a whole document unknown until the queue exists.
    assert.doesNotMatch(update.out, /Not checked until the values are known/);
    assert.match(
      preview.out,
      /^Not checked until the values are known \(advisories of a first preview\): \d+\n(?: {2}[a-z-]+: \d+ \(.*\)\n)*? {2}iam-no-wildcard-actions: 1 \(app-jobs\)$/m,
    );
  });

  it("exits 2 with one message naming every bad key of a stack file, and writes no JSON", async () => {
    const root = projectWith({
      bad: [
        "environment:",
        "  - agent-platform/dev",
        "config:",
        "  aws:region: us-east-1",
        "  agent-platform:azCount: three",
        "  agent-platform:natStrateg: none",
        "  agent-platform:upstashVectorToken: plain-text-token",
        "",
      ].join("\n"),
    });
    const json = path.join(tmp, "bad.json");
    const r = await run(["--stack", "bad", "--json", json], root);
    assert.strictEqual(r.code, 2);
    assert.strictEqual(r.out, "");
    assert.match(r.err, /^stack bad: ProgramError: invalid stack configuration \(3 problems\):/);
    assert.match(r.err, /agent-platform:azCount = "three": must be a number between 2 and 3/);
    assert.match(r.err, /agent-platform:upstashVectorToken = "\[plain text\]": must be a secret/);
    assert.match(r.err, /agent-platform:natStrateg = "none": is not a known key/);
    assert.ok(!r.err.includes("plain-text-token"), "a secret value must not be printed");
    assert.strictEqual(fs.existsSync(json), false);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("exits 2 when a required secret is missing", async () => {
    const root = projectWith({ nosecret: "config:\n  aws:region: us-east-1\n" });
    const r = await run(["--stack", "nosecret"], root);
    assert.strictEqual(r.code, 2);
    assert.match(
      r.err,
      /agent-platform:upstashVectorUrl = \(not set\): is required: set it with `pulumi config set --secret`/,
    );
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("prints the same reports and errors, in stack order, with worker threads as in one thread", async () => {
    // Prepare: a failing stack before a good one (its late rejections must not fail the next evaluation), and
    // a failing last stack, which a worker thread previews (its error crosses threads with its name).
    const good = fs.readFileSync(path.join(REPO_ROOT, "Pulumi.dev.yaml"), "utf8");
    const noSecrets = "config:\n  aws:region: us-east-1\n";
    const root = projectWith({ dev: noSecrets, staging: good, prod: noSecrets });
    // Act
    const oneThread = await run(["--stack", "all"], root, 1);
    const twoThreads = await run(["--stack", "all"], root, 2);
    // Assess
    assert.strictEqual(oneThread.code, 2);
    assert.match(oneThread.out, /^Stack staging: \d+ resources/);
    const errors = oneThread.err.split("\n").filter((l) => l.startsWith("stack "));
    assert.deepStrictEqual(
      errors.map((l) => l.slice(0, l.indexOf(":", 6))),
      ["stack dev", "stack prod"],
    );
    for (const line of errors)
      assert.match(line, /: ProgramError: invalid stack configuration \(\d+ problems\):$/);
    assert.deepStrictEqual(twoThreads, oneThread);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("previews in one thread unless PREVIEW_OFFLINE_JOBS asks for more", () => {
    assert.strictEqual(defaultJobs({}), 1);
    assert.strictEqual(defaultJobs({ PREVIEW_OFFLINE_JOBS: "3" }), 3);
    assert.strictEqual(defaultJobs({ PREVIEW_OFFLINE_JOBS: "zero" }), 1);
    assert.strictEqual(defaultJobs({ PREVIEW_OFFLINE_JOBS: "0" }), 1);
  });

  it("reads stack values as the Pulumi CLI does: dates and times stay strings", () => {
    const root = projectWith({
      t: "config:\n  agent-platform:a: 2026-01-01\n  agent-platform:b: 03:00\n  agent-platform:d: [1, true]\n",
    });
    const { config } = readStack(root, "t");
    assert.strictEqual(config["agent-platform:a"], "2026-01-01");
    assert.strictEqual(config["agent-platform:b"], "03:00");
    assert.strictEqual(config["agent-platform:d"], "[1,true]");
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("exits 2 for a stack file that is not YAML or does not exist", async () => {
    const root = projectWith({ broken: "config: [unclosed\n" });
    let r = await run(["--stack", "broken"], root);
    assert.strictEqual(r.code, 2);
    assert.match(r.err, /Pulumi\.broken\.yaml is not valid YAML/);
    r = await run(["--stack", "nosuch"], root);
    assert.strictEqual(r.code, 2);
    assert.match(r.err, /Pulumi\.nosuch\.yaml does not exist/);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("exits 2 with the program's own error when it throws", async () => {
    const r = await run(["--stack", "dev", "--program", fixture("throwing-program.ts")]);
    assert.strictEqual(r.code, 2);
    assert.strictEqual(r.err, "stack dev: ProgramError: component exploded: subnet count must be positive");
  });

  it("exits 2 when a failure happens inside an Output callback", async () => {
    const r = await run(["--stack", "dev", "--program", fixture("failing-apply-program.ts")]);
    assert.strictEqual(r.code, 2);
    assert.match(r.err, /lookup failed inside apply/);
  });

  it("writes the HTML report and, given a base preview, prints the difference against it", async () => {
    const json = path.join(tmp, "tiny.json");
    const html = path.join(tmp, "tiny.html");
    const program = fixture("tiny-program.ts");
    // The tiny program's queue has mandatory findings (exit 1): the documents are written all the same.
    let r = await run(["--stack", "dev", "--program", program, "--json", json]);
    assert.strictEqual(r.code, 1, r.err);
    // The base lacks one of the head's resources.
    const base = JSON.parse(fs.readFileSync(json, "utf8"));
    const gone = base.stacks[0].resources.find(
      (x: { custom: boolean; type: string }) => x.custom && !x.type.startsWith("pulumi:"),
    );
    base.stacks[0].resources = base.stacks[0].resources.filter((x: unknown) => x !== gone);
    const baseFile = path.join(tmp, "tiny-base.json");
    fs.writeFileSync(baseFile, JSON.stringify(base));
    r = await run(["--stack", "dev", "--program", program, "--html", html, "--base", baseFile]);
    assert.strictEqual(r.code, 1, r.err);
    assert.match(
      r.out,
      new RegExp(
        `^Difference against ${baseFile.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\n  dev: resources 1 added, 0 removed, 0 changed;`,
        "m",
      ),
    );
    const page = fs.readFileSync(html, "utf8");
    assert.match(page, /^<!doctype html>/);
    assert.match(page, /<section class="stack" id="stack-dev"/);
    assert.match(page, /data-metric="diff-added" data-value="1"/);
    assert.match(page, /Content-Security-Policy" content="default-src 'none'/);
  });

  it("exits 2 for a --base that is not a preview document, before previewing anything", async () => {
    const bad = path.join(tmp, "not-a-preview.json");
    fs.writeFileSync(bad, JSON.stringify({ resources: [] }));
    const r = await run(["--stack", "dev", "--base", bad]);
    assert.strictEqual(r.code, 2);
    assert.strictEqual(
      r.err,
      `--base: ${bad}: not a preview JSON document (no "stacks" list; write one with --json)`,
    );
    assert.strictEqual(r.out, "");
  });

  it("exits 2 on an unknown flag or a flag without its value", async () => {
    let r = await run(["--stak", "dev"]);
    assert.strictEqual(r.code, 2);
    assert.match(r.err, /^unknown argument --stak\nusage: preview:offline/);
    r = await run(["--stack"]);
    assert.strictEqual(r.code, 2);
    assert.match(r.err, /^--stack needs a value/);
  });
});
