import * as assert from "assert";
import { loadStackConfig, mapConfigSource } from "../../config";
import { userProblem } from "../../components/fargate/args";
import { readStack } from "../../tools/offline/stack-files";
import { REPO_ROOT } from "../helpers/offline";
import { ALL_AGENTS_ON_LAMBDA } from "../helpers/config";

const K = (name: string) => `agent-platform:${name}`;

/** The config of `stack` with `changes` (undefined deletes a key), and the problems it reports. */
function load(stack: string, changes: Record<string, string | undefined> = {}) {
  const input = readStack(REPO_ROOT, stack);
  const values = { ...input.config };
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) delete values[k];
    else values[k] = v;
  }
  return loadStackConfig(mapConfigSource(values, input.secretKeys), "agent-platform", stack);
}

function issuesWith(changes: Record<string, string | undefined>, stack = "dev"): string[] {
  try {
    load(stack, changes);
    return [];
  } catch (e) {
    const err = e as Error & { issues?: { key: string; allowed: string }[] };
    assert.strictEqual(err.name, "ConfigError", err.message);
    return err.issues!.map((i) => `${i.key}: ${i.allowed}`);
  }
}

/** The worker switched on, with an image (staging has Container Insights, which the worker needs). */
/** The worker with an image of its own (staging and prod otherwise run the dev agent's container on it). */
const WORKER = {
  ...ALL_AGENTS_ON_LAMBDA,
  [K("workerEnabled")]: "true",
  [K("workerImage")]: "123456789012.dkr.ecr.us-east-1.amazonaws.com/agent:1.0.0",
};

describe("service and worker config", () => {
  it("reads each stack's web service and leaves the worker off until it has an image", () => {
    const dev = load("dev");
    assert.deepStrictEqual(
      {
        capacity: dev.webService!.capacity,
        image: dev.webService!.image,
        user: dev.webService!.user,
        port: dev.webService!.containerPort,
        path: dev.webService!.healthCheckPath,
        readOnly: dev.webService!.readOnlyRootFilesystem,
        targets: [dev.webService!.targetCpuPercent, dev.webService!.targetMemoryPercent],
        waf: [dev.waf.rateLimit, dev.waf.managedRules],
        logs: dev.webService!.albAccessLogs,
        insights: dev.containerInsights,
        secrets: dev.webService!.secrets,
      },
      {
        capacity: { onDemandBase: 0, onDemandWeight: 0, spotWeight: 1 },
        image: { kind: "uri", uri: "public.ecr.aws/nginx/nginx-unprivileged:1.28-alpine" },
        user: "101",
        port: 8080,
        path: "/",
        readOnly: true,
        targets: [70, 70],
        // dev keeps one managed rule group to stay within its budget.
        waf: [2000, ["AWSManagedRulesCommonRuleSet"]],
        logs: true,
        // dev leaves Container Insights' custom metrics off for its budget; staging and prod keep the default.
        insights: "disabled",
        secrets: [],
      },
    );
    assert.strictEqual(dev.worker, undefined);
    assert.strictEqual(load("staging").containerInsights, "enabled");
    assert.deepStrictEqual(load("staging").webService!.capacity, {
      onDemandBase: 0,
      onDemandWeight: 1,
      spotWeight: 1,
    });
    const prod = load("prod");
    assert.deepStrictEqual(prod.webService!.capacity, { onDemandBase: 2, onDemandWeight: 1, spotWeight: 1 });
    // Staging and prod run the dev agent on the worker: from zero tasks, the first on demand, the rest on Spot.
    for (const stack of ["staging", "prod"]) {
      const w = load(stack).worker!;
      assert.deepStrictEqual(
        [w.queue, w.minTasks, w.onDemandBase, w.image, w.agent?.agent],
        ["dev", 0, 1, { kind: "repository", tag: "" }, "dev"],
      );
    }
  });

  describe("refuses what Fargate, ECS, ELB or WAF would reject, naming the key", () => {
    it("a CPU/memory pair Fargate does not offer", () => {
      assert.deepStrictEqual(issuesWith({ [K("serviceCpu")]: "1024", [K("serviceMemory")]: "1024" }), [
        "agent-platform:serviceMemory: with 1024 CPU units Fargate accepts 2048-8192 MiB in steps of 1024 (2048, 3072, 4096, 5120, 6144, 7168, 8192)",
      ]);
      assert.deepStrictEqual(
        issuesWith({ ...WORKER, [K("workerCpu")]: "256", [K("workerMemory")]: "4096" }, "staging"),
        [
          "agent-platform:workerMemory: with 256 CPU units Fargate accepts 512-2048 MiB in steps of 512 (512, 1024, 2048)",
        ],
      );
    });
    it("more minimum tasks than maximum", () => {
      assert.deepStrictEqual(
        issuesWith({
          [K("serviceMinTasks")]: "3",
          [K("serviceDesiredTasks")]: "3",
          [K("serviceMaxTasks")]: "2",
        }),
        ["agent-platform:serviceDesiredTasks: must not exceed serviceMaxTasks (2)"],
      );
      assert.deepStrictEqual(
        issuesWith({ ...WORKER, [K("workerMinTasks")]: "5", [K("workerMaxTasks")]: "2" }, "staging"),
        ["agent-platform:workerMinTasks: must not exceed workerMaxTasks (2)"],
      );
    });
    it("a health check path without a leading slash, or with characters a shell would interpret", () => {
      assert.deepStrictEqual(issuesWith({ [K("serviceHealthCheckPath")]: "health" }), [
        "agent-platform:serviceHealthCheckPath: must start with / (e.g. /health)",
      ]);
      assert.deepStrictEqual(issuesWith({ [K("serviceHealthCheckPath")]: "/health;reboot" }), [
        "agent-platform:serviceHealthCheckPath: must be at most 1024 characters of letters, digits and . _ ~ / ? = & % -",
      ]);
    });
    it("a port a non-root container cannot bind", () => {
      assert.deepStrictEqual(issuesWith({ [K("serviceContainerPort")]: "80" }), [
        "agent-platform:serviceContainerPort: must be between 1024 and 65535",
      ]);
    });
    it("a capacity strategy without any weight", () => {
      assert.deepStrictEqual(issuesWith({ [K("serviceSpotWeight")]: "0" }), [
        "agent-platform:serviceSpotWeight: must be above 0 when serviceOnDemandWeight is 0: ECS needs a capacity provider with a weight for tasks above the base",
      ]);
    });
    it("a root user", () => {
      assert.deepStrictEqual(issuesWith({ [K("serviceUser")]: "0:0" }), [
        "agent-platform:serviceUser: must not be root (uid 0): containers run as a non-root user",
      ]);
      assert.strictEqual(userProblem("root"), "must not be root (uid 0): containers run as a non-root user");
      assert.strictEqual(userProblem("1000:1000"), undefined);
      assert.strictEqual(userProblem("app user"), "must be uid, uid:gid, user or user:group");
    });
    it("an image that is neither a URI nor a tag of the stack's repository", () => {
      assert.deepStrictEqual(issuesWith({ [K("serviceImage")]: "" }), [
        "agent-platform:serviceImageTag: is required when serviceImage is empty: the tag CI pushed to the stack's ECR repository (tags are immutable)",
      ]);
      assert.deepStrictEqual(issuesWith({ [K("serviceImage")]: "nginx" }), [
        "agent-platform:serviceImage: must be an image URI with a tag or digest, such as public.ecr.aws/nginx/nginx-unprivileged:1.28-alpine",
      ]);
      assert.deepStrictEqual(issuesWith({ [K("serviceImageTag")]: "1.0.0" }), [
        "agent-platform:serviceImageTag: is only used when serviceImage is empty (the stack's ECR repository)",
      ]);
      assert.deepStrictEqual(
        load("dev", { [K("serviceImage")]: "", [K("serviceImageTag")]: "1.0.0" }).webService?.image,
        {
          kind: "repository",
          tag: "1.0.0",
        },
      );
    });
    it("secrets that are not NAME=<Secrets Manager ARN>", () => {
      const arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-AbCdEf";
      const ok = load("dev", { [K("serviceSecrets")]: JSON.stringify([`DB_URL=${arn}:url::`]) });
      assert.deepStrictEqual(ok.webService?.secrets, [
        { name: "DB_URL", valueFrom: `${arn}:url::`, secretArn: arn },
      ]);
      assert.deepStrictEqual(
        issuesWith({
          [K("serviceSecrets")]: JSON.stringify(["1X=" + arn, `A=${arn}`, `A=${arn}`, "B=hunter2"]),
        }),
        [
          "agent-platform:serviceSecrets[0]: must be NAME=<Secrets Manager secret ARN>[:json-key:version-stage:version-id], NAME a valid environment variable name",
          "agent-platform:serviceSecrets[2]: repeats the variable A",
          "agent-platform:serviceSecrets[3]: must be NAME=<Secrets Manager secret ARN>[:json-key:version-stage:version-id], NAME a valid environment variable name",
        ],
      );
    });
    it("WAF rule groups that are not free AWS managed groups", () => {
      assert.deepStrictEqual(
        issuesWith({ [K("wafManagedRules")]: JSON.stringify(["AWSManagedRulesBotControlRuleSet"]) }),
        [
          "agent-platform:wafManagedRules[0]: must be one of AWSManagedRulesAmazonIpReputationList, AWSManagedRulesCommonRuleSet, AWSManagedRulesKnownBadInputsRuleSet, AWSManagedRulesAnonymousIpList, AWSManagedRulesSQLiRuleSet, AWSManagedRulesLinuxRuleSet, AWSManagedRulesUnixRuleSet, AWSManagedRulesAdminProtectionRuleSet",
        ],
      );
      assert.deepStrictEqual(issuesWith({ [K("wafRateLimit")]: "5" }), [
        "agent-platform:wafRateLimit: must be between 10 and 2000000000",
      ]);
    });
    it("the WAF keys by their old names, naming the new ones (they set every web ACL, not the service's only)", () => {
      assert.deepStrictEqual(
        issuesWith({
          [K("serviceWafRateLimit")]: "2000",
          [K("serviceWafManagedRules")]: JSON.stringify(["AWSManagedRulesCommonRuleSet"]),
        }),
        [
          "agent-platform:serviceWafRateLimit: was renamed to wafRateLimit: set wafRateLimit instead",
          "agent-platform:serviceWafManagedRules: was renamed to wafManagedRules: set wafManagedRules instead",
        ],
      );
    });
  });

  describe("secrets and the worker", () => {
    it("requires the origin secret only while the service is on", () => {
      assert.deepStrictEqual(issuesWith({ [K("originVerifySecret")]: undefined }), [
        "agent-platform:originVerifySecret: is required: set it with `pulumi config set --secret`",
      ]);
      assert.deepStrictEqual(
        issuesWith({ [K("originVerifySecret")]: undefined, [K("serviceEnabled")]: "false" }),
        [],
      );
    });
    it("refuses an origin secret that is short, too long for an ALB condition, or has wildcards", async () => {
      const input = readStack(REPO_ROOT, "dev");
      for (const bad of ["short", "a".repeat(129), "*".repeat(30), `${"a".repeat(24)}?`]) {
        const values = { ...input.config, [K("originVerifySecret")]: bad };
        const config = loadStackConfig(mapConfigSource(values, input.secretKeys), "agent-platform", "dev");
        const secret = config.webService!.originVerifySecret as unknown as { promise(): Promise<string> };
        await assert.rejects(secret.promise(), {
          message:
            "agent-platform:originVerifySecret must be 24-128 characters of letters, digits and _ . ~ + = / - " +
            "(e.g. `openssl rand -hex 32`)",
        });
      }
    });
    it("requires the worker's image and an existing queue, and Container Insights for its scaling", () => {
      assert.deepStrictEqual(
        issuesWith({
          [K("workerEnabled")]: "true",
          [K("workerQueue")]: "billing",
          [K("serviceContainerInsights")]: "disabled",
        }),
        [
          "agent-platform:workerQueue: must name one of the queues: pm, dev, qa, ops",
          "agent-platform:workerImageTag: is required when workerImage is empty: the tag CI pushed to the stack's ECR repository (tags are immutable)",
          "agent-platform:serviceContainerInsights: must be enabled or enhanced where the agent worker runs with minTasks 1 or more: it scales on messages per running task, and the running task count is a Container Insights metric",
        ],
      );
      assert.deepStrictEqual(issuesWith({ [K("workerQueue")]: "billing" }), []);
    });
    it("rejects the unknown spot-percent key it replaced", () => {
      assert.deepStrictEqual(issuesWith({ [K("serviceSpotPercent")]: "100" }), [
        "agent-platform:serviceSpotPercent: is not a known key (see the config reference in README.md)",
      ]);
    });
  });
});
