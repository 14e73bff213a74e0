import * as assert from "assert";
import {
  architectureOf,
  componentDiagram,
  monitoringSummary,
  resourceDiagram,
} from "../../tools/offline/architecture";
import type { RegisteredResource } from "../../tools/offline/evaluate";
import { componentFacts } from "../../tools/offline/facts";
import { shortType } from "../../tools/offline/graph";
import { fakeResource } from "../helpers/offline";

/*
 * A small stack in the shape the program registers: components under the stack, one nested component,
 * resources referring to each other through inputs (property dependencies) or only by dependsOn.
 */
const stack = fakeResource("pulumi:pulumi:Stack", "agent-platform-dev", {}, { custom: false });
const comp = (type: string, name: string, parent = stack) =>
  fakeResource(`agent-platform:index:${type}`, name, {}, { custom: false, parent: parent.urn });
function res(
  type: string,
  name: string,
  parent: RegisteredResource,
  inputs: Record<string, unknown> = {},
  refs: RegisteredResource[] = [],
  dependsOn: RegisteredResource[] = [],
): RegisteredResource {
  return fakeResource(type, name, inputs, {
    parent: parent.urn,
    propertyDependencies: refs.length ? { ref: refs.map((r) => r.urn) } : {},
    dependencies: [...refs, ...dependsOn].map((r) => r.urn),
  });
}

const observability = comp("Observability", "observability");
const topic = res("aws:sns/topic:Topic", "alerts", observability);
const queues = comp("Queues", "agents");
const pair = comp("QueuePair", "agents-pm", queues);
const queue = res("aws:sqs/queue:Queue", "agents-pm", pair);
const queuePolicy = res("aws:sqs/queuePolicy:QueuePolicy", "agents-pm-policy", pair, {}, [queue]);
const queueAlarm = res("aws:cloudwatch/metricAlarm:MetricAlarm", "agents-pm-age", pair, {}, [queue, topic]);
const web = comp("FargateService", "web");
const cluster = res("aws:ecs/cluster:Cluster", "web-cluster", web);
const service = res(
  "aws:ecs/service:Service",
  "web",
  web,
  {
    name: "web-1234567",
    desiredCount: 1,
    capacityProviderStrategies: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }],
  },
  [cluster, queue],
);
const target = res("aws:appautoscaling/target:Target", "web-scaling", web, {
  resourceId: "service/web-cluster/web-1234567",
  minCapacity: 1,
  maxCapacity: 2,
});
const lb = res("aws:lb/loadBalancer:LoadBalancer", "web-alb", web, { loadBalancerType: "application" });
// Only ordered after the observability component: no reference between them.
const ordered = res("aws:s3/bucket:Bucket", "web-logs", web, {}, [], [topic]);
const all = [
  stack,
  observability,
  topic,
  queues,
  pair,
  queue,
  queuePolicy,
  queueAlarm,
  web,
  cluster,
  service,
  target,
  lb,
  ordered,
];
const cost = [
  { urn: service.urn, type: service.type, name: service.name, description: "Fargate", monthlyUsd: 9.5 },
  {
    urn: queueAlarm.urn,
    type: queueAlarm.type,
    name: queueAlarm.name,
    description: "alarm",
    monthlyUsd: 0.1,
  },
  // An item of a shape the estimate may grow into: extra fields are ignored, a missing figure counts 0.
  { urn: lb.urn, type: lb.type, name: lb.name, description: "ALB", range: [16, 20] },
];

describe("tools/offline/architecture.ts", () => {
  const arch = architectureOf(all, cost);
  const byName = (n: string) => arch.components.find((c) => c.name === n)!;

  it("has one view per top-level component, nested components and their resources folded in", () => {
    assert.deepStrictEqual(
      arch.components.map((c) => [
        c.name,
        c.resources.map((r) => r.name).sort(),
        c.nested.map((n) => n.name),
      ]),
      [
        ["agents", ["agents-pm", "agents-pm-age", "agents-pm-policy"], ["agents-pm"]],
        ["observability", ["alerts"], []],
        ["web", ["web", "web-alb", "web-cluster", "web-logs", "web-scaling"], []],
      ],
    );
    assert.deepStrictEqual(
      arch.components.map((c) => c.monthlyUsd),
      [0.1, 0, 9.5],
    );
  });

  it("links components whose resources refer to each other through inputs, not by dependsOn alone", () => {
    const links = arch.links.map((l) => [l.from, l.to, l.targets.join(","), l.monitoring]);
    assert.deepStrictEqual(links, [
      [queues.urn, observability.urn, "sns Topic", true],
      [web.urn, queues.urn, "sqs Queue", false],
    ]);
  });

  it("describes a service scaled from zero by where its tasks start, not by its zero desired count", () => {
    const worker = comp("FargateWorker", "agent-worker");
    const facts = (onDemandBase: number, max: number) => {
      const service = res("aws:ecs/service:Service", "agent-worker", worker, {
        name: "agent-worker",
        desiredCount: 0,
        capacityProviderStrategies: [
          ...(onDemandBase > 0 ? [{ capacityProvider: "FARGATE", base: onDemandBase, weight: 0 }] : []),
          { capacityProvider: "FARGATE_SPOT", base: 0, weight: 1 },
        ],
      });
      const target = res("aws:appautoscaling/target:Target", "agent-worker-scaling", worker, {
        resourceId: "service/cluster/agent-worker",
        minCapacity: 0,
        maxCapacity: max,
      });
      return componentFacts([service, target]).map((f) => f.text)[0];
    };
    // The first task on demand, the rest on Spot: not "all on Spot".
    assert.strictEqual(facts(1, 4), "0-4 Fargate tasks, 1 on demand, the rest on Spot");
    assert.strictEqual(facts(1, 2), "0-2 Fargate tasks, 1 on demand, the rest on Spot");
    // Without an on-demand base every task that starts runs on Spot.
    assert.strictEqual(facts(0, 4), "0-4 Fargate tasks, all on Spot");
  });

  it("reads key facts from resource inputs, headline facts first", () => {
    assert.deepStrictEqual(
      byName("web").facts.map((f) => f.text),
      ["1-2 Fargate tasks, all on Spot", "public ALB", "1 S3 bucket"],
    );
    assert.deepStrictEqual(
      byName("agents").facts.map((f) => [f.text, f.detail]),
      [
        ["1 SQS queue", false],
        ["1 alarm", true],
      ],
    );
  });

  it("draws one box per component with its facts, solid arrows for use, and lists monitoring apart", () => {
    const text = componentDiagram(arch);
    assert.match(
      text,
      /c_FargateService_web\["<b>web<\/b> · FargateService<br\/>1-2 Fargate tasks, all on Spot<br\/>public ALB<br\/>1 S3 bucket<br\/><i>5 resources · \$9\.50\/mo<\/i>"\]/,
    );
    assert.match(
      text,
      /c_Queues_agents\["<b>agents<\/b> · Queues<br\/>1 SQS queue<br\/><i>3 resources · \$0\.10\/mo<\/i>"\]/,
    );
    assert.deepStrictEqual(
      text.split("\n").filter((l) => l.includes("->")),
      ["  c_FargateService_web --> c_Queues_agents"],
    );
    assert.deepStrictEqual(monitoringSummary(arch), [
      "agents → observability (cloudwatch MetricAlarm → sns Topic)",
    ]);
  });

  it("draws a component's resources by type, folds settings into what they configure, and boxes its neighbours", () => {
    const text = resourceDiagram(arch, byName("agents"));
    assert.match(text, /subgraph c_Queues_agents\["agents: Queues"\]/);
    assert.match(text, /subgraph c_QueuePair_agents_pm\["agents-pm: QueuePair"\]/);
    // The queue policy only configures the queue: one box.
    assert.match(text, /g_QueuePair_agents_pm_sqs_Queue\["1 × sqs Queue<br\/>\+ Policy"\]/);
    assert.doesNotMatch(text, /g_QueuePair_agents_pm_sqs_QueuePolicy\[/);
    const edges = text.split("\n").filter((l) => l.includes("->"));
    assert.deepStrictEqual(edges, [
      "  g_QueuePair_agents_pm_cloudwatch_MetricAlarm -.-> g_QueuePair_agents_pm_sqs_Queue",
      "  g_QueuePair_agents_pm_cloudwatch_MetricAlarm -.-> x_Observability_observability",
      "  x_FargateService_web --> g_QueuePair_agents_pm_sqs_Queue",
    ]);
    assert.match(text, /x_FargateService_web\(\["web: FargateService"\]\)/);
  });

  it("draws many components watching one as a single box", () => {
    const watchers = ["a", "b", "c", "d"].map((n) => comp("Thing", n));
    const alarms = watchers.map((w) =>
      res("aws:cloudwatch/metricAlarm:MetricAlarm", `${w.name}-alarm`, w, {}, [topic]),
    );
    const text = resourceDiagram(
      architectureOf([stack, observability, topic, ...watchers, ...alarms]),
      architectureOf([stack, observability, topic, ...watchers, ...alarms]).components.find(
        (c) => c.name === "observability",
      )!,
    );
    assert.match(text, /x_watchers\(\["4 components' alarms and logs: a, b, c, d"\]\)/);
    assert.deepStrictEqual(
      text.split("\n").filter((l) => l.includes("->")),
      ["  x_watchers -.-> g_Observability_observability_sns_Topic"],
    );
  });

  it("names types briefly", () => {
    assert.strictEqual(shortType("aws:sqs/queue:Queue"), "sqs Queue");
    assert.strictEqual(shortType("pulumiservice:index:Stack"), "Stack");
    assert.strictEqual(shortType("kubernetes:apps/v1:Deployment"), "apps/v1 Deployment");
  });
});
