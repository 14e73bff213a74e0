import * as assert from "assert";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { estimateCost } from "../../tools/offline/cost";
import { availabilityZones, partitionOf } from "../../tools/offline/mocks";
import { evaluate, fakeResource, named } from "../helpers/offline";

describe("offline evaluation", () => {
  it("records parent, provider, dependencies, options and engine-style URNs", async () => {
    const { resources } = await evaluate(() => {
      const provider = new aws.Provider("p", { region: "us-east-1" });
      const parent = new pulumi.ComponentResource("agent-platform:test:Box", "box", {}, { provider });
      const topic = new aws.sns.Topic("t", {}, { parent, protect: true, ignoreChanges: ["tags"] });
      new aws.sns.TopicPolicy("tp", { arn: topic.arn, policy: "{}" }, { parent, dependsOn: [topic] });
    });
    const t = named(resources, "t");
    const tp = named(resources, "tp");
    assert.strictEqual(
      named(resources, "box").urn,
      "urn:pulumi:test::agent-platform::agent-platform:test:Box::box",
    );
    assert.strictEqual(
      t.urn,
      "urn:pulumi:test::agent-platform::agent-platform:test:Box$aws:sns/topic:Topic::t",
    );
    assert.strictEqual(t.parent, named(resources, "box").urn);
    assert.match(t.provider!, /^urn:pulumi:test::agent-platform::pulumi:providers:aws::p::[0-9a-f-]{36}$/);
    assert.strictEqual(t.options.protect, true);
    assert.deepStrictEqual(t.options.ignoreChanges, ["tags"]);
    assert.deepStrictEqual(tp.dependencies, [t.urn]);
    assert.deepStrictEqual(tp.propertyDependencies.arn, [t.urn]);
  });

  it("answers like AWS: auto-names, partition-aware ARNs, queue URLs, invokes", async () => {
    let outputs: Record<string, pulumi.Output<unknown>> = {};
    const { resources } = await evaluate(
      () => {
        const q = new aws.sqs.Queue("jobs", {});
        const b = new aws.s3.Bucket("Raw-Data", {});
        const id = aws.getCallerIdentityOutput();
        const part = aws.getPartitionOutput();
        const azs = aws.getAvailabilityZonesOutput();
        outputs = {
          url: q.url,
          arn: q.arn,
          bucket: b.bucket,
          account: id.accountId,
          partition: part.partition,
          azs: azs.names,
        };
        return outputs;
      },
      { region: "us-gov-west-1" },
    );
    const q = named(resources, "jobs");
    assert.match(q.inputs.name as string, /^jobs-[0-9a-f]{7}$/);
    assert.strictEqual(
      q.outputs.url,
      `https://sqs.us-gov-west-1.amazonaws.com/123456789012/${q.inputs.name}`,
    );
    assert.strictEqual(q.outputs.arn, `arn:aws-us-gov:sqs:us-gov-west-1:123456789012:${q.inputs.name}`);
    const b = named(resources, "Raw-Data");
    assert.match(b.inputs.bucket as string, /^raw-data-[0-9a-f]{7}$/, "bucket names are lower-case");
    assert.strictEqual(b.outputs.arn, `arn:aws-us-gov:s3:::${b.inputs.bucket}`);
    assert.deepStrictEqual(partitionOf("cn-north-1"), { partition: "aws-cn", dnsSuffix: "amazonaws.com.cn" });
    assert.strictEqual(availabilityZones("us-west-1").length, 2);
  });

  it("fails clearly on an invoke it has no mock for", async () => {
    await assert.rejects(
      evaluate(() => aws.ec2.getAmiOutput({ owners: ["amazon"], mostRecent: true }).id),
      /the offline preview has no mock for the invoke aws:ec2\/getAmi:getAmi/,
    );
  });

  it("isolates stacks: config and resources of one evaluation do not leak into the next", async () => {
    const program = () => {
      const cfg = new pulumi.Config("agent-platform");
      new aws.sqs.Queue(cfg.require("queue"), {});
    };
    const a = await evaluate(program, { stack: "a", config: { "agent-platform:queue": "alpha" } });
    const b = await evaluate(program, { stack: "b", config: { "agent-platform:queue": "beta" } });
    assert.deepStrictEqual(
      a.resources.filter((r) => r.custom).map((r) => r.name),
      ["alpha"],
    );
    assert.deepStrictEqual(
      b.resources.filter((r) => r.custom).map((r) => r.name),
      ["beta"],
    );
    assert.match(b.resources[0].urn, /^urn:pulumi:b::/);
  });
});

describe("cost estimate", () => {
  it("prices fixed-cost resources from cost/prices.json and lists usage-priced ones", () => {
    const estimate = estimateCost([
      fakeResource("aws:ec2/natGateway:NatGateway", "nat", {}),
      fakeResource("aws:kms/key:Key", "key", {}),
      fakeResource("aws:lambda/function:Function", "fn", {}),
      fakeResource("aws:rds/instance:Instance", "db", {
        instanceClass: "db.t4g.micro",
        allocatedStorage: 20,
        multiAz: true,
      }),
      fakeResource("aws:rds/instance:Instance", "db2", { instanceClass: "db.x1.huge" }),
    ]);
    assert.deepStrictEqual(
      estimate.items.map((i) => [i.name, i.monthlyUsd]),
      [
        ["nat", 32.85],
        ["key", 1],
        ["db", 27.96],
      ],
    );
    assert.strictEqual(estimate.monthlyUsd, 61.81);
    assert.deepStrictEqual(
      estimate.notEstimated.map((n) => [n.name, n.reason]),
      [
        ["fn", "usage-priced: requests and GB-seconds"],
        ["db2", "no price for instance class db.x1.huge in cost/prices.json"],
      ],
    );
  });
});
