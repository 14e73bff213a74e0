import * as assert from "assert";
import { checkFargateWorkerArgs, FargateWorkerArgs } from "../../components/fargate/worker";
import { RegisteredResource } from "../../tools/offline/evaluate";
import { estimateCost } from "../../cost/estimate";
import { runPolicies } from "../../tools/offline/policy-harness";
import { loadPack, splitExemptions } from "../../tools/offline/preview";
import { readStack } from "../../tools/offline/stack-files";
import { ALL_AGENTS_ON_LAMBDA } from "../helpers/config";
import { evaluate, named, ofType, policyDocument, REPO_ROOT } from "../helpers/offline";
import { childrenOf, fargateStack, FargateStack, K, TOPIC, valueOf } from "./fargate-helpers";

const arnOf = (r: RegisteredResource) => r.outputs.arn as string;
const idOf = (r: RegisteredResource) => r.id as string;
// dev turns Container Insights off for its budget; the worker scales on one of its metrics, so it comes back on.
// The worker with an image of its own (not an agent: staging and prod run the dev agent on it, see
// fargate-agent.spec.ts), its keys back at their defaults.
const ON = {
  ...ALL_AGENTS_ON_LAMBDA,
  [K("workerEnabled")]: "true",
  [K("workerImageTag")]: "1.0.0",
  [K("serviceContainerInsights")]: "enabled",
  [K("workerCpu")]: "256",
  [K("workerMemory")]: "512",
  [K("workerMinTasks")]: "1",
  [K("workerMaxTasks")]: "4",
  [K("workerBacklogPerTask")]: "5",
  [K("workerOnDemandBase")]: "0",
};

describe("FargateWorker", function () {
  this.timeout(60000);

  for (const stack of ["dev", "staging", "prod"] as const) {
    describe(`${stack} (workerEnabled, an image tag in its repository)`, () => {
      let s: FargateStack;
      let mine: RegisteredResource[];
      before(async () => {
        s = await fargateStack(stack, ON);
        mine = childrenOf(s.resources, "agent-platform:index:FargateWorker", "agent-worker");
      });
      const one = (name: string) => named(mine, name);
      const queue = () => named(s.resources, "agents-dev");
      const publicTasks = stack === "dev";
      const kms = stack === "prod";
      const minTasks = 1;

      it("runs in the web service's cluster, on Spot, without a load balancer or inbound traffic", () => {
        const p = one("agent-worker").inputs;
        assert.strictEqual(p.cluster, arnOf(named(s.resources, "web-cluster")));
        assert.deepStrictEqual(ofType(mine, "aws:ecs/cluster:Cluster"), []);
        assert.deepStrictEqual(p.capacityProviderStrategies, [
          { capacityProvider: "FARGATE_SPOT", base: 0, weight: 1 },
        ]);
        assert.strictEqual(p.loadBalancers, undefined);
        assert.strictEqual(p.desiredCount, minTasks);
        const subnets = ofType(s.resources, "aws:ec2/subnet:Subnet")
          .filter((x) => x.name.startsWith(`network-${publicTasks ? "public" : "private"}-`))
          .map(idOf);
        assert.deepStrictEqual(p.networkConfiguration, {
          subnets,
          securityGroups: [idOf(one("agent-worker-tasks-sg"))],
          assignPublicIp: publicTasks,
        });
        const tasksSg = one("agent-worker-tasks-sg");
        // No inbound rule at all; out over HTTPS only, as standalone rules.
        assert.deepStrictEqual([tasksSg.inputs.ingress, tasksSg.inputs.egress], [undefined, undefined]);
        assert.deepStrictEqual(
          ofType(s.resources, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter(
            (r) => r.inputs.securityGroupId === idOf(tasksSg),
          ),
          [],
        );
        const https = one("agent-worker-tasks-https").inputs;
        assert.deepStrictEqual(
          [https.securityGroupId, https.cidrIpv4, https.fromPort, https.toPort],
          [idOf(tasksSg), "0.0.0.0/0", 443, 443],
        );
        assert.deepStrictEqual(p.deploymentCircuitBreaker, { enable: true, rollback: true });
        assert.deepStrictEqual(one("agent-worker").options.ignoreChanges, ["desiredCount"]);
        // The web cluster's capacity providers must be associated before the worker's strategy uses them.
        assert.ok(one("agent-worker").dependencies.includes(named(s.resources, "web-capacity").urn));
        const tags = p.tags as Record<string, string> | undefined;
        assert.strictEqual(tags?.["policy-exempt:no-public-ip"] !== undefined, publicTasks);
      });

      it("lets the task consume exactly its queue (and decrypt it where the queues use a KMS key)", () => {
        const statements = policyDocument(one("agent-worker-task-policy")).Statement;
        assert.deepStrictEqual(statements, [
          {
            Sid: "ConsumeTheQueue",
            Effect: "Allow",
            Action: [
              "sqs:ReceiveMessage",
              "sqs:DeleteMessage",
              "sqs:ChangeMessageVisibility",
              "sqs:GetQueueAttributes",
            ],
            Resource: arnOf(queue()),
          },
          ...(kms
            ? [
                {
                  Sid: "DecryptTheQueue",
                  Effect: "Allow",
                  Action: "kms:Decrypt",
                  Resource: arnOf(named(s.resources, "agents-key")),
                },
              ]
            : []),
        ]);
        assert.strictEqual(one("agent-worker-task-policy").inputs.role, idOf(one("agent-worker-task-role")));
      });

      it("pulls its image from its own repository: ECR on that repository, the registry login on *", () => {
        const repo = one("agent-worker-images");
        assert.deepStrictEqual(policyDocument(one("agent-worker-execution-policy")).Statement, [
          {
            Sid: "WriteTaskLogs",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: `${arnOf(one("agent-worker-logs"))}:log-stream:*`,
          },
          {
            Sid: "PullTheImage",
            Effect: "Allow",
            Action: ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
            Resource: arnOf(repo),
          },
          { Sid: "RegistryLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
        ]);
        const [container] = JSON.parse(one("agent-worker-taskdef").inputs.containerDefinitions as string);
        assert.strictEqual(container.image, `${repo.outputs.repositoryUrl}:1.0.0`);
        assert.deepStrictEqual(container.environment, [
          { name: "QUEUE_URL", value: queue().outputs.url },
          { name: "CONSUMER_TIMEOUT_SECONDS", value: "900" },
        ]);
        assert.deepStrictEqual(
          [container.user, container.readonlyRootFilesystem, container.stopTimeout, container.portMappings],
          ["1000", true, 120, undefined],
        );
        assert.strictEqual(container.healthCheck, undefined);
      });

      it("scales between min and max tasks on visible messages per running task", () => {
        const target = one("agent-worker-scaling").inputs;
        const cluster = named(s.resources, "web-cluster").inputs.name;
        const service = one("agent-worker").inputs.name;
        assert.deepStrictEqual(
          [target.resourceId, target.minCapacity, target.maxCapacity],
          [`service/${cluster}/${service}`, minTasks, 4],
        );
        const config = one("agent-worker-backlog-scaling").inputs.targetTrackingScalingPolicyConfiguration;
        assert.deepStrictEqual(config, {
          targetValue: 5,
          scaleOutCooldown: 60,
          scaleInCooldown: 600,
          customizedMetricSpecification: {
            metrics: [
              {
                id: "visible",
                returnData: false,
                metricStat: {
                  metric: {
                    namespace: "AWS/SQS",
                    metricName: "ApproximateNumberOfMessagesVisible",
                    dimensions: [{ name: "QueueName", value: queue().inputs.name }],
                  },
                  stat: "Average",
                },
              },
              {
                id: "running",
                returnData: false,
                metricStat: {
                  metric: {
                    namespace: "ECS/ContainerInsights",
                    metricName: "RunningTaskCount",
                    dimensions: [
                      { name: "ClusterName", value: cluster },
                      { name: "ServiceName", value: service },
                    ],
                  },
                  stat: "Average",
                },
              },
              {
                id: "backlogPerTask",
                expression: "FILL(visible, 0) / running",
                label: "Messages per task",
                returnData: true,
              },
            ],
          },
        });
      });

      it("exposes its tasks' security group, for the servers that admit it", async () => {
        assert.strictEqual(await valueOf(s.worker!.tasksSecurityGroupId), idOf(one("agent-worker-tasks-sg")));
      });

      it("alarms on CPU and memory to the alerts topic and prices its tasks on Spot", async () => {
        const alarms = ofType(mine, "aws:cloudwatch/metricAlarm:MetricAlarm")
          .map((a) => [a.name, a.inputs.alarmActions])
          .sort();
        assert.deepStrictEqual(alarms, [
          ["agent-worker-cpu-high", [TOPIC]],
          ["agent-worker-memory-high", [TOPIC]],
        ]);
        const item = estimateCost(s.resources).items.find((i) => i.name === "agent-worker")!;
        assert.strictEqual(
          item.description,
          `${minTasks} Fargate task(s) of 0.25 vCPU / 0.5 GB X86_64, all on Spot`,
        );
        assert.strictEqual(
          await valueOf(s.worker!.clusterName),
          named(s.resources, "web-cluster").inputs.name,
        );
      });
    });
  }

  it("creates a cluster of its own with Container Insights when there is no web service", async () => {
    const s = await fargateStack("dev", { ...ON, [K("serviceEnabled")]: "false" });
    const mine = childrenOf(s.resources, "agent-platform:index:FargateWorker", "agent-worker");
    const cluster = named(mine, "agent-worker-cluster");
    assert.deepStrictEqual(cluster.inputs.settings, [{ name: "containerInsights", value: "enabled" }]);
    assert.strictEqual(named(mine, "agent-worker").inputs.cluster, arnOf(cluster));
    assert.deepStrictEqual(named(mine, "agent-worker-capacity").inputs.defaultCapacityProviderStrategies, [
      { capacityProvider: "FARGATE_SPOT", base: 0, weight: 1 },
    ]);
    assert.deepStrictEqual(
      ofType(s.resources, "aws:ecs/service:Service").map((x) => x.name),
      ["agent-worker"],
    );
    assert.strictEqual(s.web, undefined);
  });

  describe("staging program (index.ts) with the worker on: a client of the database and the cache", () => {
    let resources: RegisteredResource[];
    before(async () => {
      const input = readStack(REPO_ROOT, "staging");
      ({ resources } = await evaluate(input.main, {
        stack: "staging",
        config: { ...input.config, ...ON },
        secretKeys: input.secretKeys,
        region: input.region,
      }));
    });
    const sgId = (name: string) => idOf(named(resources, name));
    // The rules into a server, and the client groups' rules out to it: name, group, protocol, ports, other group.
    const rules = (type: string, prefix: string) =>
      ofType(resources, type)
        .filter((r) => r.name.startsWith(prefix))
        .map((r) => {
          const p = r.inputs;
          return [r.name, p.securityGroupId, p.ipProtocol, p.fromPort, p.toPort, p.referencedSecurityGroupId];
        });
    const IN = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
    const OUT = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";

    it("the database admits exactly the web tasks, the worker tasks and its migration runner", () => {
      const [web, worker, db, runner] = [
        "web-tasks-sg",
        "agent-worker-tasks-sg",
        "db-sg",
        "db-migrate-sg",
      ].map(sgId);
      assert.deepStrictEqual(rules(IN, "db-"), [
        ["db-from-web", db, "tcp", 5432, 5432, web],
        ["db-from-worker", db, "tcp", 5432, 5432, worker],
        ["db-from-migrate", db, "tcp", 5432, 5432, runner],
      ]);
      assert.deepStrictEqual(
        rules(OUT, "db-").filter((r) => String(r[0]).endsWith("-to-db")),
        [
          ["db-web-to-db", web, "tcp", 5432, 5432, db],
          ["db-worker-to-db", worker, "tcp", 5432, 5432, db],
          ["db-migrate-to-db", runner, "tcp", 5432, 5432, db],
        ],
      );
    });

    it("the cache admits exactly the web tasks and the worker tasks", () => {
      const [web, worker, cache] = ["web-tasks-sg", "agent-worker-tasks-sg", "cache-sg"].map(sgId);
      assert.deepStrictEqual(rules(IN, "cache-"), [
        ["cache-from-web", cache, "tcp", 6379, 6379, web],
        ["cache-from-worker", cache, "tcp", 6379, 6379, worker],
      ]);
      assert.deepStrictEqual(rules(OUT, "cache-"), [
        ["cache-web-to-cache", web, "tcp", 6379, 6379, cache],
        ["cache-worker-to-cache", worker, "tcp", 6379, 6379, cache],
      ]);
    });

    it("passes the policy pack (no mandatory violation)", async () => {
      const pack = loadPack(REPO_ROOT);
      const { violations } = splitExemptions(await runPolicies(pack.policies, resources, pack));
      assert.deepStrictEqual(
        violations.filter((v) => v.enforcementLevel === "mandatory").map((v) => `${v.policy} ${v.name}`),
        [],
      );
    });
  });

  describe("guard clauses", () => {
    const base = {
      cpu: 256,
      memory: 512,
      architecture: "X86_64",
      image: { kind: "repository", tag: "v1" },
      user: "1000",
      secrets: [],
      minTasks: 1,
      maxTasks: 4,
      backlogPerTask: 5,
      onDemandBase: 0,
      containerInsights: "enabled",
    } as unknown as FargateWorkerArgs;
    it("names every problem at once", () => {
      assert.throws(
        () =>
          checkFargateWorkerArgs("Agent_Worker", {
            ...base,
            memory: 4096,
            minTasks: 3,
            maxTasks: 2,
            backlogPerTask: 0,
            containerInsights: "disabled",
          }),
        {
          message:
            'FargateWorker Agent_Worker: name = "Agent_Worker": name "Agent_Worker" must be lower-case letters, ' +
            "digits and inner hyphens, starting with a letter (it names the ECR repository and load balancer); " +
            "memory = 4096: with 256 CPU units Fargate accepts 512-2048 MiB in steps of 512 (512, 1024, 2048); " +
            "minTasks = 3: must not exceed maxTasks (2); backlogPerTask = 0: must be between 1 and 10000; " +
            'containerInsights = "disabled": must be enabled or enhanced where the agent worker runs with minTasks 1 ' +
            "or more: it scales on messages per running task, and the running task count is a Container Insights metric",
        },
      );
      assert.doesNotThrow(() => checkFargateWorkerArgs("agent-worker", base));
    });
  });
});
