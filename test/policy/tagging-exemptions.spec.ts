import * as assert from "assert";
import { exemptionHasReason } from "../../policy/policies";
import { rdsStorageEncryption, snsTopicEncryption } from "../../policy/encryption";
import { requiredTags } from "../../policy/tagging";
import { fakeResource } from "../helpers/offline";
import { expectFindings, res, run, UNKNOWN_STRING } from "./helpers";

const TOPIC = "aws:sns/topic:Topic";
const ENCRYPTED = { kmsMasterKeyId: "arn:aws:kms:us-east-1:123456789012:key/k" };

describe("policy: required-tags", () => {
  it("passes when provider defaultTags (a JSON string) and the resource's tags cover every key", async () => {
    await expectFindings(requiredTags, [res(TOPIC, "t", { tags: { Function: "alerts" } })], []);
  });

  it("names the missing keys, counting empty values as missing", async () => {
    const bare = fakeResource(TOPIC, "bare", { tags: { Function: " ", Owner: "me" } });
    await expectFindings(
      requiredTags,
      [bare],
      [`${TOPIC} 'bare' lacks tags: Environment, Project, Function.`],
    );
  });

  it("counts a tag value unknown during preview as present", async () => {
    await expectFindings(requiredTags, [res(TOPIC, "t", { tags: { Function: UNKNOWN_STRING } })], []);
  });

  it("takes the required keys from config and ignores non-taggable types", async () => {
    const r = res(TOPIC, "t", { tags: { Function: "alerts" } });
    const policy = res("aws:sqs/queuePolicy:QueuePolicy", "p", {});
    await expectFindings(requiredTags, [r, policy], [`${TOPIC} 't' lacks tags: CostCenter.`], {
      "required-tags": { requiredTags: ["Environment", "CostCenter"] },
    });
  });
});

describe("policy exemptions", () => {
  it("reports an exempted finding as an advisory that names the tag and the reason", async () => {
    const r = res(TOPIC, "legacy", {
      tags: { Function: "x", "policy-exempt:sns-topic-encryption": "public feed - no data" },
    });
    const [v] = await run(snsTopicEncryption, [r]);
    assert.strictEqual(v.enforcementLevel, "advisory");
    assert.strictEqual(
      v.message,
      "SNS topics are encrypted with a KMS key.\nexempted by tag policy-exempt:sns-topic-encryption: public feed - no " +
        "data | finding: SNS topic 'legacy' has no kmsMasterKeyId: messages are stored unencrypted.",
    );
  });

  it("exempts through pack config by name glob or URN, with a reason", async () => {
    const a = res(TOPIC, "feed-a", {});
    const b = res(TOPIC, "feed-b", {});
    const c = res(TOPIC, "other", {});
    const vs = await run(snsTopicEncryption, [a, b, c], {
      "sns-topic-encryption": {
        exemptions: [
          { resource: "feed-*", reason: "public data" },
          { resource: c.urn, reason: "owned by team X" },
        ],
      },
    });
    assert.deepStrictEqual(
      vs.map((v) => [v.name, v.enforcementLevel, v.message.split("\n")[1].split(" | ")[0]]),
      [
        ["feed-a", "advisory", "exempted by pack config sns-topic-encryption.exemptions: public data"],
        ["feed-b", "advisory", "exempted by pack config sns-topic-encryption.exemptions: public data"],
        ["other", "advisory", "exempted by pack config sns-topic-encryption.exemptions: owned by team X"],
      ],
    );
  });

  it("does not apply an exemption without a reason, and says so in the finding", async () => {
    const tagged = res(TOPIC, "t", { tags: { "policy-exempt:sns-topic-encryption": "" } });
    const listed = res(TOPIC, "u", {});
    // A blank reason passes the schema's minLength (the CLI accepts it); a missing one is refused before a run.
    await assert.rejects(
      run(snsTopicEncryption, [listed], { "sns-topic-encryption": { exemptions: [{ resource: "u" }] } }),
      /sns-topic-encryption\.exemptions\[0\]\.reason = \(not set\): is required/,
    );
    const vs = await run(snsTopicEncryption, [tagged, listed], {
      "sns-topic-encryption": { exemptions: [{ resource: "u", reason: " " }] },
    });
    assert.deepStrictEqual(
      vs.map((v) => [v.enforcementLevel, v.message.split("\n")[1]]),
      [
        [
          "mandatory",
          "SNS topic 't' has no kmsMasterKeyId: messages are stored unencrypted. (the exemption in tag " +
            "policy-exempt:sns-topic-encryption has no reason, so it does not apply)",
        ],
        [
          "mandatory",
          "SNS topic 'u' has no kmsMasterKeyId: messages are stored unencrypted. (the exemption in pack config " +
            'sns-topic-encryption.exemptions ("u") has no reason, so it does not apply)',
        ],
      ],
    );
  });

  it("exemption-has-reason: a tag without a reason, with a reason AWS rejects, or naming no policy", async () => {
    const r = res(TOPIC, "t", {
      tags: {
        "policy-exempt:sns-topic-encryption": "",
        "policy-exempt:no-such-policy": "x",
        "policy-exempt:required-tags": "legacy, owned elsewhere",
        "policy-exempt:lambda-tracing": "cold path: traces cost more than they tell",
      },
      ...ENCRYPTED,
    });
    await expectFindings(
      exemptionHasReason,
      [r],
      [
        "tag policy-exempt:no-such-policy names no policy of this pack; the exemption has no effect.",
        "tag policy-exempt:required-tags has a reason AWS would reject as a tag value (max 256 characters of letters, digits, spaces and _ . : / = + - @).",
        "tag policy-exempt:sns-topic-encryption has no reason: its value must say why the sns-topic-encryption finding is accepted.",
      ],
    );
  });

  it("exemption-has-reason passes valid exemptions and untagged resources", async () => {
    const r = res(TOPIC, "t", {
      tags: { "policy-exempt:lambda-tracing": "cold path: decided by platform-team 2026-11" },
    });
    await expectFindings(exemptionHasReason, [r, res(TOPIC, "u", {})], []);
  });
});

describe("policy unknowns (pulumi preview)", () => {
  it("reports known findings and then the SDK's 'can't run during preview' advisory", async () => {
    const vs = await run(rdsStorageEncryption, [
      res("aws:rds/instance:Instance", "db", {
        storageEncrypted: "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
        instanceClass: "db.t4g.micro",
      }),
    ]);
    assert.deepStrictEqual(
      vs.map((v) => [v.enforcementLevel, v.message.split("\n")[0]]),
      [
        [
          "advisory",
          "can't run policy 'rds-storage-encryption' from policy pack 'test-pack@v0.0.1' during preview: boolean value at .storageEncrypted can't be known during preview",
        ],
      ],
    );
  });
});
