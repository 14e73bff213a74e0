import * as assert from "assert";
import { loadStackConfig, mapConfigSource } from "../../config";
import {
  checkFargatePair,
  cidrsOverlap,
  isDomainName,
  isEmail,
  isLogRetention,
  parseCidr,
} from "../../lib/rules";
import { readStack } from "../../tools/offline/stack-files";
import { REPO_ROOT } from "../helpers/offline";

/** The dev stack's config map as the CLI would build it: Pulumi.yaml defaults, ESC values, stack values. */
function devConfig() {
  return readStack(REPO_ROOT, "dev");
}

/** Loads config with `changes` applied to the dev stack (undefined deletes a key); returns the issues. */
function issuesWith(changes: Record<string, string | undefined>, secretKeys?: string[]) {
  const input = devConfig();
  const values = { ...input.config };
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) delete values[k];
    else values[k] = v;
  }
  try {
    loadStackConfig(mapConfigSource(values, secretKeys ?? input.secretKeys), "agent-platform", "dev");
    return [];
  } catch (e) {
    const err = e as Error & { issues?: { key: string; value: unknown; allowed: string }[] };
    assert.strictEqual(err.name, "ConfigError", `unexpected error: ${err.message}`);
    return err.issues!.map((i) => `${i.key}: ${i.allowed}`);
  }
}

const K = (name: string) => `agent-platform:${name}`;

describe("stack config", () => {
  it("loads every stack file of the project without problems", () => {
    for (const stack of ["dev", "staging", "prod"]) {
      const input = readStack(REPO_ROOT, stack);
      const config = loadStackConfig(
        mapConfigSource(input.config, input.secretKeys),
        "agent-platform",
        stack,
      );
      assert.strictEqual(config.environment, stack);
      assert.deepStrictEqual(config.tags, {
        Environment: stack,
        Project: "agent-platform",
        Owner: "platform-team",
      });
    }
  });

  it("gives prod high availability and dev low cost through config alone", () => {
    const load = (stack: string) => {
      const i = readStack(REPO_ROOT, stack);
      return loadStackConfig(mapConfigSource(i.config, i.secretKeys), "agent-platform", stack);
    };
    const dev = load("dev");
    const prod = load("prod");
    assert.strictEqual(dev.network.natStrategy, "none");
    assert.strictEqual(prod.network.natStrategy, "perAz");
    assert.strictEqual(prod.network.azCount, 3);
    assert.deepStrictEqual(dev.webService!.capacity, { onDemandBase: 0, onDemandWeight: 0, spotWeight: 1 });
    assert.deepStrictEqual(prod.webService!.capacity, { onDemandBase: 2, onDemandWeight: 1, spotWeight: 1 });
    assert.strictEqual(prod.protectStateful, true);
    assert.strictEqual(dev.protectStateful, false);
    assert.ok(prod.logRetentionDays > dev.logRetentionDays);
  });

  it("reports every problem at once, each with key, value and what is allowed", () => {
    const input = devConfig();
    const values = {
      ...input.config,
      [K("natStrategy")]: "both",
      [K("azCount")]: "7",
      [K("serviceMemory")]: "3000",
    };
    assert.throws(
      () => loadStackConfig(mapConfigSource(values, input.secretKeys), "agent-platform", "dev"),
      (e: Error) => {
        assert.strictEqual(e.name, "ConfigError");
        assert.match(e.message, /^invalid stack configuration \(3 problems\):/);
        assert.match(e.message, /agent-platform:natStrategy = "both": must be one of none, single, perAz/);
        assert.match(e.message, /agent-platform:azCount = 7: must be between 2 and 3/);
        assert.match(
          e.message,
          /agent-platform:serviceMemory = 3000: with 256 CPU units Fargate accepts 512-2048 MiB/,
        );
        return true;
      },
    );
  });

  describe("numbers and ranges", () => {
    it("rejects text where a number is expected", () => {
      assert.deepStrictEqual(issuesWith({ [K("azCount")]: "two" }), [
        "agent-platform:azCount: must be a number between 2 and 3",
      ]);
    });
    it("rejects fractions for whole-number keys", () => {
      assert.deepStrictEqual(issuesWith({ [K("serviceMaxTasks")]: "2.5" }), [
        "agent-platform:serviceMaxTasks: must be a whole number between 1 and 100",
      ]);
    });
    it("rejects negative counts", () => {
      assert.deepStrictEqual(issuesWith({ [K("serviceMinTasks")]: "-1" }), [
        "agent-platform:serviceMinTasks: must be between 0 and 100",
      ]);
    });
    it("requires autoscaling min <= desired <= max", () => {
      assert.deepStrictEqual(
        issuesWith({
          [K("serviceMinTasks")]: "3",
          [K("serviceDesiredTasks")]: "2",
          [K("serviceMaxTasks")]: "2",
        }),
        ["agent-platform:serviceMinTasks: must not exceed serviceDesiredTasks (2)"],
      );
      assert.deepStrictEqual(issuesWith({ [K("serviceDesiredTasks")]: "3", [K("serviceMaxTasks")]: "2" }), [
        "agent-platform:serviceDesiredTasks: must not exceed serviceMaxTasks (2)",
      ]);
    });
    it("rejects a budget of zero", () => {
      assert.deepStrictEqual(issuesWith({ [K("monthlyBudgetUsd")]: "0" }), [
        "agent-platform:monthlyBudgetUsd: must be between 1 and 1000000",
      ]);
    });
  });

  describe("enums and types", () => {
    it("rejects an unknown environment", () => {
      assert.deepStrictEqual(issuesWith({ [K("environment")]: "qa" }), [
        "agent-platform:environment: must be one of dev, staging, prod",
      ]);
    });
    it("rejects a boolean that is not true or false", () => {
      assert.deepStrictEqual(issuesWith({ [K("protectStateful")]: "yes" }), [
        "agent-platform:protectStateful: must be true or false",
      ]);
    });
    it("rejects a list that is not a list of strings", () => {
      assert.deepStrictEqual(issuesWith({ [K("alertEmails")]: "ops@example.com" }), [
        "agent-platform:alertEmails: must be a list of strings",
      ]);
    });
    it("rejects an AWS region that does not exist in form", () => {
      assert.deepStrictEqual(issuesWith({ "aws:region": "useast1" }), [
        "aws:region: must be an AWS region such as us-east-1",
      ]);
    });
  });

  describe("keys", () => {
    it("rejects a key no reader knows (a typo in a stack file)", () => {
      assert.deepStrictEqual(issuesWith({ [K("natStrategi")]: "none" }), [
        "agent-platform:natStrategi: is not a known key (see the config reference in README.md)",
      ]);
    });
    it("reports a key whose Pulumi.yaml default did not arrive", () => {
      assert.deepStrictEqual(issuesWith({ [K("owner")]: undefined }), [
        "agent-platform:owner: is required (Pulumi.yaml declares its default; set a value in the stack file)",
      ]);
    });
    it("requires an owner for the Owner tag", () => {
      assert.deepStrictEqual(issuesWith({ [K("owner")]: " " }), [
        "agent-platform:owner: must name the owning team (used as the Owner tag)",
      ]);
    });
  });

  describe("CIDRs", () => {
    it("rejects malformed CIDR syntax", () => {
      assert.deepStrictEqual(issuesWith({ [K("vpcCidr")]: "10.0.0.0/33" }), [
        "agent-platform:vpcCidr: must be an IPv4 CIDR block such as 10.0.0.0/16",
      ]);
      assert.deepStrictEqual(issuesWith({ [K("vpcCidr")]: "10.0.300.0/16" }), [
        "agent-platform:vpcCidr: must be an IPv4 CIDR block such as 10.0.0.0/16",
      ]);
    });
    it("names the network address when host bits are set", () => {
      assert.deepStrictEqual(issuesWith({ [K("vpcCidr")]: "10.1.2.0/16" }), [
        "agent-platform:vpcCidr: has host bits set; the network address is 10.1.0.0/16",
      ]);
    });
    it("keeps the VPC between /16 and /24", () => {
      assert.deepStrictEqual(issuesWith({ [K("vpcCidr")]: "10.0.0.0/8" }), [
        "agent-platform:vpcCidr: must have a prefix between /16 and /24",
      ]);
    });
    it("rejects a VPC that overlaps a reserved network", () => {
      assert.deepStrictEqual(issuesWith({ [K("reservedCidrs")]: '["10.10.128.0/17","172.16.0.0/12"]' }), [
        "agent-platform:vpcCidr: must not overlap reservedCidrs[0] (10.10.128.0/17)",
      ]);
    });
    it("rejects a malformed reserved CIDR", () => {
      assert.deepStrictEqual(issuesWith({ [K("reservedCidrs")]: '["10.0.0/16"]' }), [
        "agent-platform:reservedCidrs[0]: must be an IPv4 CIDR block such as 10.0.0.0/16",
      ]);
    });
    it("computes overlap by address range", () => {
      const a = parseCidr("10.0.0.0/16");
      const b = parseCidr("10.0.255.0/24");
      const c = parseCidr("10.1.0.0/16");
      assert.ok(typeof a !== "string" && typeof b !== "string" && typeof c !== "string");
      assert.strictEqual(cidrsOverlap(a, b), true);
      assert.strictEqual(cidrsOverlap(a, c), false);
    });
  });

  describe("Fargate task sizes", () => {
    it("accepts the pairs AWS documents and nothing else", () => {
      assert.strictEqual(checkFargatePair(256, 512), undefined);
      assert.strictEqual(checkFargatePair(512, 1024), undefined);
      assert.strictEqual(checkFargatePair(4096, 30720), undefined);
      assert.strictEqual(checkFargatePair(8192, 20480), undefined);
      assert.strictEqual(checkFargatePair(16384, 122880), undefined);
      assert.strictEqual(
        checkFargatePair(256, 4096),
        "with 256 CPU units Fargate accepts 512-2048 MiB in steps of 512 (512, 1024, 2048)",
      );
      assert.strictEqual(
        checkFargatePair(8192, 18432),
        "with 8192 CPU units Fargate accepts 16384-61440 MiB in steps of 4096 (see the ECS task size table)",
      );
      assert.strictEqual(
        checkFargatePair(768, 2048),
        "CPU must be one of 256, 512, 1024, 2048, 4096, 8192, 16384",
      );
    });
    it("rejects a CPU value Fargate does not offer", () => {
      assert.deepStrictEqual(issuesWith({ [K("serviceCpu")]: "768" }), [
        "agent-platform:serviceMemory: CPU must be one of 256, 512, 1024, 2048, 4096, 8192, 16384",
      ]);
    });
  });

  describe("log retention", () => {
    it("accepts only CloudWatch Logs retention values", () => {
      assert.strictEqual(isLogRetention(7), true);
      assert.strictEqual(isLogRetention(3653), true);
      assert.strictEqual(isLogRetention(10), false);
      assert.deepStrictEqual(issuesWith({ [K("logRetentionDays")]: "10" }), [
        "agent-platform:logRetentionDays: must be a CloudWatch Logs retention value: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653",
      ]);
    });
    it("checks the flow log retention too", () => {
      assert.deepStrictEqual(issuesWith({ [K("flowLogRetentionDays")]: "0" }), [
        "agent-platform:flowLogRetentionDays: must be a CloudWatch Logs retention value: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653",
      ]);
    });
  });

  describe("secrets", () => {
    it("requires the Upstash secrets when the pipeline is on", () => {
      assert.deepStrictEqual(issuesWith({ [K("upstashVectorUrl")]: undefined }), [
        "agent-platform:upstashVectorUrl: is required: set it with `pulumi config set --secret`",
      ]);
    });
    it("refuses a secret set in plain text", () => {
      assert.deepStrictEqual(
        issuesWith({}, [K("upstashVectorUrl"), K("originVerifySecret"), K("agentLlmApiKey")]),
        ["agent-platform:upstashVectorToken: must be a secret: set it with `pulumi config set --secret`"],
      );
    });
    it("does not require them when the pipeline is off", () => {
      assert.deepStrictEqual(
        issuesWith({
          [K("pipelineEnabled")]: "false",
          [K("upstashVectorUrl")]: undefined,
          [K("upstashVectorToken")]: undefined,
        }),
        [],
      );
    });
    it("refuses a plain setting stored as a secret (it would hide a non-sensitive value)", () => {
      assert.deepStrictEqual(
        issuesWith({}, [
          K("upstashVectorUrl"),
          K("upstashVectorToken"),
          K("originVerifySecret"),
          K("agentLlmApiKey"),
          K("owner"),
        ]),
        ["agent-platform:owner: must not be a secret (it is not sensitive; set it in plain text)"],
      );
    });
    it("never puts a secret value into an error message", () => {
      const input = devConfig();
      const values = { ...input.config, [K("typoSecret")]: "hunter2" };
      assert.throws(
        () =>
          loadStackConfig(
            mapConfigSource(values, [...input.secretKeys, K("typoSecret")]),
            "agent-platform",
            "dev",
          ),
        (e: Error) =>
          !e.message.includes("hunter2") && e.message.includes("agent-platform:typoSecret = [secret]"),
      );
    });
  });

  describe("cost settings", () => {
    it("accepts only the platform's tag keys as cost allocation tags", () => {
      assert.deepStrictEqual(issuesWith({ [K("costAllocationTagKeys")]: '["Environment","CostCenter"]' }), [
        "agent-platform:costAllocationTagKeys[1]: must be one of Environment, Project, Owner, Function",
      ]);
    });
    it("rejects an anomaly threshold below one dollar", () => {
      assert.deepStrictEqual(issuesWith({ [K("anomalyThresholdUsd")]: "0" }), [
        "agent-platform:anomalyThresholdUsd: must be between 1 and 1000000",
      ]);
    });
  });

  describe("account guard", () => {
    it("takes the account ids every stack's ESC environment sets", () => {
      for (const stack of ["dev", "staging", "prod"]) {
        const i = readStack(REPO_ROOT, stack);
        const config = loadStackConfig(mapConfigSource(i.config, i.secretKeys), "agent-platform", stack);
        assert.deepStrictEqual(config.allowedAccountIds, ["991551400024"], stack);
      }
    });
    it("refuses no account, and ids that are not 12 digits", () => {
      assert.deepStrictEqual(issuesWith({ [K("allowedAccountIds")]: "[]" }), [
        "agent-platform:allowedAccountIds: must list the AWS account id(s) this stack deploys to (its ESC " +
          "environment sets them): the provider then refuses credentials for any other account before a change",
      ]);
      assert.deepStrictEqual(issuesWith({ [K("allowedAccountIds")]: '["12345678901","123456789012"]' }), [
        "agent-platform:allowedAccountIds[0]: must be a 12-digit AWS account id",
      ]);
    });
  });

  describe("alert e-mails", () => {
    it("rejects something that is not an address", () => {
      assert.deepStrictEqual(issuesWith({ [K("alertEmails")]: '["ops@example.com","ops at example"]' }), [
        "agent-platform:alertEmails[1]: must be an e-mail address",
      ]);
      assert.strictEqual(isEmail("a.b+c@example.co.uk"), true);
      assert.strictEqual(isEmail("a@b"), false);
    });
  });

  describe("feature switches that need other keys", () => {
    it("requires a hosted zone with a domain", () => {
      assert.deepStrictEqual(issuesWith({ [K("domainName")]: "agents.example.com" }), [
        "agent-platform:hostedZoneName: is required when domainName is set (the apex of the zone, e.g. example.com)",
        "agent-platform:hostedZoneId: is required when domainName is set (the zone that holds the name), unless createHostedZone is true",
      ]);
    });
    it("rejects a hosted zone without a domain", () => {
      assert.deepStrictEqual(issuesWith({ [K("hostedZoneId")]: "Z0123456789EXAMPLE0AB" }), [
        "agent-platform:hostedZoneId: is only used with domainName; set domainName or remove it",
      ]);
    });
    it("checks the domain and zone id formats", () => {
      assert.deepStrictEqual(
        issuesWith({ [K("domainName")]: "Agents_Example", [K("hostedZoneId")]: "zone-1" }),
        [
          "agent-platform:domainName: must be a DNS name such as agents.example.com",
          "agent-platform:hostedZoneName: is required when domainName is set (the apex of the zone, e.g. example.com)",
          "agent-platform:hostedZoneId: must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ",
        ],
      );
      assert.strictEqual(isDomainName("agents.example.com"), true);
      assert.strictEqual(isDomainName("-bad.example.com"), false);
    });
  });
});
