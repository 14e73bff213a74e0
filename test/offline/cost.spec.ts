import * as assert from "assert";
import { CostItem, estimateCost, loadPrices, spotTaskRange } from "../../cost/estimate";
import { fakeResource } from "../helpers/offline";

/*
 * What the estimate counts besides each resource's own price, and the ranges where a figure depends on what the
 * program cannot know. Expected figures are worked out by hand from cost/prices.json in each test.
 */

const ends = (i: CostItem | undefined) => (i ? [i.minMonthlyUsd, i.maxMonthlyUsd] : undefined);

describe("cost estimate: ranges", () => {
  it("prices a rotating KMS key from $1 (first year) to $3 (after its second rotation); a key without rotation at $1", () => {
    const { items } = estimateCost([
      fakeResource("aws:kms/key:Key", "rotating", { enableKeyRotation: true }),
      fakeResource("aws:kms/key:Key", "fixed", {}),
    ]);
    assert.deepStrictEqual(
      items.map((i) => [i.name, i.minMonthlyUsd, i.maxMonthlyUsd, i.dependsOn]),
      [
        ["rotating", 1, 3, "how many times the key has rotated (its age)"],
        ["fixed", 1, 1, undefined],
      ],
    );
  });

  describe("Fargate tasks under weighted capacity providers", () => {
    const td = fakeResource(
      "aws:ecs/taskDefinition:TaskDefinition",
      "td",
      { cpu: "512", memory: "1024" },
      { outputs: { arn: "arn:td" } },
    );
    const service = (desiredCount: number, strategy: unknown[]) =>
      fakeResource("aws:ecs/service:Service", "svc", {
        desiredCount,
        taskDefinition: "arn:td",
        capacityProviderStrategies: strategy,
      });
    const HALF = [
      { capacityProvider: "FARGATE", weight: 1 },
      { capacityProvider: "FARGATE_SPOT", weight: 1 },
    ];

    it("prices a task on Spot or on demand by the capacity provider its strategy names", () => {
      const only = (capacityProvider: string) =>
        ends(estimateCost([td, service(1, [{ capacityProvider, weight: 1 }])]).items[0]);
      assert.deepStrictEqual(
        [only("FARGATE_SPOT"), only("FARGATE")],
        [
          [5.55, 5.55],
          [18.02, 18.02],
        ],
      );
    });

    it("runs one task under 1:1 weights wholly on one provider: Spot ($5.55) or on demand ($18.02), not the blend", () => {
      // (0.01246 x 0.5 + 0.00137 x 1) x 730 = 5.548; (0.04048 x 0.5 + 0.004445 x 1) x 730 = 18.02005.
      const item = estimateCost([td, service(1, HALF)]).items[0];
      assert.deepStrictEqual(ends(item), [5.55, 18.02]);
      assert.strictEqual(
        item.dependsOn,
        "which capacity provider ECS places each task on (Spot or on demand)",
      );
    });

    it("keeps three tasks within a whole task of the ratio: one or two on Spot", () => {
      assert.deepStrictEqual(spotTaskRange(HALF, 3), { min: 1, max: 2 });
      // Two on Spot + one on demand .. one on Spot + two on demand.
      assert.deepStrictEqual(ends(estimateCost([td, service(3, HALF)]).items[0]), [29.12, 41.59]);
    });

    it("has no range when the base covers every task or one provider has all the weight", () => {
      const base = [{ capacityProvider: "FARGATE", base: 2, weight: 1 }, HALF[1]];
      assert.deepStrictEqual(spotTaskRange(base, 2), { min: 0, max: 0 });
      assert.deepStrictEqual(spotTaskRange(base, 4), { min: 1, max: 1 });
      // One on demand as the base, the other four split 1:3.
      const oneToThree = [
        { capacityProvider: "FARGATE", base: 1, weight: 1 },
        { capacityProvider: "FARGATE_SPOT", weight: 3 },
      ];
      assert.deepStrictEqual(spotTaskRange(oneToThree, 5), { min: 3, max: 3 });
      assert.deepStrictEqual(spotTaskRange([{ capacityProvider: "FARGATE_SPOT", weight: 1 }], 2), {
        min: 2,
        max: 2,
      });
      const item = estimateCost([td, service(2, base)]).items[0];
      assert.deepStrictEqual(ends(item), [36.04, 36.04]);
      assert.strictEqual(item.dependsOn, undefined);
    });
  });

  describe("Route 53 health checks", () => {
    const check = (inputs: Record<string, unknown>) =>
      estimateCost([
        fakeResource("aws:route53/healthCheck:HealthCheck", "hc", { fqdn: "app.example.com", ...inputs }),
      ]);

    it("adds the HTTPS feature to the basic price, at the AWS-endpoint and the other-endpoint rate", () => {
      const item = check({ type: "HTTPS", requestInterval: 30 }).items[0];
      assert.deepStrictEqual(ends(item), [1.5, 2.75]);
      assert.match(item.dependsOn!, /app\.example\.com as an AWS endpoint/);
    });
    it("charges the basic price alone for plain HTTP, and every optional feature on top", () => {
      assert.deepStrictEqual(ends(check({ type: "HTTP" }).items[0]), [0.5, 0.75]);
      // HTTPS, string matching, 10-second interval, latency: 0.50 + 4 x 1.00 .. 0.75 + 4 x 2.00.
      assert.deepStrictEqual(
        ends(check({ type: "HTTPS_STR_MATCH", requestInterval: 10, measureLatency: true }).items[0]),
        [4.5, 8.75],
      );
    });
    it("lists calculated and alarm-based checks as having no price model", () => {
      const { items, notEstimated } = check({ type: "CALCULATED" });
      assert.deepStrictEqual([items, notEstimated.map((n) => n.reason)], [[], ["no price model"]]);
    });
  });
});

describe("cost estimate: what AWS creates for a resource", () => {
  it("counts the two alarms of each target-tracking policy, per metric they read; step scaling adds none", () => {
    const policy = (name: string, inputs: Record<string, unknown>) =>
      fakeResource("aws:appautoscaling/policy:Policy", name, inputs);
    const { items, notEstimated } = estimateCost([
      policy("cpu", {
        policyType: "TargetTrackingScaling",
        targetTrackingScalingPolicyConfiguration: {
          predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
        },
      }),
      policy("backlog", {
        policyType: "TargetTrackingScaling",
        targetTrackingScalingPolicyConfiguration: {
          customizedMetricSpecification: {
            metrics: [
              { id: "visible", metricStat: { stat: "Average" } },
              { id: "running", metricStat: { stat: "Average" } },
              { id: "perTask", expression: "visible / running" },
            ],
          },
        },
      }),
      policy("steps", { policyType: "StepScaling" }),
    ]);
    assert.deepStrictEqual(
      items.map((i) => [i.name, i.monthlyUsd, i.basis]),
      [
        ["cpu", 0.2, "created-by-aws"],
        ["backlog", 0.4, "created-by-aws"],
      ],
    );
    assert.deepStrictEqual(notEstimated, []);
  });

  it("counts the secret RDS manages for the master password, next to the instance itself", () => {
    const db = (name: string, manageMasterUserPassword: boolean) =>
      fakeResource("aws:rds/instance:Instance", name, {
        instanceClass: "db.t4g.micro",
        allocatedStorage: 20,
        manageMasterUserPassword,
      });
    const { items } = estimateCost([db("managed", true), db("own", false)]);
    assert.deepStrictEqual(
      items.map((i) => [i.name, i.monthlyUsd, i.basis]),
      [
        ["managed", 13.98, "resource"],
        ["managed", 0.4, "created-by-aws"],
        ["own", 13.98, "resource"],
      ],
    );
  });

  describe("ECS Container Insights", () => {
    const cluster = (setting?: string) =>
      fakeResource(
        "aws:ecs/cluster:Cluster",
        "cluster",
        { name: "c1", ...(setting ? { settings: [{ name: "containerInsights", value: setting }] } : {}) },
        { outputs: { arn: "arn:cluster/c1", name: "c1" } },
      );
    const td = (name: string, family: string) =>
      fakeResource(
        "aws:ecs/taskDefinition:TaskDefinition",
        name,
        { family, cpu: "256", memory: "512" },
        { outputs: { arn: `arn:${name}` } },
      );
    const svc = (name: string, taskDefinition: string) =>
      fakeResource("aws:ecs/service:Service", name, {
        cluster: "arn:cluster/c1",
        desiredCount: 1,
        taskDefinition,
        launchType: "FARGATE",
      });
    const insights = (resources: ReturnType<typeof fakeResource>[]) =>
      estimateCost(resources).items.find((i) => i.type === "aws:ecs/cluster:Cluster");

    it("bills 10 cluster, 13 service and 8 task-family metrics at $0.30: $9.30 for one service", () => {
      const item = insights([cluster("enabled"), td("td", "web"), svc("web", "arn:td")]);
      assert.deepStrictEqual([ends(item), item?.basis], [[9.3, 9.3], "created-by-aws"]);
    });
    it("grows with services and families, not with tasks: two services of one family are 44 metrics", () => {
      const item = insights([cluster("enabled"), td("td", "web"), svc("a", "arn:td"), svc("b", "arn:td")]);
      assert.deepStrictEqual(ends(item), [13.2, 13.2]);
    });
    it("costs nothing when disabled, and is not priced when enhanced", () => {
      assert.strictEqual(insights([cluster("disabled"), td("td", "web"), svc("web", "arn:td")]), undefined);
      const enhanced = estimateCost([cluster("enhanced")]);
      assert.deepStrictEqual([enhanced.items, enhanced.notEstimated.map((n) => n.name)], [[], ["cluster"]]);
      assert.match(enhanced.notEstimated[0].reason, /^no price model: Container Insights with enhanced/);
    });
    it("runs from nothing to the full price when the cluster leaves it to the account's default", () => {
      const item = insights([cluster(), td("td", "web"), svc("web", "arn:td")]);
      assert.deepStrictEqual(ends(item), [0, 9.3]);
      assert.match(item!.dependsOn!, /account's containerInsights default/);
    });
  });

  describe("the EKS CloudWatch observability add-on", () => {
    const addon = (addonName: string, configurationValues?: string) =>
      fakeResource("aws:eks/addon:Addon", addonName, {
        clusterName: "k",
        addonName,
        ...(configurationValues ? { configurationValues } : {}),
      });
    const group = (name: string, min: number, max: number, type = "t3.medium") =>
      fakeResource("aws:eks/nodeGroup:NodeGroup", name, {
        clusterName: "k",
        instanceTypes: [type],
        scalingConfig: { minSize: min, desiredSize: min, maxSize: max },
      });
    const observability = (resources: ReturnType<typeof fakeResource>[]) =>
      estimateCost(resources).items.find((i) => i.type === "aws:eks/addon:Addon");

    it("prices observations from the smallest to the largest cluster the node groups allow", () => {
      // Every node runs the DaemonSet pods of vpc-cni (1 pod, 2 containers), kube-proxy (1, 1) and the add-on
      // itself (cloudwatch-agent and fluent-bit: 2, 2): 26 node series + 4 x 33 + 5 x 12 = 218 series. A full
      // t3.medium adds 17 - 4 = 13 single-container pods: 13 x (33 + 12) = 585.
      // min: 102 cluster series + 1 node x 218 = 320; max: 102 + 4 nodes x (218 + 585) = 3314;
      // each series 43,800 observations a month at $0.21 per million: $2.94 and $30.48.
      const item = observability([
        addon("vpc-cni"),
        addon("kube-proxy"),
        addon("amazon-cloudwatch-observability"),
        group("a", 1, 3),
        group("b", 0, 1),
      ]);
      assert.deepStrictEqual(ends(item), [2.94, 30.48]);
      assert.strictEqual(item?.dependsOn, "node count and pods per node");
    });
    it("prices only the CloudWatch observability add-on, and not when enhanced observability is off", () => {
      assert.strictEqual(observability([addon("coredns"), group("a", 1, 3)]), undefined);
      const off = JSON.stringify({
        agent: {
          config: { logs: { metrics_collected: { kubernetes: { enhanced_container_insights: false } } } },
        },
      });
      const { items, notEstimated } = estimateCost([addon("amazon-cloudwatch-observability", off)]);
      assert.deepStrictEqual([items, notEstimated.length], [[], 1]);
    });
  });
});

describe("cost estimate: what the stack uses without creating", () => {
  it("counts each hosted zone the stack's records are in but the stack does not create, once", () => {
    const record = (name: string, zoneId: string) =>
      fakeResource("aws:route53/record:Record", name, { zoneId, name, type: "A" });
    const zone = fakeResource(
      "aws:route53/zone:Zone",
      "own",
      { name: "own.example.com" },
      {
        id: "ZOWN1234567890",
        outputs: { zoneId: "ZOWN1234567890" },
      },
    );
    const { items } = estimateCost([
      record("a", "Z0EXTERNAL12345"),
      record("b", "Z0EXTERNAL12345"),
      zone,
      record("c", "ZOWN1234567890"),
    ]);
    assert.deepStrictEqual(
      items.map((i) => [i.name, i.monthlyUsd, i.basis]),
      [
        ["own", 0.5, "resource"],
        ["a", 0.5, "used-not-created"],
      ],
    );
    assert.match(items[1].description, /hosted zone Z0EXTERNAL12345/);
  });
});

describe("cost estimate: what it does not price", () => {
  it("lists a type without a price model, says nothing of a free one, and keeps usage-priced ones apart", () => {
    const { items, notEstimated } = estimateCost([
      fakeResource("aws:synthetics/somethingNew:SomethingNew", "mystery", {}),
      fakeResource("aws:iam/role:Role", "role", {}),
      fakeResource("aws:sqs/queue:Queue", "q", {}),
      fakeResource("pulumi:providers:aws", "provider", {}),
    ]);
    assert.deepStrictEqual(items, []);
    assert.deepStrictEqual(
      notEstimated.map((n) => [n.name, n.reason]),
      [
        ["mystery", "no price model"],
        ["q", "usage-priced: requests (first million free)"],
      ],
    );
  });

  it("keeps every free type's reason in cost/prices.json, and no type both free and priced by usage", () => {
    const prices = loadPrices();
    for (const [type, reason] of Object.entries(prices.noCharge)) {
      assert.match(type, /^aws:[a-z0-9]+\/[a-zA-Z0-9]+:[A-Z][a-zA-Z0-9]+$/, type);
      assert.ok(reason.length > 0, type);
      assert.strictEqual(prices.usagePriced[type], undefined, `${type} is both free and usage-priced`);
    }
  });
});
