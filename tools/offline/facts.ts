import { spotTaskRange } from "../../cost/fargate";
import type { RegisteredResource } from "./evaluate";

/*
 * The key facts of a component, read from its resources' inputs ("1-2 tasks, all on Spot", "public ALB",
 * "CloudFront + WAF"). Facts are keyed by resource type, never by component: a new component made of known
 * types gets its facts for free, and a type without a rule still counts in the component's resource total.
 * Rules are in order of what a reader asks first (what runs, how it is reached, where data lives, then the
 * supporting cast).
 */

type Props = Record<string, unknown>;

const num = (v: unknown): number | undefined =>
  typeof v === "number" ? v : typeof v === "string" && v !== "" && !isNaN(Number(v)) ? Number(v) : undefined;
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const range = (lo: number, hi: number) => (lo === hi ? `${lo}` : `${lo}-${hi}`);

interface Rule {
  types: string[];
  /** A supporting fact (roles, keys, alarms): listed in tables, left out of the diagram's boxes. */
  detail?: boolean;
  /** The fact for this component's resources of these types (never empty), or undefined for none. */
  fact(rs: RegisteredResource[], all: RegisteredResource[]): string | undefined;
}

const ofType = (all: RegisteredResource[], ...types: string[]) => all.filter((r) => types.includes(r.type));

function fargate(services: RegisteredResource[], all: RegisteredResource[]): string {
  const targets = ofType(all, "aws:appautoscaling/target:Target");
  const clusterStrategies = ofType(all, "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders");
  return services
    .map((s) => {
      const desired = num(s.inputs.desiredCount) ?? 1;
      const target = targets.find((t) =>
        String(t.inputs.resourceId ?? "").endsWith(`/${str(s.inputs.name)}`),
      );
      const lo = num(target?.inputs.minCapacity) ?? desired;
      const hi = num(target?.inputs.maxCapacity) ?? desired;
      const strategies = arr(s.inputs.capacityProviderStrategies).length
        ? arr(s.inputs.capacityProviderStrategies)
        : arr(
            clusterStrategies.find((c) => c.inputs.clusterName === s.inputs.cluster)?.inputs
              .defaultCapacityProviderStrategies ??
              clusterStrategies[0]?.inputs.defaultCapacityProviderStrategies,
          );
      // A service scaled from zero starts none: where its tasks run is read at its most tasks instead.
      const count = desired > 0 ? desired : hi;
      const spot = s.inputs.launchType === "FARGATE" ? { min: 0, max: 0 } : spotTaskRange(strategies, count);
      const on =
        spot.min === count
          ? "all on Spot"
          : spot.max === 0
            ? "on demand"
            : desired === 0 && spot.min === spot.max
              ? `${count - spot.max} on demand, the rest on Spot`
              : `${range(spot.min, spot.max)} of ${count} on Spot`;
      return `${range(lo, hi)} Fargate ${hi === 1 ? "task" : "tasks"}, ${on}`;
    })
    .join("; ");
}

function nodeGroups(groups: RegisteredResource[]): string {
  return groups
    .map((g) => {
      const scaling = (g.inputs.scalingConfig ?? {}) as Props;
      const lo = num(scaling.minSize) ?? 0;
      const hi = num(scaling.maxSize) ?? lo;
      const types = arr(g.inputs.instanceTypes).map(String).join("/") || "default";
      return `${range(lo, hi)} × ${types}${g.inputs.capacityType === "SPOT" ? " Spot" : ""}`;
    })
    .join(" + ");
}

function lambdas(fns: RegisteredResource[]): string {
  const memory = fns.map((f) => num(f.inputs.memorySize) ?? 128);
  const runtimes = [...new Set(fns.map((f) => str(f.inputs.runtime) ?? "image"))].join(", ");
  const mb = range(Math.min(...memory), Math.max(...memory));
  return `${plural(fns.length, "Lambda function")} (${runtimes}, ${mb} MB)`;
}

function queues(qs: RegisteredResource[], all: RegisteredResource[]): string {
  const targets = new Set(
    ofType(all, "aws:sqs/queue:Queue").flatMap((q) => {
      try {
        return [String(JSON.parse(String(q.inputs.redrivePolicy ?? "{}")).deadLetterTargetArn ?? "")];
      } catch {
        return [];
      }
    }),
  );
  const dlqs = qs.filter((q) => targets.has(String(q.outputs.arn))).length;
  return `${plural(qs.length - dlqs, "SQS queue")}${dlqs ? ` + ${plural(dlqs, "DLQ")}` : ""}`;
}

function vpc(vpcs: RegisteredResource[], all: RegisteredResource[]): string {
  const subnets = ofType(all, "aws:ec2/subnet:Subnet");
  const azs = new Set(subnets.map((s) => str(s.inputs.availabilityZone) ?? str(s.inputs.availabilityZoneId)));
  const nat = ofType(all, "aws:ec2/natGateway:NatGateway").length;
  return `VPC ${vpcs.map((v) => str(v.inputs.cidrBlock) ?? "").join(", ")}: ${plural(subnets.length, "subnet")} in ${plural(azs.size, "AZ")}, ${nat === 0 ? "no NAT gateway" : plural(nat, "NAT gateway")}`;
}

function backupPlans(plans: RegisteredResource[], all: RegisteredResource[]): string {
  const rules = plans.flatMap((p) => arr(p.inputs.rules) as Props[]);
  const days = [...new Set(rules.map((r) => num((r.lifecycle as Props | undefined)?.deleteAfter)))].filter(
    (d) => d !== undefined,
  );
  const copies = rules.some((r) => arr(r.copyActions).length > 0);
  const locked = ofType(all, "aws:backup/vaultLockConfiguration:VaultLockConfiguration").length > 0;
  return [
    `${plural(rules.length, "backup rule")}${days.length ? `, kept ${days.join("/")} days` : ""}`,
    copies ? "copied to a second vault" : "",
    locked ? "vault lock" : "",
  ]
    .filter(Boolean)
    .join(", ");
}

const PERIODS: Record<string, string> = {
  DAILY: "day",
  MONTHLY: "month",
  QUARTERLY: "quarter",
  ANNUALLY: "year",
};

const RULES: Rule[] = [
  { types: ["aws:ecs/service:Service"], fact: fargate },
  {
    types: ["aws:eks/cluster:Cluster"],
    fact: (rs) => rs.map((c) => `EKS ${str(c.inputs.version) ?? ""}`.trim()).join(", "),
  },
  { types: ["aws:eks/nodeGroup:NodeGroup"], fact: nodeGroups },
  {
    types: ["kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart"],
    fact: (rs) => `Helm: ${rs.map((r) => str(r.inputs.chart) ?? r.name).join(", ")}`,
  },
  {
    types: ["aws:rds/instance:Instance"],
    fact: (rs) =>
      rs
        .map(
          (d) =>
            `RDS ${str(d.inputs.engine) ?? ""} ${str(d.inputs.engineVersion) ?? ""}, ${str(d.inputs.instanceClass) ?? ""}${d.inputs.multiAz === true ? ", Multi-AZ" : ", single-AZ"}`,
        )
        .join("; "),
  },
  {
    types: ["aws:elasticache/replicationGroup:ReplicationGroup"],
    fact: (rs) =>
      rs
        .map((g) => {
          const shards = num(g.inputs.numNodeGroups);
          const nodes =
            shards !== undefined
              ? `${shards} shards × ${(num(g.inputs.replicasPerNodeGroup) ?? 0) + 1}`
              : `${num(g.inputs.numCacheClusters) ?? 1}`;
          return `${str(g.inputs.engine) ?? "cache"} ${str(g.inputs.engineVersion) ?? ""}, ${nodes} × ${str(g.inputs.nodeType) ?? ""}`;
        })
        .join("; "),
  },
  {
    types: ["aws:apigateway/restApi:RestApi"],
    fact: (rs, all) =>
      `${plural(rs.length, "REST API")}${ofType(all, "aws:apigateway/usagePlan:UsagePlan").length ? " with API keys" : ""}`,
  },
  {
    types: ["aws:apigatewayv2/api:Api"],
    fact: (rs) =>
      rs.map((a) => (a.inputs.protocolType === "WEBSOCKET" ? "WebSocket API" : "HTTP API")).join(", "),
  },
  {
    types: ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"],
    fact: (rs) =>
      rs
        .map(
          (lb) =>
            `${lb.inputs.internal === true ? "internal" : "public"} ${lb.inputs.loadBalancerType === "network" ? "NLB" : "ALB"}`,
        )
        .join(", "),
  },
  {
    types: ["aws:cloudfront/distribution:Distribution"],
    fact: (rs) =>
      `${rs.length > 1 ? `${rs.length} × ` : ""}CloudFront${rs.some((d) => str(d.inputs.webAclId)) ? " + WAF" : ""}`,
  },
  {
    types: ["aws:wafv2/webAcl:WebAcl"],
    // A web ACL in front of this component's own distribution is already said by the CloudFront fact.
    fact: (rs, all) => {
      const used = new Set(
        ofType(all, "aws:cloudfront/distribution:Distribution").map((d) => d.inputs.webAclId),
      );
      const own = rs.filter((w) => !used.has(w.outputs.arn));
      return own.length
        ? `WAF (${own.map((w) => String(w.inputs.scope ?? "").toLowerCase()).join(", ")})`
        : undefined;
    },
  },
  { types: ["aws:lambda/function:Function"], fact: lambdas },
  {
    types: ["aws:codedeploy/deploymentGroup:DeploymentGroup"],
    fact: () => "blue/green rollout (CodeDeploy)",
  },
  { types: ["aws:sqs/queue:Queue"], fact: queues },
  {
    types: ["aws:dynamodb/table:Table"],
    fact: (rs) =>
      `${plural(rs.length, "DynamoDB table")}${rs.every((t) => t.inputs.billingMode === "PAY_PER_REQUEST") ? " (on demand)" : ""}`,
  },
  {
    types: ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"],
    fact: (rs) => plural(rs.length, "S3 bucket"),
  },
  { types: ["aws:ec2/vpc:Vpc"], fact: vpc },
  {
    types: ["aws:ec2/vpcEndpoint:VpcEndpoint"],
    fact: (rs) => {
      const iface = rs.filter((e) => e.inputs.vpcEndpointType === "Interface").length;
      const kinds = [
        iface ? `${iface} interface` : "",
        rs.length - iface ? `${rs.length - iface} gateway` : "",
      ];
      return `${kinds.filter(Boolean).join(" + ")} ${rs.length === 1 ? "endpoint" : "endpoints"}`;
    },
  },
  {
    types: ["aws:ecr/repository:Repository"],
    fact: (rs) => plural(rs.length, "ECR repository", "ECR repositories"),
  },
  {
    types: ["aws:sesv2/emailIdentity:EmailIdentity"],
    fact: (rs) => `SES ${rs.map((i) => str(i.inputs.emailIdentity) ?? i.name).join(", ")}`,
  },
  {
    types: ["aws:route53/zone:Zone"],
    fact: (rs) => `hosted zone ${rs.map((z) => str(z.inputs.name)).join(", ")}`,
  },
  {
    types: ["aws:acm/certificate:Certificate"],
    detail: true,
    fact: (rs) => plural(rs.length, "ACM certificate"),
  },
  {
    types: ["aws:route53/healthCheck:HealthCheck"],
    fact: (rs) =>
      `${plural(rs.length, "health check")} (${[...new Set(rs.map((h) => str(h.inputs.type)))].join(", ")})`,
  },
  { types: ["aws:route53/record:Record"], detail: true, fact: (rs) => plural(rs.length, "DNS record") },
  {
    types: ["aws:sns/topic:Topic"],
    fact: (rs, all) => {
      const subs = ofType(all, "aws:sns/topicSubscription:TopicSubscription").length;
      return `${plural(rs.length, "SNS topic")}${subs ? `, ${plural(subs, "subscription")}` : ""}`;
    },
  },
  {
    types: ["aws:budgets/budget:Budget"],
    fact: (rs) =>
      rs
        .map(
          (b) =>
            `budget $${num(b.inputs.limitAmount) ?? "?"} a ${PERIODS[String(b.inputs.timeUnit)] ?? "month"}`,
        )
        .join(", "),
  },
  { types: ["aws:costexplorer/anomalyMonitor:AnomalyMonitor"], fact: () => "cost anomaly monitor" },
  { types: ["aws:backup/plan:Plan"], fact: backupPlans },
  { types: ["aws:cloudwatch/dashboard:Dashboard"], fact: (rs) => plural(rs.length, "CloudWatch dashboard") },
  { types: ["aws:secretsmanager/secret:Secret"], detail: true, fact: (rs) => plural(rs.length, "secret") },
  { types: ["aws:iam/role:Role"], detail: true, fact: (rs) => plural(rs.length, "IAM role") },
  { types: ["aws:kms/key:Key"], detail: true, fact: (rs) => plural(rs.length, "KMS key") },
  {
    types: ["aws:cloudwatch/metricAlarm:MetricAlarm"],
    detail: true,
    fact: (rs) => plural(rs.length, "alarm"),
  },
];

export interface Fact {
  text: string;
  /** A supporting fact: tables list it, the diagram's boxes leave it out. */
  detail: boolean;
}

/** The facts of one component from its (and its nested components') custom resources, most telling first. */
export function componentFacts(resources: RegisteredResource[]): Fact[] {
  const facts: Fact[] = [];
  for (const rule of RULES) {
    const rs = ofType(resources, ...rule.types);
    if (rs.length === 0) continue;
    const text = rule.fact(rs, resources);
    if (text) facts.push({ text, detail: rule.detail === true });
  }
  return facts;
}
