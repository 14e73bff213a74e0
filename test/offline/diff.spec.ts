import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { diffPreviews, renderDiffMarkdown, renderDiffText } from "../../tools/offline/diff";
import { inputsHash, PreviewDocument, readPreviewDocument } from "../../tools/offline/document";
import { main as diffMain } from "../../tools/preview-diff";
import { fakeResource, REPO_ROOT } from "../helpers/offline";

/*
 * Two previews of the same stacks, as --json writes them (test/fixtures/preview-diff): the head adds a bucket
 * to web, runs two Fargate tasks instead of one (the service's inputs change, the estimate rises by $15.98),
 * fixes the data bucket's encryption finding, brings a new logging finding, and drops the staging stack.
 */
const FIXTURES = path.join(REPO_ROOT, "test", "fixtures", "preview-diff");
const base = readPreviewDocument(path.join(FIXTURES, "base.json"));
const head = readPreviewDocument(path.join(FIXTURES, "head.json"));

describe("tools/offline/diff.ts: the difference of two previews", () => {
  const diffs = diffPreviews(base, head);
  const dev = diffs.find((d) => d.stack === "dev")!;

  it("lists the resource added and the one changed, by type, leaving providers and components out", () => {
    assert.deepStrictEqual(
      dev.resources.added.map((r) => r.name),
      ["web-logs"],
    );
    assert.deepStrictEqual(dev.resources.removed, []);
    assert.deepStrictEqual(
      dev.resources.changed.map((r) => r.name),
      ["web"],
    );
    assert.deepStrictEqual(dev.resources.byType, [
      { type: "aws:ecs/service:Service", added: 0, removed: 0, changed: 1 },
      { type: "aws:s3/bucket:Bucket", added: 1, removed: 0, changed: 0 },
    ]);
  });

  it("lists the finding fixed and the one new; a finding on both sides is neither", () => {
    assert.deepStrictEqual(
      dev.findings.fixed.map((f) => [f.policy, f.name]),
      [["s3-bucket-encryption", "data-artifacts"]],
    );
    assert.deepStrictEqual(
      dev.findings.new.map((f) => [f.policy, f.name]),
      [["s3-access-logging", "web-logs"]],
    );
    assert.deepStrictEqual(dev.exemptions, { new: [], removed: [] });
  });

  it("gives the monthly cost delta in total and per component", () => {
    assert.deepStrictEqual(dev.cost, {
      baseUsd: 38.25,
      headUsd: 54.23,
      deltaUsd: 15.98,
      byComponent: [{ component: "web", baseUsd: 38.25, headUsd: 54.23, deltaUsd: 15.98 }],
    });
  });

  it("says which stacks only one side has, and which did not change", () => {
    assert.deepStrictEqual(
      diffs.map((d) => [d.stack, d.presence]),
      [
        ["dev", "both"],
        ["prod", "both"],
        ["staging", "removed"],
      ],
    );
    const text = renderDiffText(diffs, "base.json");
    assert.match(text, /^ {2}prod: no change$/m);
    assert.match(text, /^ {2}staging: stack removed$/m);
    assert.match(
      text,
      /^ {2}dev: resources 1 added, 0 removed, 1 changed; findings 1 new, 1 fixed; \$38\.25 -> \$54\.23\/month \(\+\$15\.98\)$/m,
    );
  });

  it("renders a Markdown table per stack with the details folded", () => {
    const md = renderDiffMarkdown(diffs, "main");
    assert.match(
      md,
      /^\| dev \| 1 added, 0 removed, 1 changed \| 1 new, 1 fixed \| \$38\.25 → \$54\.23 \(\+\$15\.98\) \|$/m,
    );
    assert.match(md, /^\| prod \| no change \| 0 new, 0 fixed \| \$0\.00 → \$0\.00 \(±\$0\.00\) \|$/m);
    assert.match(md, /^\| `aws:s3\/bucket:Bucket` \| 1 \| 0 \| 0 \|$/m);
    assert.match(
      md,
      /^- \*\*s3-access-logging\*\* \(advisory\) on `web-logs`: S3 bucket 'web-logs' has no access logging$/m,
    );
    assert.match(md, /^\| web \| \$38\.25 \| \$54\.23 \| \+\$15\.98 \|$/m);
    assert.strictEqual(md.match(/<details>/g)!.length, 1, "only the stack that changed has details");
  });

  it("does not claim to know what changed when the base has no input digests", () => {
    const old: PreviewDocument = {
      stacks: base.stacks.map((s) => ({
        ...s,
        resources: s.resources.map(({ urn, type, name, parent }) => ({ urn, type, name, parent })),
      })),
    };
    const d = diffPreviews(old, head).find((x) => x.stack === "dev")!;
    assert.strictEqual(d.resources.changesKnown, false);
    assert.deepStrictEqual(d.resources.changed, []);
    // Without the custom flag, components are known by having children, providers by their type.
    assert.deepStrictEqual(
      d.resources.added.map((r) => r.name),
      ["web-logs"],
    );
    assert.match(renderDiffText([d], "old.json"), /changes unknown \(the base has no input digests\)/);
  });

  it("refuses a file that is not a preview document, naming it", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "diff-"));
    try {
      const bad = path.join(dir, "bad.json");
      fs.writeFileSync(bad, JSON.stringify({ stacks: [{ stack: "dev", resources: [] }] }));
      assert.throws(() => readPreviewDocument(bad), {
        message: `${bad}: stacks[0]: "violations" is not a list; "costEstimate.monthlyUsd" is not a number`,
      });
      fs.writeFileSync(bad, "not json");
      assert.throws(() => readPreviewDocument(bad), /bad\.json: not a preview JSON document/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("tools/offline/document.ts: input digests", () => {
  it("are the same for the same inputs in any key order, and differ when an input changes", () => {
    const a = fakeResource("aws:sqs/queue:Queue", "q", { name: "q", delaySeconds: 0 });
    const b = fakeResource("aws:sqs/queue:Queue", "q", { delaySeconds: 0, name: "q" });
    const c = fakeResource("aws:sqs/queue:Queue", "q", { delaySeconds: 5, name: "q" });
    assert.strictEqual(inputsHash(a), inputsHash(b));
    assert.notStrictEqual(inputsHash(a), inputsHash(c));
  });

  it("follow an archive's contents, not its path", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "asset-"));
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), "asset-"));
    try {
      for (const d of [dir, copy]) fs.writeFileSync(path.join(d, "index.js"), "exports.handler = 1;");
      const fn = (p: string) =>
        fakeResource("aws:lambda/function:Function", "fn", {
          code: { "4dabf18193072939515e22adb298388d": "0def7320c3a5731c473e5ecbe6d01bc7", path: p },
        });
      assert.strictEqual(inputsHash(fn(dir)), inputsHash(fn(copy)), "another checkout, same code");
      const before = inputsHash(fn(dir));
      fs.writeFileSync(path.join(dir, "index.js"), "exports.handler = 2;");
      assert.notStrictEqual(inputsHash(fn(dir)), before, "the code changed");
    } finally {
      for (const d of [dir, copy]) fs.rmSync(d, { recursive: true, force: true });
    }
  });
});

describe("tools/preview-diff.ts", () => {
  const run = (argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = diffMain(
      argv,
      (s) => out.push(s),
      (s) => err.push(s),
    );
    return { code, out: out.join("\n"), err: err.join("\n") };
  };

  it("prints the difference of two preview documents as Markdown", () => {
    const r = run([path.join(FIXTURES, "base.json"), path.join(FIXTURES, "head.json"), "--label", "main"]);
    assert.strictEqual(r.code, 0);
    assert.match(r.out, /^#### What this change does to each stack \(against main\)\n/);
    assert.match(r.out, /^\| dev \| 1 added, 0 removed, 1 changed \|/m);
  });

  it("exits 2 naming a missing file, or without two files", () => {
    const missing = path.join(FIXTURES, "missing.json");
    const r = run([path.join(FIXTURES, "base.json"), missing]);
    assert.strictEqual(r.code, 2);
    assert.match(
      r.err,
      new RegExp(`^${missing.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: not a preview JSON document`),
    );
    assert.match(run([]).err, /^usage: preview:diff/);
  });
});
