import * as assert from "assert";
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { estimateCost } from "../../cost/estimate";
import { SIG_KEY, UNKNOWN } from "../../tools/offline/engine-values";
import { availabilityZones, partitionOf } from "../../tools/offline/mocks";
import { evaluateStack } from "../../tools/offline/preview";
import { evaluate, fakeResource, named, REPO_ROOT } from "../helpers/offline";

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

  it("records aliases as the URNs the engine resolves them to", async () => {
    const { resources } = await evaluate(() => {
      const parent = new pulumi.ComponentResource("agent-platform:test:Box", "box", {});
      new aws.sns.Topic(
        "renamed",
        {},
        { parent, aliases: [{ name: "old" }, { name: "top", parent: pulumi.rootStackResource }] },
      );
      new aws.sqs.Queue("q", {}, { aliases: ["urn:pulumi:test::agent-platform::aws:sqs/queue:Queue::q0"] });
    });
    assert.deepStrictEqual(named(resources, "renamed").options.aliases, [
      "urn:pulumi:test::agent-platform::agent-platform:test:Box$aws:sns/topic:Topic::old",
      "urn:pulumi:test::agent-platform::aws:sns/topic:Topic::top",
    ]);
    assert.deepStrictEqual(named(resources, "q").options.aliases, [
      "urn:pulumi:test::agent-platform::aws:sqs/queue:Queue::q0",
    ]);
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

  it("sends a resource reference as the engine does: the id, the URN of a component, unknown before create", async () => {
    const program = () => {
      const box = new pulumi.ComponentResource("agent-platform:test:Box", "box");
      const role = new aws.iam.Role("r", { assumeRolePolicy: "{}" });
      new aws.iam.RolePolicyAttachment("a", { role, policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" });
      new aws.ssm.Parameter("p", {
        type: "String",
        value: "v",
        description: box as never,
        tags: { role: role as never },
      });
    };
    const update = (await evaluate(program)).resources;
    const role = named(update, "r");
    assert.match(role.id!, /^r-/);
    assert.strictEqual(named(update, "a").inputs.role, role.id);
    assert.strictEqual(named(update, "a").outputs.role, role.id);
    assert.deepStrictEqual(
      [named(update, "p").inputs.description, named(update, "p").inputs.tags],
      [named(update, "box").urn, { role: role.id }],
    );
    const preview = (await evaluate(program, { preview: true })).resources;
    assert.strictEqual(named(preview, "a").inputs.role, UNKNOWN);
    assert.strictEqual(named(preview, "p").inputs.description, named(preview, "box").urn);
  });

  it("on a first preview, knows inputs and invokes but not what the provider computes", async () => {
    const { resources } = await evaluate(
      () => {
        const q = new aws.sqs.Queue("jobs", { delaySeconds: 5 });
        const id = aws.getCallerIdentityOutput();
        new aws.sqs.QueuePolicy("jobs-policy", {
          queueUrl: q.url,
          policy: pulumi.jsonStringify({ Resource: q.arn, Account: id.accountId }),
        });
        new aws.ssm.Parameter("account", { type: "String", value: "v", description: id.accountId });
        const ses = new aws.sesv2.EmailIdentity("mail", {
          emailIdentity: "example.com",
          dkimSigningAttributes: { nextSigningKeyLength: "RSA_2048_BIT" },
        });
        // Under a real preview the tokens are unknown, so this callback never runs.
        ses.dkimSigningAttributes.tokens.apply((t) => t.length);
      },
      { preview: true },
    );
    const q = named(resources, "jobs");
    assert.strictEqual(q.id, undefined);
    assert.match(q.inputs.name as string, /^jobs-[0-9a-f]{7}$/);
    assert.strictEqual(q.outputs.delaySeconds, 5);
    assert.strictEqual(q.outputs.arn, UNKNOWN);
    assert.strictEqual(q.outputs.url, UNKNOWN);
    assert.deepStrictEqual(named(resources, "jobs-policy").inputs, { queueUrl: UNKNOWN, policy: UNKNOWN });
    assert.strictEqual(named(resources, "account").inputs.description, "123456789012");
    assert.deepStrictEqual(named(resources, "mail").outputs.dkimSigningAttributes, {
      nextSigningKeyLength: "RSA_2048_BIT",
      tokens: UNKNOWN,
      ...Object.fromEntries(
        Object.keys(named(resources, "mail").outputs.dkimSigningAttributes as object)
          .filter((k) => k !== "nextSigningKeyLength" && k !== "tokens")
          .map((k) => [k, UNKNOWN]),
      ),
    });
  });

  it("records the default provider a resource without one gets: the package's stack config and version", async () => {
    const { resources } = await evaluate(() => new aws.sns.Topic("t", {}), {
      config: { "aws:defaultTags": '{"tags":{"Owner":"me"}}', "aws:accessKey": "AKIA", "other:x": "y" },
      secretKeys: ["aws:accessKey"],
    });
    const provider = named(resources, "default_7_48_0");
    assert.strictEqual(provider.urn, "urn:pulumi:test::agent-platform::pulumi:providers:aws::default_7_48_0");
    assert.strictEqual(provider.parent, undefined);
    assert.deepStrictEqual(provider.inputs, {
      region: "us-east-1",
      allowedAccountIds: '["123456789012"]',
      defaultTags: '{"tags":{"Owner":"me"}}',
      accessKey: { [SIG_KEY]: "1b47061264138c4ac30d75fd1eb44270", value: "AKIA" },
      version: "7.48.0",
    });
    assert.strictEqual(named(resources, "t").provider, `${provider.urn}::${provider.id}`);
    assert.strictEqual(resources.indexOf(provider) < resources.indexOf(named(resources, "t")), true);
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
    const custom = (e: typeof a) => e.resources.filter((r) => r.custom && r.type !== "pulumi:providers:aws");
    assert.deepStrictEqual(
      custom(a).map((r) => r.name),
      ["alpha"],
    );
    assert.deepStrictEqual(
      custom(b).map((r) => r.name),
      ["beta"],
    );
    assert.match(b.resources[0].urn, /^urn:pulumi:b::/);
  });
});

describe("offline evaluation of the project's stacks", () => {
  /** A digest of every record of `stack`, evaluated in this process or, with `fresh`, in a process of its own. */
  async function digestOf(stack: string, fresh = false): Promise<string> {
    const script = `
      const { createHash } = require("node:crypto");
      const { evaluateStack } = require("./tools/offline/preview");
      evaluateStack({ root: process.cwd(), stack: process.argv[1] }).then((e) =>
        process.stdout.write(createHash("sha256").update(JSON.stringify(e.resources)).digest("hex")));`;
    if (fresh) {
      const r = spawnSync(process.execPath, ["-r", "./tools/register-ts.js", "-e", script, stack], {
        cwd: REPO_ROOT,
        encoding: "utf8",
      });
      assert.strictEqual(r.status, 0, r.stderr);
      return r.stdout;
    }
    const e = await evaluateStack({ root: REPO_ROOT, stack });
    return createHash("sha256").update(JSON.stringify(e.resources)).digest("hex");
  }

  it("evaluates a stack after another as in a process of its own: the program's modules keep no stack state", async function () {
    this.timeout(120_000);
    // Only index.ts runs afresh for each evaluation; the components it imports stay loaded.
    await digestOf("prod");
    assert.strictEqual(await digestOf("dev"), await digestOf("dev", true));
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
