import * as assert from "assert";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PlatformComponent, platformProvider } from "../../components/shared/tagging";
import { scanAwsTypes } from "../../lib/aws-types";
import { taggableAliasesOf } from "../../policy/lib/aliases";
import { awsPackageDir } from "../../tools/gen-aws-types";
import { evaluate, named } from "../helpers/offline";

const ACCOUNT = ["123456789012"];

class Sample extends PlatformComponent {
  constructor(name: string, opts: pulumi.ComponentResourceOptions) {
    super("agent-platform:test:Sample", name, "sample", opts);
    const topic = new aws.sns.Topic(`${name}-topic`, {}, { parent: this });
    new aws.sns.Topic(`${name}-own-tags`, { tags: { Team: "x", Function: "override" } }, { parent: this });
    // TopicPolicy takes no tags: the transformation must leave it alone.
    new aws.sns.TopicPolicy(`${name}-policy`, { arn: topic.arn, policy: "{}" }, { parent: this });
    this.registerOutputs({});
  }
}

class Outer extends PlatformComponent {
  constructor(name: string, provider: aws.Provider) {
    super("agent-platform:test:Outer", name, "outer", { provider });
    new aws.sqs.Queue(`${name}-queue`, {}, { parent: this });
    new Sample(`${name}-inner`, { parent: this });
    this.registerOutputs({});
  }
}

describe("tagging", () => {
  it("puts the stack-wide tags on the provider's defaultTags, and guards it to the stack's accounts", async () => {
    const { resources } = await evaluate(() => {
      platformProvider(
        "aws",
        "eu-west-1",
        { Environment: "prod", Project: "agent-platform", Owner: "team-a" },
        ["111122223333"],
      );
    });
    const provider = named(resources, "aws");
    assert.strictEqual(provider.type, "pulumi:providers:aws");
    assert.strictEqual(provider.inputs.region, "eu-west-1");
    // The AWS provider serializes nested config as JSON: the policy pack must parse it.
    assert.deepStrictEqual(JSON.parse(provider.inputs.defaultTags as string), {
      tags: { Environment: "prod", Project: "agent-platform", Owner: "team-a" },
    });
    // A credential for any other account fails at the provider's configure, before any change.
    assert.deepStrictEqual(JSON.parse(provider.inputs.allowedAccountIds as string), ["111122223333"]);
  });

  it("adds the component's Function tag to every taggable child and only to those", async () => {
    const { resources } = await evaluate(() => {
      const provider = platformProvider(
        "aws",
        "us-east-1",
        { Environment: "dev", Project: "p", Owner: "o" },
        ACCOUNT,
      );
      new Sample("s", { provider });
    });
    assert.deepStrictEqual(named(resources, "s-topic").inputs.tags, { Function: "sample" });
    // The resource's own tags win over the component's.
    assert.deepStrictEqual(named(resources, "s-own-tags").inputs.tags, { Team: "x", Function: "override" });
    assert.strictEqual(named(resources, "s-policy").inputs.tags, undefined);
    // Every child uses the explicit provider (so its defaultTags apply).
    for (const name of ["s-topic", "s-own-tags", "s-policy"]) {
      assert.match(named(resources, name).provider ?? "", /pulumi:providers:aws::aws::/);
    }
  });

  it("tags descendants of nested components with the nearest component's Function", async () => {
    const { resources } = await evaluate(() => {
      const provider = platformProvider(
        "aws",
        "us-east-1",
        { Environment: "dev", Project: "p", Owner: "o" },
        ACCOUNT,
      );
      new Outer("o", provider);
    });
    assert.deepStrictEqual(named(resources, "o-queue").inputs.tags, { Function: "outer" });
    assert.deepStrictEqual(named(resources, "o-inner-topic").inputs.tags, { Function: "sample" });
  });

  it("keeps the generated type facts in step with the installed @pulumi/aws", function () {
    this.timeout(20000);
    const facts = require("../../lib/aws-type-facts.json");
    const scanned = scanAwsTypes(awsPackageDir());
    assert.strictEqual(facts.awsVersion, require("@pulumi/aws/package.json").version);
    assert.deepStrictEqual(facts.taggable, scanned.taggable, "run `npm run gen:aws-types`");
    assert.deepStrictEqual(facts.autonamed, scanned.autonamed, "run `npm run gen:aws-types`");
    assert.deepStrictEqual(
      facts.taggableAliases,
      taggableAliasesOf(scanned.taggable),
      "run `npm run gen:aws-types`",
    );
    assert.ok(facts.taggableAliases.includes("aws:elasticloadbalancingv2/loadBalancer:LoadBalancer"));
    // Spot checks against what the provider documents.
    assert.ok(facts.taggable.includes("aws:s3/bucket:Bucket"));
    assert.ok(facts.taggable.includes("aws:lambda/function:Function"));
    assert.ok(!facts.taggable.includes("aws:sns/topicPolicy:TopicPolicy"));
    assert.ok(!facts.taggable.includes("aws:autoscaling/group:Group"), "list-shaped tags are not a tag map");
    assert.strictEqual(facts.autonamed["aws:s3/bucket:Bucket"], "bucket");
    assert.strictEqual(facts.autonamed["aws:rds/instance:Instance"], "identifier");
  });
});
