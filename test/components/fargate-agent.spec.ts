import * as assert from "assert";
import { backlogSteps } from "../../components/fargate/scaling-zero";
import { estimateCost } from "../../cost/estimate";
import type { RegisteredResource } from "../../tools/offline/evaluate";
import { renderReport, stackAccount } from "../../tools/offline/preview";
import { readStack } from "../../tools/offline/stack-files";
import { evaluate, named, ofType, policyDocument, REPO_ROOT } from "../helpers/offline";
import { stackEvaluation, stackReport } from "../helpers/stacks";
import { ALL_AGENTS_ON_LAMBDA } from "../helpers/config";
import { childrenOf } from "./fargate-helpers";

/*
 * Staging and prod as configured: the dev agent runs on Fargate (agentRuntime dev:fargate), in the agent
 * container the program builds with awsx.ecr.Image into the worker's own repository.
 */

type Statement = Record<string, unknown>;
const arnOf = (r: RegisteredResource) => r.outputs.arn as string;

/** The same stack with every agent on Lambda: the grants the dev agent's function would have. */
async function allOnLambda(stack: string) {
  const input = readStack(REPO_ROOT, stack);
  return evaluate(input.main, {
    stack,
    config: { ...input.config, ...ALL_AGENTS_ON_LAMBDA },
    secretKeys: input.secretKeys,
    region: input.region,
    // The account the stack's own evaluation answers with, so the two grant lists compare ARN for ARN.
    accountId: stackAccount(input.config),
  });
}

for (const [stack, maxTasks] of [
  ["staging", 2],
  ["prod", 4],
] as const) {
  describe(`${stack}: the dev agent on Fargate`, function () {
    this.timeout(120_000);
    let resources: readonly RegisteredResource[];
    let mine: RegisteredResource[];
    before(async () => {
      ({ resources } = await stackEvaluation(stack));
      mine = childrenOf(
        resources as RegisteredResource[],
        "agent-platform:index:FargateWorker",
        "agent-worker",
      );
    });
    const one = (name: string) => named(mine, name);
    const container = () =>
      (
        JSON.parse(one("agent-worker-taskdef").inputs.containerDefinitions as string) as Record<
          string,
          unknown
        >[]
      )[0];

    it("builds and pushes the agent image with awsx into the worker's own repository, pinned by digest", () => {
      const image = one("agent-worker-image");
      assert.deepStrictEqual([image.type, image.remote, image.custom], ["awsx:ecr:Image", true, false]);
      const repo = one("agent-worker-images");
      assert.deepStrictEqual(
        {
          repositoryUrl: image.inputs.repositoryUrl,
          context: image.inputs.context,
          dockerfile: image.inputs.dockerfile,
          platform: image.inputs.platform,
        },
        {
          repositoryUrl: repo.outputs.repositoryUrl,
          context: ".",
          dockerfile: "containers/agent/Dockerfile",
          platform: "linux/amd64",
        },
      );
      assert.match(String(image.inputs.imageTag), /^agent-[a-f0-9]{24}$/);
      // The task runs exactly what was pushed: the image's digest, never a tag.
      assert.strictEqual(container().image, image.outputs.imageUri);
      assert.match(
        String(container().image),
        new RegExp(`^${repo.outputs.repositoryUrl}@sha256:[a-f0-9]{64}$`),
      );
      // The repository: scanned on push, immutable tags, the newest 10 images kept.
      assert.deepStrictEqual(
        [repo.inputs.imageTagMutability, repo.inputs.imageScanningConfiguration],
        ["IMMUTABLE", { scanOnPush: true }],
      );
      const lifecycle = JSON.parse(one("agent-worker-images-lifecycle").inputs.policy as string);
      assert.strictEqual(lifecycle.rules[0].selection.countNumber, 10);
      // Nothing of the push is policy-relevant: the repository, roles and task definition are our own resources.
      assert.deepStrictEqual(
        mine.filter((r) => r.remote).map((r) => r.type),
        ["awsx:ecr:Image"],
      );
    });

    it("runs the container hardened, with the loop's timeouts from the queue and a health check on /health", () => {
      const c = container();
      const env = Object.fromEntries(
        (c.environment as { name: string; value: string }[]).map((e) => [e.name, e.value]),
      );
      const queue = named(resources as RegisteredResource[], "agents-dev");
      assert.deepStrictEqual(
        [
          env.AGENT_NAME,
          env.QUEUE_URL,
          env.CONSUMER_TIMEOUT_SECONDS,
          env.VISIBILITY_TIMEOUT_SECONDS,
          env.HEALTH_PORT,
        ],
        ["dev", queue.outputs.url, "3600", "3660", "8080"],
      );
      assert.strictEqual(queue.inputs.visibilityTimeoutSeconds, 3660);
      assert.ok(
        env.EVENT_BUS_NAME && env.ARTIFACTS_BUCKET && env.LLM_API_KEY_SECRET_ARN,
        JSON.stringify(env),
      );
      assert.deepStrictEqual(
        [c.user, c.readonlyRootFilesystem, c.stopTimeout, (c.healthCheck as { command: string[] }).command],
        ["1000", true, 120, ["CMD-SHELL", "wget -q -O /dev/null 'http://127.0.0.1:8080/health' || exit 1"]],
      );
      assert.deepStrictEqual((c.linuxParameters as { capabilities: unknown }).capabilities, {
        add: [],
        drop: ["ALL"],
      });
    });

    it("starts from zero tasks, the first on demand and the rest on Spot, in private subnets", () => {
      const p = one("agent-worker").inputs;
      assert.strictEqual(p.desiredCount, 0);
      assert.deepStrictEqual(p.capacityProviderStrategies, [
        { capacityProvider: "FARGATE", base: 1, weight: 0 },
        { capacityProvider: "FARGATE_SPOT", base: 0, weight: 1 },
      ]);
      assert.strictEqual((p.networkConfiguration as { assignPublicIp: boolean }).assignPublicIp, false);
      const privateSubnets = ofType(resources as RegisteredResource[], "aws:ec2/subnet:Subnet")
        .filter((s) => s.name.startsWith("network-private-"))
        .map((s) => s.id);
      assert.deepStrictEqual((p.networkConfiguration as { subnets: string[] }).subnets, privateSubnets);
      // Priced as it runs: no standing task, so nothing said to run on Spot.
      const item = estimateCost([...resources]).items.find((i) => i.name === "agent-worker")!;
      assert.deepStrictEqual(
        [item.description, item.minMonthlyUsd, item.maxMonthlyUsd],
        ["no standing Fargate task of 1 vCPU / 2 GB X86_64 (scaled from zero; tasks are usage-priced)", 0, 0],
      );
    });

    it("scales on the backlog from 0 to its maximum and back to 0 when the queue stays empty", () => {
      const target = one("agent-worker-scaling").inputs;
      assert.deepStrictEqual([target.minCapacity, target.maxCapacity], [0, maxTasks]);
      const out = one("agent-worker-scale-out").inputs.stepScalingPolicyConfiguration as Record<
        string,
        unknown
      >;
      assert.deepStrictEqual(
        [out.adjustmentType, out.stepAdjustments],
        ["ExactCapacity", backlogSteps(maxTasks, 1)],
      );
      const zero = one("agent-worker-scale-to-zero").inputs.stepScalingPolicyConfiguration as Record<
        string,
        unknown
      >;
      assert.deepStrictEqual(zero.stepAdjustments, [{ metricIntervalUpperBound: "0", scalingAdjustment: 0 }]);
      assert.deepStrictEqual(one("agent-worker-backlog").inputs.alarmActions, [
        arnOf(one("agent-worker-scale-out")),
      ]);
      assert.deepStrictEqual(one("agent-worker-idle").inputs.alarmActions, [
        arnOf(one("agent-worker-scale-to-zero")),
      ]);
      assert.deepStrictEqual(
        [one("agent-worker-idle").inputs.evaluationPeriods, one("agent-worker-idle").inputs.treatMissingData],
        [10, "breaching"],
      );
    });

    it("has exactly the grants of the Lambda agent it replaces, plus visibility and its own scale-in protection", async () => {
      const fargate = policyDocument(one("agent-worker-task-policy")).Statement as Statement[];
      const lambda = await allOnLambda(stack);
      const fn = policyDocument(named(lambda.resources, "agent-workers-dev-role-policy"))
        .Statement as Statement[];
      // The function's own log group and X-Ray are the Lambda runtime's; the container logs through ECS.
      // The worker reads its own copy of the provider key: the same grant, on its secret.
      const secret = arnOf(one("agent-worker-llm-api-key"));
      const shared = fn
        .filter((s) => !["WriteItsLogs", "SendTraces"].includes(String(s.Sid)))
        .map((s) => (s.Sid === "ReadTheProviderSecrets" ? { ...s, Resource: [secret] } : s));
      assert.deepStrictEqual(fn.find((s) => s.Sid === "ReadTheProviderSecrets")!.Resource, [
        arnOf(named(lambda.resources, "agent-workers-llm-api-key")),
      ]);
      assert.ok(shared.length >= 8, JSON.stringify(fn.map((s) => s.Sid)));
      assert.deepStrictEqual(fargate.slice(0, shared.length), shared);
      const cluster = named(resources as RegisteredResource[], "web-cluster").inputs.name;
      const account = stackAccount(readStack(REPO_ROOT, stack).config);
      assert.deepStrictEqual(fargate.slice(shared.length), [
        {
          Sid: "ExtendVisibilityWhileATaskRuns",
          Effect: "Allow",
          Action: "sqs:ChangeMessageVisibility",
          Resource: arnOf(named(resources as RegisteredResource[], "agents-dev")),
        },
        {
          Sid: "ProtectItsTaskFromScaleIn",
          Effect: "Allow",
          Action: "ecs:UpdateTaskProtection",
          Resource: `arn:aws:ecs:us-east-1:${account}:task/${cluster}/*`,
        },
      ]);
    });

    it("leaves the dev queue to the container: no dev function, no event source on it", () => {
      const fns = ofType(resources as RegisteredResource[], "aws:lambda/function:Function").map(
        (f) => f.name,
      );
      assert.ok(!fns.includes("agent-workers-dev-fn"), fns.join(", "));
      assert.ok(fns.includes("agent-workers-pm-fn"));
      const devQueue = arnOf(named(resources as RegisteredResource[], "agents-dev"));
      assert.deepStrictEqual(
        ofType(resources as RegisteredResource[], "aws:lambda/eventSourceMapping:EventSourceMapping").filter(
          (m) => m.inputs.eventSourceArn === devQueue,
        ),
        [],
      );
    });

    it("passes the pack, and the report lists awsx's image as a remote component", async () => {
      const report = await stackReport(stack);
      assert.deepStrictEqual(
        report.violations
          .filter((v) => v.enforcementLevel === "mandatory")
          .map((v) => `${v.policy} ${v.name}`),
        [],
      );
      // multi-az applies to prod only; there the worker's exemption (it scales from zero) is used, with its reason.
      assert.strictEqual(
        report.exemptions.some((e) => e.policy === "multi-az" && e.name === "agent-worker"),
        stack === "prod",
      );
      assert.match(
        renderReport(report),
        /awsx:ecr:Image agent-worker-image {2}\[remote component: its children are created by its provider plugin/,
      );
    });
  });
}
