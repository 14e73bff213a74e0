import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import {
  notCheckedInPreview,
  renderReport,
  splitExemptions,
  StackReport,
  toJson,
} from "../../tools/offline/preview";
import type { Violation } from "../../tools/offline/policy-harness";
import { REPO_ROOT } from "../helpers/offline";
import { stackReport, STACKS } from "../helpers/stacks";

/*
 * End to end: the project's own stacks under the whole pack, as `npm run preview:offline` runs them. Every
 * mandatory violation fails; every advisory must be listed (policy and resource) in policy/README.md's
 * "Accepted advisories" table with the reason it is accepted.
 */

function acceptedAdvisories(): Array<{ policy: string; resource: RegExp }> {
  const readme = fs.readFileSync(path.join(REPO_ROOT, "policy", "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Accepted advisories"));
  return section
    .split("\n")
    .filter((l) => /^\|\s*`[a-z0-9-]+`\s*\|/.test(l))
    .map((l) => l.split("|").map((c) => c.trim()))
    .map((cells) => ({
      policy: cells[1].replace(/`/g, ""),
      resource: new RegExp(`^${cells[3].replace(/`/g, "").replace(/\*/g, ".*")}$`),
    }));
}

describe("policy pack on the project's stacks (end to end)", function () {
  this.timeout(60000);

  const show = (vs: Violation[]) =>
    vs.map((v) => `${v.policy} ${v.name}: ${v.message.split("\n")[1] ?? v.message}`);
  const unaccepted = (vs: Violation[]) => {
    const accepted = acceptedAdvisories();
    return vs.filter(
      (v) =>
        v.enforcementLevel === "advisory" &&
        !accepted.some((a) => a.policy === v.policy && a.resource.test(v.name)),
    );
  };

  for (const stack of STACKS) {
    it(`${stack}: no mandatory violation, and every advisory is accepted in policy/README.md`, async () => {
      const report = await stackReport(stack);
      assert.deepStrictEqual(show(report.violations.filter((v) => v.enforcementLevel === "mandatory")), []);
      assert.deepStrictEqual(show(unaccepted(report.violations)), []);
    });

    it(`${stack} as its first preview: no mandatory violation; the other advisories are checks that wait for values`, async () => {
      const report = await stackReport(stack, { firstPreview: true });
      assert.deepStrictEqual(show(report.violations.filter((v) => v.enforcementLevel === "mandatory")), []);
      const waiting = notCheckedInPreview(report.violations);
      assert.ok(waiting.length > 0, "a first preview cannot know the ARNs the stack's IAM documents name");
      assert.deepStrictEqual(show(unaccepted(report.violations.filter((v) => !waiting.includes(v)))), []);
      // On an update every value is known: the same checks run in full.
      const update = await stackReport(stack);
      assert.deepStrictEqual(notCheckedInPreview(update.violations), []);
      // The cost estimate follows the links the engine records, not the values a first preview lacks: the
      // same prices (resources register in another order when ids are unknown: compared by URN; an item's
      // note may name an endpoint by what it is built from).
      const byUrn = <T extends { urn: string }>(xs: readonly T[]) =>
        [...xs].sort((a, b) => a.urn.localeCompare(b.urn));
      const prices = (e: typeof update.costEstimate) =>
        byUrn(e.items).map((i) => [i.urn, i.description, i.minMonthlyUsd, i.maxMonthlyUsd]);
      assert.strictEqual(report.costEstimate.monthlyUsd, update.costEstimate.monthlyUsd);
      assert.strictEqual(report.costEstimate.maxMonthlyUsd, update.costEstimate.maxMonthlyUsd);
      assert.deepStrictEqual(prices(report.costEstimate), prices(update.costEstimate));
      assert.deepStrictEqual(
        byUrn(report.costEstimate.notEstimated),
        byUrn(update.costEstimate.notEstimated),
      );
    });
  }
});

describe("offline report: exemptions", () => {
  const base: Omit<Violation, "policy" | "enforcementLevel" | "message"> = {
    urn: "urn:pulumi:dev::agent-platform::aws:sns/topic:Topic::feed",
    type: "aws:sns/topic:Topic",
    name: "feed",
  };
  const exempted: Violation = {
    ...base,
    policy: "sns-topic-encryption",
    enforcementLevel: "advisory",
    message:
      "SNS topics are encrypted with a KMS key.\nexempted by tag policy-exempt:sns-topic-encryption: public data | " +
      "finding: SNS topic 'feed' has no kmsMasterKeyId: messages are stored unencrypted.",
  };
  const real: Violation = {
    ...base,
    policy: "required-tags",
    enforcementLevel: "mandatory",
    message: "d\nlacks tags: Owner.",
  };

  it("splits exempted findings from violations", () => {
    assert.deepStrictEqual(splitExemptions([exempted, real]), {
      violations: [real],
      exemptions: [
        {
          policy: "sns-topic-encryption",
          urn: base.urn,
          type: base.type,
          name: "feed",
          source: "tag policy-exempt:sns-topic-encryption",
          reason: "public data",
          message: "SNS topic 'feed' has no kmsMasterKeyId: messages are stored unencrypted.",
        },
      ],
    });
  });

  it("lists exemptions in the text report and the JSON, keeping the contract's fields", () => {
    const { violations, exemptions } = splitExemptions([exempted, real]);
    const report: StackReport = {
      stack: "dev",
      resources: [],
      violations,
      exemptions,
      costEstimate: {
        monthlyUsd: 0,
        minMonthlyUsd: 0,
        maxMonthlyUsd: 0,
        currency: "USD",
        priceRegion: "us-east-1",
        priceDate: "2026-11-21",
        items: [],
        notEstimated: [],
      },
    };
    const text = renderReport(report);
    assert.ok(
      text.includes(
        "Exemptions (accepted findings, not counted above):\n" +
          "  - sns-topic-encryption on feed: public data [tag policy-exempt:sns-topic-encryption]\n" +
          "      finding: SNS topic 'feed' has no kmsMasterKeyId: messages are stored unencrypted.",
      ),
      text,
    );
    const json = toJson([report]).stacks[0];
    assert.deepStrictEqual(Object.keys(json), [
      "stack",
      "resources",
      "violations",
      "costEstimate",
      "exemptions",
    ]);
    assert.deepStrictEqual(Object.keys(json.violations[0]), [
      "policy",
      "enforcementLevel",
      "urn",
      "type",
      "name",
      "message",
    ]);
    assert.strictEqual(json.exemptions[0].reason, "public data");
  });
});
