import * as assert from "assert";
import { estimateCost, loadPrices, spotTaskRange } from "../../cost/estimate";
import type { Prices } from "../../cost/types";
import type { RegisteredResource } from "../../tools/offline/evaluate";
import { UNKNOWN } from "../../lib/unknown";
import { fakeResource } from "../helpers/offline";

/*
 * Each pricing rule against prices chosen so every factor is visible (round hourly prices, 100 hours a month),
 * over both sides of each condition, and properties that hold for any price list: hourly items scale with the
 * hours per month and monthly ones do not; totals are the sums of their items.
 */

/** cost/prices.json with round figures: every expected value below is worked out by hand from these. */
function simplePrices(): Prices {
  const p = structuredClone(loadPrices());
  p.hoursPerMonth = 100;
  Object.assign(p.hourly, {
    natGateway: 0.5,
    publicIpv4: 0.01,
    applicationLoadBalancer: 0.2,
    networkLoadBalancer: 0.3,
    interfaceEndpointPerAz: 0.04,
    eksCluster: 1,
    fargateVcpu: { X86_64: 0.4, ARM64: 0.3 },
    fargateGb: { X86_64: 0.05, ARM64: 0.04 },
    fargateSpotVcpu: 0.1,
    fargateSpotGb: 0.02,
  });
  p.spotDiscountEc2 = 0.75;
  p.ec2 = { "t3.medium": 0.04, "m7g.large": 0.08 };
  p.rds = { "db.t4g.micro": 0.02 };
  p.rdsStorageGbMonth = { gp3: 0.1, io2: 0.5 };
  p.elasticache = { "cache.t4g.micro": 0.02 };
  p.elasticacheValkey = { "cache.t4g.micro": 0.01 };
  p.ebsGbMonth = { gp3: 0.1, io2: 0.2 };
  Object.assign(p.monthly, {
    kmsKey: 1,
    secret: 0.4,
    alarm: 0.1,
    dashboard: 3,
    wafWebAcl: 5,
    wafRule: 1,
    route53Zone: 0.5,
  });
  return p;
}

const P = simplePrices();
const usd = (resources: RegisteredResource[], prices = P) =>
  estimateCost(resources, prices).items.map((i) => [i.name, i.minMonthlyUsd, i.maxMonthlyUsd]);
const subnets = (n: number) => Array.from({ length: n }, (_, i) => `subnet-${i}`);

describe("cost estimate: each rule, both sides", () => {
  it("load balancers: the network or application rate, plus one public IPv4 per AZ unless internal", () => {
    const lb = (name: string, inputs: Record<string, unknown>) =>
      fakeResource("aws:lb/loadBalancer:LoadBalancer", name, inputs);
    assert.deepStrictEqual(
      usd([
        lb("alb-2az", { subnets: subnets(2) }),
        lb("nlb-3az", { loadBalancerType: "network", subnetMappings: [{}, {}, {}] }),
        lb("nlb-internal", { loadBalancerType: "network", internal: true, subnets: subnets(3) }),
        lb("alb-internal", { loadBalancerType: "application", internal: true }),
        lb("alb-no-subnets", {}),
        lb("gateway-typed-as-alb", { loadBalancerType: "gateway", subnets: subnets(1) }),
      ]),
      [
        ["alb-2az", 22, 22],
        ["nlb-3az", 33, 33],
        ["nlb-internal", 30, 30],
        ["alb-internal", 20, 20],
        ["alb-no-subnets", 21, 21],
        ["gateway-typed-as-alb", 21, 21],
      ],
    );
    const [alb] = estimateCost([lb("a", { subnets: subnets(2) })], P).items;
    assert.match(alb.description, /^application load balancer, 100 h .* \+ 2 public IPv4$/);
    const [nlb] = estimateCost([lb("n", { loadBalancerType: "network", internal: true })], P).items;
    assert.match(nlb.description, /^network load balancer, 100 h \(LCUs are usage\)$/);
    const classic = fakeResource("aws:alb/loadBalancer:LoadBalancer", "legacy", { subnets: subnets(1) });
    assert.deepStrictEqual(usd([classic]), [["legacy", 21, 21]]);
  });

  it("NAT gateways, addresses, interface endpoints (gateway ones are free) and EKS control planes by the hour", () => {
    const { items, notEstimated } = estimateCost(
      [
        fakeResource("aws:ec2/natGateway:NatGateway", "nat", {}),
        fakeResource("aws:ec2/eip:Eip", "eip", {}),
        fakeResource("aws:ec2/vpcEndpoint:VpcEndpoint", "ssm", {
          vpcEndpointType: "Interface",
          serviceName: "ssm",
          subnetIds: subnets(3),
        }),
        fakeResource("aws:ec2/vpcEndpoint:VpcEndpoint", "one", {
          vpcEndpointType: "Interface",
          serviceName: "sts",
        }),
        fakeResource("aws:ec2/vpcEndpoint:VpcEndpoint", "s3", {
          vpcEndpointType: "Gateway",
          serviceName: "s3",
        }),
        fakeResource("aws:eks/cluster:Cluster", "eks", {}),
      ],
      P,
    );
    assert.deepStrictEqual(
      items.map((i) => [i.name, i.minMonthlyUsd]),
      [
        ["nat", 50],
        ["eip", 1],
        ["ssm", 12],
        ["one", 4],
        ["eks", 100],
      ],
    );
    assert.match(items[2].description, /ssm in 3 AZ/);
    assert.deepStrictEqual(
      notEstimated.map((n) => [n.name, n.reason]),
      [["s3", "gateway endpoints are free"]],
    );
  });

  it("node groups: desired nodes x (hourly, Spot-discounted, + their volumes); an unpriced type is skipped", () => {
    const ng = (name: string, inputs: Record<string, unknown>) =>
      fakeResource("aws:eks/nodeGroup:NodeGroup", name, inputs);
    const template = fakeResource("aws:ec2/launchTemplate:LaunchTemplate", "lt", {
      blockDeviceMappings: [{ ebs: { volumeSize: 50, volumeType: "io2" } }, { ebs: { volumeSize: 10 } }, {}],
    });
    const { items, notEstimated } = estimateCost(
      [
        template,
        ng("default", {}),
        ng("three", { instanceTypes: ["m7g.large"], scalingConfig: { desiredSize: 3 }, diskSize: 40 }),
        ng("spot", { instanceTypes: ["m7g.large"], capacityType: "SPOT", diskSize: 0 }),
        ng("templated", { launchTemplate: { id: template.id } }),
        ng("unpriced", { instanceTypes: ["x9.huge"] }),
      ],
      P,
    );
    assert.deepStrictEqual(
      items.map((i) => [i.name, i.minMonthlyUsd]),
      [
        // 0.04 x 100 + 20 GB x 0.1
        ["default", 6],
        // 3 x (0.08 x 100 + 40 x 0.1)
        ["three", 36],
        // 0.08 x 100 x (1 - 0.75) + 0
        ["spot", 2],
        // 0.04 x 100 + 50 x 0.2 + 10 x 0.1
        ["templated", 15],
      ],
    );
    assert.match(items[2].description, /^1 x m7g\.large Spot, 0 GB EBS each$/);
    assert.match(items[3].description, /60 GB EBS each$/);
    assert.deepStrictEqual(
      notEstimated.map((n) => n.name),
      ["unpriced"],
    );
  });

  it("RDS instances: Multi-AZ doubles instance and storage; storage defaults to 20 GB gp3", () => {
    const db = (name: string, inputs: Record<string, unknown>) =>
      fakeResource("aws:rds/instance:Instance", name, { instanceClass: "db.t4g.micro", ...inputs });
    assert.deepStrictEqual(
      usd([
        db("single", {}),
        db("multi", { multiAz: true, allocatedStorage: 30 }),
        db("io2", { allocatedStorage: 10, storageType: "io2" }),
        db("unknown-storage", { storageType: "magnetic" }),
      ]),
      [
        ["single", 4, 4],
        ["multi", 10, 10],
        ["io2", 7, 7],
        ["unknown-storage", 4, 4],
      ],
    );
    assert.deepStrictEqual(
      estimateCost([db("big", { instanceClass: "db.x9.huge" })], P).notEstimated.map((n) => n.reason),
      ["no price for instance class db.x9.huge in cost/prices.json"],
    );
  });

  it("cache replication groups: nodes from shards x (replicas + 1) or cache clusters; Valkey at its own rate", () => {
    const rg = (name: string, inputs: Record<string, unknown>) =>
      fakeResource("aws:elasticache/replicationGroup:ReplicationGroup", name, {
        nodeType: "cache.t4g.micro",
        ...inputs,
      });
    assert.deepStrictEqual(
      usd([
        rg("one", {}),
        rg("clusters", { numCacheClusters: 3 }),
        rg("sharded", { numNodeGroups: 2, replicasPerNodeGroup: 1 }),
        rg("valkey", { engine: "valkey", numCacheClusters: 2 }),
      ]),
      [
        ["one", 2, 2],
        ["clusters", 6, 6],
        ["sharded", 8, 8],
        ["valkey", 2, 2],
      ],
    );
    const { notEstimated } = estimateCost([rg("big", { engine: "valkey", nodeType: "cache.x9" })], P);
    assert.deepStrictEqual(
      notEstimated.map((n) => n.reason),
      ["no price for Valkey node type cache.x9 in cost/prices.json"],
    );
  });

  it("monthly items: secrets, alarms per metric query, dashboards, web ACLs per rule, zones, volumes", () => {
    assert.deepStrictEqual(
      usd([
        fakeResource("aws:secretsmanager/secret:Secret", "secret", {}),
        fakeResource("aws:cloudwatch/metricAlarm:MetricAlarm", "plain", {}),
        fakeResource("aws:cloudwatch/metricAlarm:MetricAlarm", "math", {
          metricQueries: [{ metric: {} }, { metric: {} }, { expression: "m1+m2" }],
        }),
        fakeResource("aws:cloudwatch/dashboard:Dashboard", "dash", {}),
        fakeResource("aws:wafv2/webAcl:WebAcl", "acl", { rules: [{}, {}] }),
        fakeResource("aws:route53/zone:Zone", "zone", {}),
        fakeResource("aws:ebs/volume:Volume", "gp3", { size: 30 }),
        fakeResource("aws:ebs/volume:Volume", "io2", { size: 30, type: "io2" }),
        fakeResource("aws:ebs/volume:Volume", "odd", { size: "10", type: "st9" }),
      ]),
      [
        ["secret", 0.4, 0.4],
        ["plain", 0.1, 0.1],
        ["math", 0.2, 0.2],
        ["dash", 3, 3],
        ["acl", 7, 7],
        ["zone", 0.5, 0.5],
        ["gp3", 3, 3],
        ["io2", 6, 6],
        ["odd", 1, 1],
      ],
    );
  });

  it("API Gateway stages: only a cache is reported, as unpriced", () => {
    const { items, notEstimated } = estimateCost(
      [
        fakeResource("aws:apigateway/stage:Stage", "cached", { cacheClusterEnabled: true }),
        fakeResource("aws:apigateway/stage:Stage", "plain", { cacheClusterEnabled: false }),
      ],
      P,
    );
    assert.deepStrictEqual(items, []);
    assert.deepStrictEqual(
      notEstimated.map((n) => [n.name, n.reason]),
      [["cached", "no price model: API Gateway cache"]],
    );
  });

  it("skips providers and components, and totals are the sums of the items' ends", () => {
    const rotating = fakeResource("aws:kms/key:Key", "k", { enableKeyRotation: true });
    const component = { ...fakeResource("aws:ec2/natGateway:NatGateway", "not-custom", {}), custom: false };
    const provider = fakeResource("pulumi:providers:aws", "aws", {});
    const est = estimateCost(
      [rotating, component, provider, fakeResource("aws:ec2/natGateway:NatGateway", "nat", {})],
      P,
    );
    assert.deepStrictEqual(
      est.items.map((i) => i.name),
      ["k", "nat"],
    );
    assert.deepStrictEqual(est.notEstimated, []);
    const min = est.items.reduce((t, i) => t + i.minMonthlyUsd, 0);
    const max = est.items.reduce((t, i) => t + i.maxMonthlyUsd, 0);
    assert.deepStrictEqual([est.monthlyUsd, est.minMonthlyUsd, est.maxMonthlyUsd], [min, min, max]);
    assert.ok(est.maxMonthlyUsd > est.minMonthlyUsd);
    assert.deepStrictEqual([est.currency, est.priceRegion, est.priceDate], [P.currency, P.region, P.date]);
    assert.ok(est.items.every((i) => i.monthlyUsd === i.minMonthlyUsd));
    assert.deepStrictEqual(
      est.items.map((i) => i.basis),
      ["resource", "resource"],
    );
    assert.strictEqual(est.items[1].dependsOn, undefined, "a fixed figure says nothing it depends on");
  });

  it("hourly items scale with the hours per month; monthly items do not", () => {
    const resources = [
      fakeResource("aws:ec2/natGateway:NatGateway", "nat", {}),
      fakeResource("aws:lb/loadBalancer:LoadBalancer", "nlb", {
        loadBalancerType: "network",
        subnets: subnets(2),
      }),
      fakeResource("aws:eks/cluster:Cluster", "eks", {}),
      fakeResource("aws:rds/instance:Instance", "db", { instanceClass: "db.t4g.micro", allocatedStorage: 0 }),
      fakeResource("aws:elasticache/replicationGroup:ReplicationGroup", "cache", {
        nodeType: "cache.t4g.micro",
      }),
      fakeResource("aws:secretsmanager/secret:Secret", "secret", {}),
      fakeResource("aws:route53/zone:Zone", "zone", {}),
    ];
    const hourly = ["nat", "nlb", "eks", "db", "cache"];
    for (const hours of [1, 730, 744]) {
      const scaled = { ...P, hoursPerMonth: hours };
      for (const [name, min] of usd(resources, scaled)) {
        const [, base] = usd(resources).find(([n]) => n === name)!;
        const expected = hourly.includes(name as string)
          ? Math.round((((base as number) * hours) / 100) * 100) / 100
          : base;
        assert.strictEqual(min, expected, `${name} at ${hours} h`);
      }
    }
  });
});

describe("cost estimate: Fargate tasks, both sides", () => {
  const td = (arch?: string) =>
    fakeResource(
      "aws:ecs/taskDefinition:TaskDefinition",
      `td-${arch ?? "default"}`,
      { cpu: "1024", memory: "2048", ...(arch ? { runtimePlatform: { cpuArchitecture: arch } } : {}) },
      { outputs: { arn: `arn:td-${arch ?? "default"}` } },
    );
  const svc = (name: string, inputs: Record<string, unknown>) =>
    fakeResource("aws:ecs/service:Service", name, { taskDefinition: "arn:td-default", ...inputs });
  const ONLY = (capacityProvider: string, base = 0) => [{ capacityProvider, weight: 1, base }];
  // One task of 1 vCPU / 2 GB: on demand (0.4 + 2 x 0.05) x 100 = $50, on Spot (0.1 + 2 x 0.02) x 100 = $14.

  it("prices on-demand and Spot tasks, the launch type overriding any strategy", () => {
    assert.deepStrictEqual(
      usd([
        td(),
        svc("on-demand", { capacityProviderStrategies: ONLY("FARGATE") }),
        svc("spot", { capacityProviderStrategies: ONLY("FARGATE_SPOT") }),
        svc("launch-type", { launchType: "FARGATE", capacityProviderStrategies: ONLY("FARGATE_SPOT") }),
        svc("two-spot", { desiredCount: 2, capacityProviderStrategies: ONLY("FARGATE_SPOT") }),
        svc("no-strategy", {}),
      ]),
      [
        ["on-demand", 50, 50],
        ["spot", 14, 14],
        ["launch-type", 50, 50],
        ["two-spot", 28, 28],
        ["no-strategy", 50, 50],
      ],
    );
  });

  it("puts base tasks on the provider that names the base, then splits the rest by weight", () => {
    const strategy = (spotBase: number, demandBase: number) => [
      { capacityProvider: "FARGATE", weight: 1, base: demandBase },
      { capacityProvider: "FARGATE_SPOT", weight: 3, base: spotBase },
    ];
    // Two on-demand base tasks of four, the other two 1:3 -> 1.5 on Spot: one or two.
    assert.deepStrictEqual(
      usd([td(), svc("s", { desiredCount: 4, capacityProviderStrategies: strategy(0, 2) })]),
      [["s", 50 * 2 + 14 * 2, 50 * 3 + 14]],
    );
    // Two Spot base tasks of four, the other two 1:3 -> one or two more: three or four on Spot. three or four in all.
    assert.deepStrictEqual(
      usd([td(), svc("s", { desiredCount: 4, capacityProviderStrategies: strategy(2, 0) })]),
      [["s", 14 * 4, 50 + 14 * 3]],
    );
  });

  it("uses the cluster's default strategy for a service without its own", () => {
    const defaults = fakeResource("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders", "cp", {
      clusterName: "arn:cluster",
      defaultCapacityProviderStrategies: ONLY("FARGATE_SPOT"),
    });
    assert.deepStrictEqual(usd([td(), defaults, svc("s", { cluster: "arn:cluster" })]), [["s", 14, 14]]);
    assert.deepStrictEqual(usd([td(), defaults, svc("s", { cluster: "arn:other" })]), [["s", 50, 50]]);
  });

  it("prices ARM64 at its own rate, an unknown architecture at x86's, and adds public IPs per task", () => {
    assert.deepStrictEqual(
      usd([
        td("ARM64"),
        td("RISCV"),
        svc("arm", { taskDefinition: "arn:td-ARM64", capacityProviderStrategies: ONLY("FARGATE") }),
        svc("other", { taskDefinition: "arn:td-RISCV", capacityProviderStrategies: ONLY("FARGATE") }),
        svc("arm-spot", { taskDefinition: "arn:td-ARM64", capacityProviderStrategies: ONLY("FARGATE_SPOT") }),
      ]).filter(([n]) => !String(n).startsWith("td")),
      [
        // (0.3 + 2 x 0.04) x 100
        ["arm", 38, 38],
        ["other", 50, 50],
        ["arm-spot", 14, 14],
      ],
    );
    assert.deepStrictEqual(
      usd([
        td(),
        svc("ip", { desiredCount: 2, networkConfiguration: { assignPublicIp: true }, launchType: "FARGATE" }),
      ]),
      [["ip", 102, 102]],
    );
    assert.deepStrictEqual(
      usd([td(), svc("no-ip", { networkConfiguration: { assignPublicIp: false }, launchType: "FARGATE" })]),
      [["no-ip", 50, 50]],
    );
  });

  it("describes where tasks land, and says what a range depends on only when there is one", () => {
    const describe = (desiredCount: number, strategy: unknown[]) =>
      estimateCost([td(), svc("s", { desiredCount, capacityProviderStrategies: strategy })], P).items[0];
    const half = [
      { capacityProvider: "FARGATE", weight: 1 },
      { capacityProvider: "FARGATE_SPOT", weight: 1 },
    ];
    assert.match(describe(1, half).description, /0-1 on Spot/);
    assert.match(describe(1, half).dependsOn!, /capacity provider/);
    assert.match(
      describe(2, ONLY("FARGATE_SPOT")).description,
      /^2 Fargate task\(s\) of 1 vCPU \/ 2 GB X86_64, all on Spot$/,
    );
    assert.match(describe(2, ONLY("FARGATE")).description, /none on Spot$/);
    assert.match(describe(2, half).description, /, 1 on Spot$/);
    for (const strategy of [ONLY("FARGATE"), ONLY("FARGATE_SPOT"), half])
      assert.strictEqual(describe(2, strategy).dependsOn, undefined);
  });

  it("skips a service whose task definition is not in the stack, and follows an unknown one to what it was built from", () => {
    const { notEstimated } = estimateCost([svc("lost", { taskDefinition: "arn:elsewhere" })], P);
    assert.deepStrictEqual(
      notEstimated.map((n) => n.reason),
      ["task definition not found among the stack's resources"],
    );
    const pending = td();
    const unknown = svc("first-preview", { taskDefinition: UNKNOWN, launchType: "FARGATE" });
    unknown.propertyDependencies = { taskDefinition: [pending.urn] };
    assert.deepStrictEqual(usd([{ ...pending, outputs: { arn: UNKNOWN } }, unknown]), [
      ["first-preview", 50, 50],
    ]);
  });

  it("spotTaskRange: within the desired count, at most one task apart, base tasks where the base says", () => {
    for (let desired = 0; desired <= 6; desired++)
      for (const spotBase of [0, 1, 3])
        for (const demandBase of [0, 2])
          for (const [demandWeight, spotWeight] of [
            [0, 1],
            [1, 0],
            [1, 1],
            [1, 3],
            [0, 0],
          ]) {
            const strategy = [
              { capacityProvider: "FARGATE", base: demandBase, weight: demandWeight },
              { capacityProvider: "FARGATE_SPOT", base: spotBase, weight: spotWeight },
            ];
            const { min, max } = spotTaskRange(strategy, desired);
            const label = JSON.stringify({ desired, strategy });
            assert.ok(0 <= min && min <= max && max <= desired, label);
            assert.ok(max - min <= 1, label);
            const baseOnDemand = Math.min(demandBase, desired);
            const baseOnSpot = Math.min(spotBase, desired - baseOnDemand);
            assert.ok(min >= baseOnSpot, `${label}: Spot base tasks`);
            assert.ok(desired - max >= baseOnDemand, `${label}: on-demand base tasks`);
            const rest = desired - baseOnDemand - baseOnSpot;
            if (spotWeight === 0) assert.strictEqual(max, baseOnSpot, label);
            if (demandWeight === 0 && spotWeight > 0) assert.strictEqual(min, baseOnSpot + rest, label);
            if (demandWeight + spotWeight === 0)
              assert.deepStrictEqual([min, max], [baseOnSpot, baseOnSpot], label);
          }
    assert.deepStrictEqual(spotTaskRange([], 3), { min: 0, max: 0 });
    assert.deepStrictEqual(spotTaskRange(ONLY("FARGATE_SPOT"), -1), { min: 0, max: 0 });
  });
});

describe("cost estimate: what each item says, and what it follows", () => {
  const one = (r: RegisteredResource, others: RegisteredResource[] = []) =>
    estimateCost([...others, r], P).items.find((i) => i.name === r.name)!;

  it("describes each item by the figures it was priced from", () => {
    const cases: Array<[RegisteredResource, string]> = [
      [fakeResource("aws:ebs/volume:Volume", "v", { size: 30 }), "30 GB gp3"],
      [fakeResource("aws:ebs/volume:Volume", "v", { size: 8, type: "io2" }), "8 GB io2"],
      [fakeResource("aws:eks/nodeGroup:NodeGroup", "n", {}), "1 x t3.medium, 20 GB EBS each"],
      [
        fakeResource("aws:rds/instance:Instance", "d", { instanceClass: "db.t4g.micro" }),
        "db.t4g.micro, 20 GB",
      ],
      [
        fakeResource("aws:rds/instance:Instance", "d", {
          instanceClass: "db.t4g.micro",
          multiAz: true,
          allocatedStorage: 50,
        }),
        "db.t4g.micro Multi-AZ, 50 GB",
      ],
      [
        fakeResource("aws:elasticache/replicationGroup:ReplicationGroup", "c", {
          nodeType: "cache.t4g.micro",
        }),
        "1 x cache.t4g.micro",
      ],
      [
        fakeResource("aws:elasticache/replicationGroup:ReplicationGroup", "c", {
          nodeType: "cache.t4g.micro",
          engine: "valkey",
        }),
        "1 x cache.t4g.micro Valkey",
      ],
      [fakeResource("aws:kms/key:Key", "k", {}), "KMS customer managed key"],
      [
        fakeResource("aws:kms/key:Key", "k", { enableKeyRotation: true, rotationPeriodInDays: 90 }),
        `KMS customer managed key, rotated every 90 days (+$${P.kmsRotation.perRotation.toFixed(2)} for each of its first ${P.kmsRotation.rotationsBilled} rotations)`,
      ],
      [
        fakeResource("aws:route53/healthCheck:HealthCheck", "h", { type: "HTTP", fqdn: "a.example.com" }),
        "Route 53 HTTP health check: basic",
      ],
      [
        fakeResource("aws:route53/healthCheck:HealthCheck", "h", {
          type: "HTTPS_STR_MATCH",
          fqdn: "a.example.com",
          requestInterval: 10,
          measureLatency: true,
        }),
        "Route 53 HTTPS_STR_MATCH health check: basic + 4 optional feature(s) (HTTPS, string matching, fast interval, latency measurement)",
      ],
      [
        fakeResource("aws:route53/healthCheck:HealthCheck", "h", {
          type: "TCP",
          ipAddress: "192.0.2.1",
          requestInterval: 30,
        }),
        "Route 53 TCP health check: basic",
      ],
    ];
    for (const [r, description] of cases) assert.strictEqual(one(r).description, description);
  });

  it("prices each optional health-check feature once, at either rate", () => {
    const { basic, optionalFeature } = P.route53HealthCheck;
    const hc = (inputs: object) =>
      one(fakeResource("aws:route53/healthCheck:HealthCheck", "h", { fqdn: "a.example.com", ...inputs }));
    for (const [inputs, features] of [
      [{ type: "HTTP" }, 0],
      [{ type: "HTTP", requestInterval: 10 }, 1],
      [{ type: "HTTP", measureLatency: true }, 1],
      [{ type: "HTTP_STR_MATCH" }, 1],
      [{ type: "HTTPS", requestInterval: 10, measureLatency: true }, 3],
    ] as Array<[object, number]>) {
      const item = hc(inputs);
      const near = (a: number, b: number) => Math.abs(a - b) < 0.005;
      assert.ok(
        near(item.minMonthlyUsd, basic.awsEndpoint + features * optionalFeature.awsEndpoint),
        JSON.stringify(inputs),
      );
      assert.ok(
        near(item.maxMonthlyUsd, basic.otherEndpoint + features * optionalFeature.otherEndpoint),
        JSON.stringify(inputs),
      );
    }
  });

  it("names a health check's endpoint, or on a first preview what it was built from", () => {
    const zone = fakeResource("aws:route53/record:Record", "app-record", {});
    const pending = fakeResource("aws:route53/healthCheck:HealthCheck", "h", {
      type: "HTTPS",
      fqdn: UNKNOWN,
    });
    pending.propertyDependencies = { fqdn: [zone.urn] };
    assert.match(
      one(pending).dependsOn!,
      /^whether Route 53 counts the endpoint of app-record as an AWS endpoint/,
    );
    const orphan = fakeResource("aws:route53/healthCheck:HealthCheck", "h2", {
      type: "HTTPS",
      fqdn: UNKNOWN,
    });
    assert.match(one(orphan).dependsOn!, /^whether Route 53 counts its endpoint as/);
    const byIp = fakeResource("aws:route53/healthCheck:HealthCheck", "h3", {
      type: "TCP",
      ipAddress: "192.0.2.1",
    });
    assert.match(one(byIp).dependsOn!, /counts 192\.0\.2\.1 as/);
  });

  it("reports RDS clusters and Kubernetes load balancers and volumes as unpriced; other Kubernetes objects are free", () => {
    const { items, notEstimated } = estimateCost(
      [
        fakeResource("aws:rds/cluster:Cluster", "aurora", {}),
        fakeResource("kubernetes:core/v1:Service", "lb", { spec: { type: "LoadBalancer" } }),
        fakeResource("kubernetes:core/v1:Service", "cluster-ip", { spec: { type: "ClusterIP" } }),
        fakeResource("kubernetes:core/v1:PersistentVolumeClaim", "pvc", {}),
        fakeResource("kubernetes:apps/v1:Deployment", "app", {}),
      ],
      P,
    );
    assert.deepStrictEqual(items, []);
    assert.deepStrictEqual(
      notEstimated.map((n) => [n.name, n.reason.split(":")[0]]),
      [
        ["aurora", "no price model"],
        ["lb", "no price model"],
        ["pvc", "no price model"],
      ],
    );
  });

  it("links by ARN only to known ARNs, and by id only to resources of the named type", () => {
    const td = (arn: unknown) =>
      fakeResource(
        "aws:ecs/taskDefinition:TaskDefinition",
        "td",
        { cpu: "1024", memory: "2048" },
        { outputs: { arn } },
      );
    const svc = fakeResource("aws:ecs/service:Service", "svc", {
      taskDefinition: UNKNOWN,
      launchType: "FARGATE",
    });
    const found = (arn: unknown) => estimateCost([td(arn), svc], P).items.length;
    assert.strictEqual(
      found("arn:td"),
      0,
      "an unknown reference without a recorded dependency finds nothing",
    );
    // A node group names its launch template by id: a resource of another type with that id is not it.
    const impostor = fakeResource("aws:ec2/securityGroup:SecurityGroup", "sg", {
      blockDeviceMappings: [{ ebs: { volumeSize: 500 } }],
    });
    const template = fakeResource("aws:ec2/launchTemplate:LaunchTemplate", "lt", {
      blockDeviceMappings: [{ ebs: { volumeSize: 10 } }],
    });
    const ng = (id: unknown) => fakeResource("aws:eks/nodeGroup:NodeGroup", "ng", { launchTemplate: { id } });
    assert.strictEqual(
      one(ng(impostor.id), [impostor, template]).description,
      "1 x t3.medium, 20 GB EBS each",
    );
    assert.strictEqual(
      one(ng(template.id), [impostor, template]).description,
      "1 x t3.medium, 10 GB EBS each",
    );
    const unnamed = { ...template, id: undefined };
    assert.strictEqual(one(ng(undefined), [unnamed]).description, "1 x t3.medium, 20 GB EBS each");
  });

  it("counts a list by its entries, or on a first preview by what it was built from", () => {
    const subnetsBuilt = [0, 1, 2].map((i) => fakeResource("aws:ec2/subnet:Subnet", `s${i}`, {}));
    const other = fakeResource("aws:ec2/securityGroup:SecurityGroup", "sg", {});
    const endpoint = fakeResource("aws:ec2/vpcEndpoint:VpcEndpoint", "ep", {
      vpcEndpointType: "Interface",
      serviceName: "sts",
      subnetIds: UNKNOWN,
    });
    endpoint.propertyDependencies = {
      subnetIds: [...subnetsBuilt.map((s) => s.urn), other.urn, "urn:missing"],
    };
    assert.match(one(endpoint, [...subnetsBuilt, other]).description, /in 3 AZ$/);
  });

  it("keeps what a range depends on only on an item whose ends differ", () => {
    const fixed = one(fakeResource("aws:kms/key:Key", "k", {}));
    assert.ok(!("dependsOn" in fixed));
    const ranged = one(fakeResource("aws:kms/key:Key", "k", { enableKeyRotation: true }));
    assert.strictEqual(ranged.dependsOn, "how many times the key has rotated (its age)");
  });
});
