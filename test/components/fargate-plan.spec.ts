import * as assert from "assert";
import {
  componentNameProblem,
  containerHealthCheckCommand,
  elbLogDeliveryStatement,
  placeTasks,
  startupServices,
} from "../../components/fargate/plan";
import { wafRules } from "../../components/fargate/edge";
import { checkFargateServiceArgs, FargateServiceArgs } from "../../components/fargate/service";
import { capacityProviderStrategy } from "../../components/fargate/args";

describe("Fargate plan (pure rules)", () => {
  describe("names", () => {
    it("accepts names whose load balancer and target group names fit ELBv2's 32 characters", () => {
      assert.strictEqual(componentNameProblem("web"), undefined);
      // "-alb" + "-" + 7 hex digits: 20 + 4 + 8 = 32.
      assert.strictEqual(componentNameProblem("a".repeat(20)), undefined);
      assert.strictEqual(
        componentNameProblem("a".repeat(21)),
        `name "${"a".repeat(21)}" gives a load balancer name of 33 characters (name + "-alb" + 8); ELBv2 allows at most 32`,
      );
    });
    it("refuses names ECR or ELBv2 would reject", () => {
      for (const bad of ["Web", "web_1", "-web", "web-", "1web"])
        assert.strictEqual(
          componentNameProblem(bad),
          `name "${bad}" must be lower-case letters, digits and inner hyphens, starting with a letter (it names the ECR repository and load balancer)`,
        );
    });
  });

  describe("placement", () => {
    const sample = startupServices(
      { kind: "uri", uri: "public.ecr.aws/nginx/nginx-unprivileged:1.28-alpine" },
      false,
    );
    const own = startupServices({ kind: "repository", tag: "1.0.0" }, true);
    it("knows what a task reaches before its container starts", () => {
      assert.deepStrictEqual(sample, ["internet", "logs"]);
      assert.deepStrictEqual(own, ["ecr.api", "ecr.dkr", "s3", "logs", "secretsmanager"]);
    });
    it("uses private subnets behind NAT, or without NAT when endpoints cover every service", () => {
      const priv = { tier: "private", assignPublicIp: false };
      assert.deepStrictEqual(placeTasks("single", [], sample), priv);
      assert.deepStrictEqual(placeTasks("perAz", [], own), priv);
      assert.deepStrictEqual(placeTasks("none", ["ecr.api", "ecr.dkr", "logs", "secretsmanager"], own), priv);
    });
    it("uses public subnets with a public IP only when there is no NAT gateway and an endpoint is missing", () => {
      const pub = { tier: "public", assignPublicIp: true };
      assert.deepStrictEqual(placeTasks("none", [], own), pub);
      assert.deepStrictEqual(placeTasks("none", ["ecr.api", "ecr.dkr", "logs"], own), pub);
      // A public registry is never reachable through endpoints.
      assert.deepStrictEqual(placeTasks("none", ["ecr.api", "ecr.dkr", "logs", "sqs"], sample), pub);
    });
  });

  it("writes the container health check with the validated path in single quotes", () => {
    assert.deepStrictEqual(containerHealthCheckCommand(8080, "/health?deep=1"), [
      "CMD-SHELL",
      "wget -q -O /dev/null 'http://127.0.0.1:8080/health?deep=1' || exit 1",
    ]);
    assert.throws(() => containerHealthCheckCommand(8080, "/'; rm -rf / #"), {
      message: "health check path /'; rm -rf / # is not allowed",
    });
  });

  it("lets the regional ELB account write access logs, or the log delivery service in newer regions", () => {
    const bucket = "arn:aws:s3:::web-alb-logs-0123456";
    assert.deepStrictEqual(elbLogDeliveryStatement("eu-west-1", "aws", "123456789012", bucket, "alb"), {
      Sid: "ElbWritesAccessLogs",
      Effect: "Allow",
      Principal: { AWS: "arn:aws:iam::156460612806:root" },
      Action: "s3:PutObject",
      Resource: `${bucket}/alb/AWSLogs/123456789012/*`,
    });
    assert.deepStrictEqual(elbLogDeliveryStatement("ap-southeast-5", "aws", "123456789012", bucket, "alb"), {
      Sid: "ElbWritesAccessLogs",
      Effect: "Allow",
      Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: `${bucket}/alb/AWSLogs/123456789012/*`,
      Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
    });
  });

  it("orders WAF rules: the rate limit first, then the managed groups as configured", () => {
    const rules = wafRules("web", 500, ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesSQLiRuleSet"]);
    assert.deepStrictEqual(
      rules.map((r) => [r.name, r.priority]),
      [
        ["rate-limit-per-ip", 0],
        ["AWSManagedRulesCommonRuleSet", 1],
        ["AWSManagedRulesSQLiRuleSet", 2],
      ],
    );
    assert.deepStrictEqual(rules[0].statement, {
      rateBasedStatement: { limit: 500, aggregateKeyType: "IP", evaluationWindowSec: 300 },
    });
  });

  it("maps capacity config onto ECS capacity provider strategies, leaving out providers without tasks", () => {
    assert.deepStrictEqual(capacityProviderStrategy({ onDemandBase: 0, onDemandWeight: 0, spotWeight: 1 }), [
      { capacityProvider: "FARGATE_SPOT", base: 0, weight: 1 },
    ]);
    assert.deepStrictEqual(capacityProviderStrategy({ onDemandBase: 2, onDemandWeight: 0, spotWeight: 3 }), [
      { capacityProvider: "FARGATE", base: 2, weight: 0 },
      { capacityProvider: "FARGATE_SPOT", base: 0, weight: 3 },
    ]);
    assert.deepStrictEqual(capacityProviderStrategy({ onDemandBase: 0, onDemandWeight: 1, spotWeight: 0 }), [
      { capacityProvider: "FARGATE", base: 0, weight: 1 },
    ]);
  });

  describe("FargateService guard clauses", () => {
    const base = {
      cpu: 512,
      memory: 1024,
      architecture: "X86_64",
      image: { kind: "uri", uri: "public.ecr.aws/nginx/nginx-unprivileged:1.28-alpine" },
      user: "1000",
      secrets: [],
      minTasks: 1,
      desiredTasks: 1,
      maxTasks: 4,
      healthCheckPath: "/",
      containerPort: 8080,
      readOnlyRootFilesystem: true,
      capacity: { onDemandBase: 0, onDemandWeight: 0, spotWeight: 1 },
      targetCpuPercent: 70,
      targetMemoryPercent: 70,
      containerInsights: "enabled",
      imagesKept: 10,
      albAccessLogs: true,
      waf: { rateLimit: 2000, managedRules: [] },
    } as unknown as FargateServiceArgs;
    it("accepts the seed defaults", () => assert.doesNotThrow(() => checkFargateServiceArgs("web", base)));
    it("names every problem at once, before anything is registered", () => {
      assert.throws(
        () =>
          checkFargateServiceArgs("web", {
            ...base,
            cpu: 512,
            memory: 512,
            minTasks: 5,
            maxTasks: 2,
            healthCheckPath: "health",
            containerPort: 80,
            capacity: { onDemandBase: 0, onDemandWeight: 0, spotWeight: 0 },
          }),
        {
          message:
            "FargateService web: memory = 512: with 512 CPU units Fargate accepts 1024-4096 MiB in steps of 1024 " +
            "(1024, 2048, 3072, 4096); minTasks = 5: must not exceed desiredTasks (1); capacity.spotWeight = 0: " +
            "must be above 0 when capacity.onDemandWeight is 0: ECS needs a capacity provider with a weight for " +
            'tasks above the base; containerPort = 80: must be between 1024 and 65535; healthCheckPath = "health": ' +
            "must start with / (e.g. /health)",
        },
      );
    });
    it("refuses a name whose load balancer name would exceed 32 characters", () => {
      assert.throws(() => checkFargateServiceArgs("web-service-frontend-1", base), {
        message:
          'FargateService web-service-frontend-1: name = "web-service-frontend-1": name "web-service-frontend-1" ' +
          'gives a load balancer name of 34 characters (name + "-alb" + 8); ELBv2 allows at most 32',
      });
    });
  });
});
