import * as cost from "../../policy/cost";
import * as dep from "../../policy/deployability";
import { fakeResource } from "../helpers/offline";
import { expectFindings, res, UNKNOWN_STRING } from "./helpers";

const T = {
  nat: "aws:ec2/natGateway:NatGateway",
  eip: "aws:ec2/eip:Eip",
  key: "aws:kms/key:Key",
  nodeGroup: "aws:eks/nodeGroup:NodeGroup",
  db: "aws:rds/instance:Instance",
  rg: "aws:elasticache/replicationGroup:ReplicationGroup",
  lb: "aws:lb/loadBalancer:LoadBalancer",
  alb: "aws:alb/loadBalancer:LoadBalancer",
  tg: "aws:alb/targetGroup:TargetGroup",
  role: "aws:iam/role:Role",
  bucket: "aws:s3/bucket:Bucket",
  queue: "aws:sqs/queue:Queue",
  fn: "aws:lambda/function:Function",
  esm: "aws:lambda/eventSourceMapping:EventSourceMapping",
  taskDef: "aws:ecs/taskDefinition:TaskDefinition",
  topic: "aws:sns/topic:Topic",
};

const stack = (env: string) => res("pulumi:pulumi:Stack", `agent-platform-${env}`, {}, { environment: env });

describe("policy: monthly-budget", () => {
  it("passes a stack within its environment's budget", async () => {
    await expectFindings(
      cost.monthlyBudget,
      [stack("dev"), res(T.key, "k", {}), res(T.nat, "nat", { subnetId: "s" })],
      [],
    );
  });
  it("flags a stack over budget with the largest items, using the environment from the tags", async () => {
    await expectFindings(
      cost.monthlyBudget,
      [
        stack("dev"),
        res(T.nat, "nat-a", { subnetId: "s" }),
        res(T.nat, "nat-b", { subnetId: "s" }),
        res(T.key, "k", {}),
      ],
      [
        "the estimated fixed cost of at least $66.70/month exceeds the dev budget of $50.00 (largest: nat-a $32.85, nat-b $32.85, k $1.00).",
      ],
    );
    await expectFindings(
      cost.monthlyBudget,
      [stack("staging"), res(T.nat, "nat-a", { subnetId: "s" }, { environment: "staging" })],
      [
        "the estimated fixed cost of at least $32.85/month exceeds the staging budget of $30.00 (largest: nat-a $32.85).",
      ],
      { "monthly-budget": { budgets: { dev: 10, staging: 30, prod: 100 } } },
    );
  });
  it("counts the load balancer AWS creates for an internet-facing Ingress, as the offline report does", async () => {
    // 0.0225 x 730 + 2 public IPv4 x 0.005 x 730 = 23.725 -> $23.73, over a $20 budget.
    const k8s = (type: string, name: string, inputs: Record<string, unknown>) =>
      res(`kubernetes:${type}`, name, inputs, { environment: "dev" });
    await expectFindings(
      cost.monthlyBudget,
      [
        stack("dev"),
        res("aws:ec2/subnet:Subnet", "a", { tags: { "kubernetes.io/role/elb": "1" } }),
        res("aws:ec2/subnet:Subnet", "b", { tags: { "kubernetes.io/role/elb": "1" } }),
        k8s("networking.k8s.io/v1:IngressClass", "alb", {
          metadata: { name: "alb" },
          spec: { controller: "ingress.k8s.aws/alb" },
        }),
        k8s("networking.k8s.io/v1:Ingress", "web", {
          metadata: {
            name: "web",
            namespace: "app",
            annotations: { "alb.ingress.kubernetes.io/scheme": "internet-facing" },
          },
          spec: { ingressClassName: "alb" },
        }),
      ],
      [
        "the estimated fixed cost of at least $23.73/month exceeds the dev budget of $20.00 (largest: web $23.73).",
      ],
      { "monthly-budget": { budgets: { dev: 20 } } },
    );
  });
  it("flags an environment without a budget", async () => {
    await expectFindings(
      cost.monthlyBudget,
      [stack("qa"), res(T.key, "k", {}, { environment: "qa" })],
      ["no monthly budget is configured for environment 'qa' (monthly-budget.budgets)."],
    );
  });
});

describe("policy: monthly-budget judges the low end, monthly-budget-ceiling the high end", () => {
  // A NAT gateway ($32.85) and rotating keys ($1 each in their first year, $3 after their second rotation).
  const keys = (n: number) =>
    Array.from({ length: n }, (_, i) =>
      res(T.key, `k${i}`, { enableKeyRotation: true }, { environment: "dev" }),
    );
  const nat = res(T.nat, "nat", { subnetId: "s" }, { environment: "dev" });
  const budget = (policy: string, dev: number) => ({ [policy]: { budgets: { dev } } });

  it("passes a stack whose low end fits though its high end does not, and warns about the high end", async () => {
    // 32.85 + 5 x 1 = 37.85 at least; 32.85 + 5 x 3 = 47.85 at most; budget 40.
    await expectFindings(
      cost.monthlyBudget,
      [stack("dev"), nat, ...keys(5)],
      [],
      budget("monthly-budget", 40),
    );
    await expectFindings(
      cost.monthlyBudgetCeiling,
      [stack("dev"), nat, ...keys(5)],
      [
        "the estimated fixed cost can reach $47.85/month (at least $37.85), over the dev budget of $40.00; " +
          "what raises it: how many times the key has rotated (its age) +$10.00 (5 items).",
      ],
      budget("monthly-budget-ceiling", 40),
    );
  });
  it("leaves an overrun at the low end to monthly-budget alone", async () => {
    await expectFindings(
      cost.monthlyBudget,
      [stack("dev"), nat, ...keys(1)],
      [
        "the estimated fixed cost of at least $33.85/month exceeds the dev budget of $30.00 (largest: nat $32.85, k0 $1.00).",
      ],
      budget("monthly-budget", 30),
    );
    await expectFindings(
      cost.monthlyBudgetCeiling,
      [stack("dev"), nat, ...keys(1)],
      [],
      budget("monthly-budget-ceiling", 30),
    );
  });
  it("is silent when the high end fits, and leaves a missing budget to monthly-budget", async () => {
    await expectFindings(cost.monthlyBudgetCeiling, [stack("dev"), nat, ...keys(5)], []);
    await expectFindings(
      cost.monthlyBudgetCeiling,
      [stack("qa"), res(T.key, "k", {}, { environment: "qa" })],
      [],
    );
  });
});

describe("policy: nat-gateway-limit", () => {
  it("allows the environment's count and flags more", async () => {
    const nats = (env: string, n: number) =>
      Array.from({ length: n }, (_, i) => res(T.nat, `nat-${i}`, { subnetId: "s" }, { environment: env }));
    await expectFindings(cost.natGatewayLimit, nats("prod", 3), []);
    await expectFindings(cost.natGatewayLimit, nats("dev", 2), [
      "the stack runs 2 NAT gateways; dev allows 1.",
    ]);
  });
});

describe("policy: instance-families", () => {
  it("passes allowed families and serverless classes", async () => {
    await expectFindings(
      cost.instanceFamilies,
      [
        res(T.nodeGroup, "ng", { instanceTypes: ["t4g.medium"] }),
        res(T.db, "db", { instanceClass: "db.t4g.micro" }),
        res(T.db, "sv", { instanceClass: "db.serverless" }, { environment: "prod" }),
        res(T.rg, "r", { nodeType: "cache.r7g.large" }, { environment: "prod" }),
      ],
      [],
    );
  });
  it("flags families outside the environment's list", async () => {
    await expectFindings(
      cost.instanceFamilies,
      [
        res(T.nodeGroup, "ng", { instanceTypes: ["m7i.xlarge", "t3.large"] }),
        res(T.db, "db", { instanceClass: "db.x2g.large" }, { environment: "prod" }),
      ],
      [
        "EKS node group 'ng' uses m7i.xlarge; dev allows t3, t3a, t4g.",
        `RDS instance 'db' uses db.x2g.large; prod allows ${cost.DEFAULT_FAMILIES.prod.join(", ")}.`,
      ],
    );
  });
});

describe("policy: resource-name-limits", () => {
  it("passes names within limits, explicit or generated", async () => {
    await expectFindings(
      dep.resourceNameLimits,
      [
        res(T.alb, "web", { name: "web-1234567" }),
        res(T.role, "svc-role", {}),
        res(T.bucket, "raw", { bucket: "raw-1234567" }),
        res(T.queue, "jobs", { name: "jobs-1234567.fifo", fifoQueue: true }),
        res(T.bucket, "x", { bucket: UNKNOWN_STRING }),
      ],
      [],
    );
  });
  it("flags long generated names, bad characters, prefixes and FIFO suffixes", async () => {
    await expectFindings(
      dep.resourceNameLimits,
      [
        fakeResource(T.tg, "agent-platform-web-service-tg", {}),
        res(T.alb, "alb", { name: "internal-web" }),
        res(T.lb, "lb", { namePrefix: "webapp-" }),
        res(T.role, "r", { name: "a".repeat(65) }),
        res(T.bucket, "b", { bucket: "Raw_Bucket" }),
        res(T.queue, "q", { name: "jobs", fifoQueue: true }),
      ],
      [
        "target group 'agent-platform-web-service-tg' name 'agent-platform-web-service-tg-0000000' (generated) is 37 characters; AWS allows 1-32.",
        "load balancer 'alb' name 'internal-web' starts with \"internal-\", which AWS reserves.",
        "load balancer 'lb' namePrefix 'webapp-' is 7 characters; the limit is 6.",
        `IAM role 'r' name '${"a".repeat(65)}' is 65 characters; AWS allows 1-64.`,
        "S3 bucket 'b' bucket 'Raw_Bucket' breaks AWS's naming rule (lower-case letters, digits, dots and hyphens).",
        "SQS queue 'q' name 'jobs' must end in .fifo exactly when fifoQueue is true.",
      ],
    );
  });
});

describe("policy: fargate-task-size", () => {
  const td = (cpu?: string, memory?: string, networkMode = "awsvpc") =>
    res(T.taskDef, "td", {
      family: "f",
      containerDefinitions: "[]",
      requiresCompatibilities: ["FARGATE"],
      networkMode,
      ...(cpu ? { cpu } : {}),
      ...(memory ? { memory } : {}),
    });
  it("passes valid pairs in numbers and unit strings, and EC2 tasks", async () => {
    await expectFindings(dep.fargateTaskSize, [td("512", "1024")], []);
    await expectFindings(dep.fargateTaskSize, [td("1 vCPU", "2 GB")], []);
    await expectFindings(
      dep.fargateTaskSize,
      [res(T.taskDef, "ec2", { family: "f", containerDefinitions: "[]", cpu: "100" })],
      [],
    );
  });
  it("flags pairs Fargate rejects, missing sizes and the wrong network mode", async () => {
    await expectFindings(
      dep.fargateTaskSize,
      [td("512", "512", "bridge")],
      [
        "ECS task definition 'td' runs on Fargate but networkMode is bridge, not awsvpc.",
        "ECS task definition 'td' asks for 512 CPU units and 512 MiB: with 512 CPU units Fargate accepts 1024-4096 MiB in steps of 1024 (1024, 2048, 3072, 4096).",
      ],
    );
    await expectFindings(
      dep.fargateTaskSize,
      [td()],
      ["ECS task definition 'td' runs on Fargate without task-level cpu and memory."],
    );
  });
});

describe("policy: sqs-visibility-timeout", () => {
  const q = (visibilityTimeoutSeconds?: number) =>
    res(T.queue, "jobs", {
      name: "jobs-1",
      arn: "arn:aws:sqs:us-east-1:1:jobs-1",
      ...(visibilityTimeoutSeconds ? { visibilityTimeoutSeconds } : {}),
    });
  const f = res(T.fn, "worker", {
    name: "worker-1",
    arn: "arn:aws:lambda:us-east-1:1:function:worker-1",
    role: "r",
    timeout: 60,
  });
  const m = res(T.esm, "m", {
    eventSourceArn: "arn:aws:sqs:us-east-1:1:jobs-1",
    functionName: "arn:aws:lambda:us-east-1:1:function:worker-1",
  });
  it("passes a visibility timeout that covers the function", async () => {
    await expectFindings(dep.sqsVisibilityTimeout, [q(60), f, m], []);
  });
  it("flags the default 30 s against a 60 s function, and the 6x recommendation when configured", async () => {
    await expectFindings(
      dep.sqsVisibilityTimeout,
      [q(), f, m],
      [
        "SQS queue 'jobs' has a visibility timeout of 30 s, less than 60 s for function 'worker' (timeout 60 s).",
      ],
    );
    await expectFindings(
      dep.sqsVisibilityTimeout,
      [q(120), f, m],
      [
        "SQS queue 'jobs' has a visibility timeout of 120 s, less than 360 s for function 'worker' (timeout 60 s x 6).",
      ],
      { "sqs-visibility-timeout": { minimumMultiple: 6 } },
    );
  });
});

describe("policy: lambda-limits and sqs-queue-limits", () => {
  it("pass values in range", async () => {
    await expectFindings(
      dep.lambdaLimits,
      [
        res(T.fn, "f", { role: "r", timeout: 900, memorySize: 10240 }),
        res(T.esm, "m", {
          functionName: "f",
          eventSourceArn: "arn:aws:sqs:us-east-1:1:q",
          batchSize: 100,
          maximumBatchingWindowInSeconds: 5,
        }),
      ],
      [],
    );
    await expectFindings(
      dep.sqsQueueLimits,
      [
        res(T.queue, "q", {
          visibilityTimeoutSeconds: 43200,
          redrivePolicy: '{"deadLetterTargetArn":"a","maxReceiveCount":5}',
        }),
      ],
      [],
    );
  });
  it("flag values AWS rejects", async () => {
    await expectFindings(
      dep.lambdaLimits,
      [
        res(T.fn, "f", { role: "r", timeout: 901, memorySize: 64, ephemeralStorage: { size: 20000 } }),
        res(T.esm, "m", { functionName: "f", eventSourceArn: "arn:aws:sqs:us-east-1:1:q", batchSize: 100 }),
        res(T.esm, "fifo", {
          functionName: "f",
          eventSourceArn: "arn:aws:sqs:us-east-1:1:q.fifo",
          batchSize: 20,
          maximumBatchingWindowInSeconds: 5,
        }),
      ],
      [
        "Lambda function 'f' memorySize 64 is outside 128-10240.",
        "Lambda function 'f' timeout 901 is outside 1-900.",
        "Lambda function 'f' ephemeralStorage.size 20000 is outside 512-10240.",
        "event source mapping 'm' batchSize 100 needs maximumBatchingWindowInSeconds >= 1.",
        "event source mapping 'fifo' batchSize 20 exceeds 10, the limit for FIFO queues.",
      ],
    );
    await expectFindings(
      dep.sqsQueueLimits,
      [
        res(T.queue, "q", {
          messageRetentionSeconds: 30,
          receiveWaitTimeSeconds: 30,
          redrivePolicy: '{"maxReceiveCount":0}',
        }),
      ],
      [
        "SQS queue 'q' messageRetentionSeconds 30 is outside 60-1209600.",
        "SQS queue 'q' receiveWaitTimeSeconds 30 is outside 0-20.",
        "SQS queue 'q' redrivePolicy maxReceiveCount must be 1-1000.",
      ],
    );
  });
});

describe("policy: tag-limits", () => {
  it("passes ordinary tags and flags reserved keys, bad values and too many tags", async () => {
    await expectFindings(
      dep.tagLimits,
      [res(T.topic, "t", { tags: { Function: "alerts", "kubernetes.io/role/elb": "1" } })],
      [],
    );
    const many = Object.fromEntries(Array.from({ length: 48 }, (_, i) => [`k${i}`, "v"]));
    await expectFindings(
      dep.tagLimits,
      [res(T.topic, "t", { tags: { ...many, "aws:owner": "x", Note: "a, b" } })],
      [
        "SNS topic 't' would carry 53 tags; AWS allows 50.",
        "SNS topic 't' tag Note has a value AWS rejects (max 256 characters of letters, digits, spaces and _ . : / = + - @).",
        "SNS topic 't' tag key aws:owner uses the reserved aws: prefix.",
      ],
    );
  });
});
