import { at, joinWords, list, present } from "./lib/checks";
import { identifiers, ofKind, refersTo, Res, resourcePolicy, stackPolicy, who } from "./lib/framework";
import { K } from "./lib/kinds";
import { asNumber, isUnknown } from "./lib/values";

/*
 * Hardening the anchors check and the pack did not (see README "Coverage against the anchors"): the instance
 * metadata service (IMDSv2 and its hop limit), load balancer header and desync hardening, a web ACL in front of
 * internet-facing load balancers, access logs of buckets and distributions, and rotation of secrets.
 */

// ---------------------------------------------------------------- instance metadata

export const instanceMetadataV2 = resourcePolicy<{ maxHopLimit: number }>(
  {
    name: "instance-metadata-v2",
    description: "EC2 instances, launch templates and launch configurations require IMDSv2.",
    domain: "network",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      'Set metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 } (or httpEndpoint: "disabled"). ' +
      "With IMDSv1 a server-side request forgery in anything on the instance reads the role's credentials; with a " +
      "hop limit above 1 containers on the host can. Give pods and tasks roles of their own (IRSA, task roles).",
    references: {
      checkov: ["CKV_AWS_79", "CKV_AWS_341"],
      cdkNag: ["NIST.800.53.R5-EC2IMDSv2Enabled"],
      fsbp: ["EC2.8", "AutoScaling.3", "AutoScaling.4"],
    },
    kinds: [K.instance, K.launchTemplate, K.launchConfiguration],
    config: {
      maxHopLimit: {
        type: "integer",
        minimum: 1,
        maximum: 64,
        default: 1,
        description:
          "Largest httpPutResponseHopLimit accepted (2 lets containers on the host reach the metadata service).",
      },
    },
  },
  (res, { config }, add) => {
    const options = res.props.metadataOptions;
    if (options === undefined && K.instance.has(res.type) && present(res.raw["launchTemplate"])) return;
    if (options?.httpEndpoint === "disabled") return;
    const tokens = options?.httpTokens;
    if (tokens === undefined)
      add(
        `${who(res)} leaves IMDSv1 to the AMI's default (no metadataOptions.httpTokens): set it to required.`,
      );
    else if (tokens !== "required")
      add(`${who(res)} accepts IMDSv1 (metadataOptions.httpTokens ${String(tokens)}): set it to required.`);
    const hops = asNumber(options?.httpPutResponseHopLimit);
    if (hops !== undefined && hops > config.maxHopLimit)
      add(
        `${who(res)} lets metadata responses travel ${hops} hops (httpPutResponseHopLimit; at most ` +
          `${config.maxHopLimit}): containers on the host can reach the instance's credentials.`,
      );
  },
);

// ---------------------------------------------------------------- load balancers

const isApplication = (lb: Res) => (lb.props.loadBalancerType ?? "application") === "application";

export const lbHardening = resourcePolicy(
  {
    name: "lb-hardening",
    description:
      "Application load balancers drop headers with invalid names and mitigate HTTP desync (defensive or strictest).",
    domain: "network",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps:
      'Set dropInvalidHeaderFields: true and leave desyncMitigationMode at "defensive" (the default) or set ' +
      '"strictest"; "monitor" only records requests that risk request smuggling.',
    references: {
      checkov: ["CKV_AWS_131", "CKV_AWS_328"],
      cdkNag: ["NIST.800.53.R4-ALBHttpDropInvalidHeaderEnabled"],
      fsbp: ["ELB.4", "ELB.12"],
    },
    kinds: [K.loadBalancer],
  },
  (res, _ctx, add) => {
    if (!isApplication(res)) return;
    if (res.props.dropInvalidHeaderFields !== true)
      add(`${who(res)} forwards HTTP headers with invalid names (dropInvalidHeaderFields is not true).`);
    if (res.props.desyncMitigationMode === "monitor")
      add(
        `${who(res)} lets requests that risk HTTP desync through (desyncMitigationMode monitor): use defensive or strictest.`,
      );
  },
);

/** Private IPv4 (RFC 1918, shared address space) and IPv6 unique-local ranges: not the internet. */
function isPrivateCidr(cidr: string): boolean {
  const v6 = cidr.includes(":");
  if (v6) return /^f[cd]/i.test(cidr);
  const [a, b] = cidr.split(/[./]/).map(Number);
  return (
    a === 10 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 100 && b >= 64 && b <= 127)
  );
}

/** The CIDR ranges a security group admits (inline ingress and its standalone rules), as strings. */
function admittedCidrs(sg: Res, resources: Res[]): string[] {
  const cidrs: unknown[] = [];
  for (const i of list(sg.raw["ingress"]))
    cidrs.push(...list(at(i, "cidrBlocks")), ...list(at(i, "ipv6CidrBlocks")));
  for (const r of ofKind(resources, K.securityGroupRule)) {
    if (r.raw["type"] === "ingress" && refersTo(r, "securityGroupId", sg))
      cidrs.push(...list(r.raw["cidrBlocks"]), ...list(r.raw["ipv6CidrBlocks"]));
  }
  for (const r of ofKind(resources, K.securityGroupIngressRule)) {
    if (refersTo(r, "securityGroupId", sg)) cidrs.push(r.raw["cidrIpv4"], r.raw["cidrIpv6"]);
  }
  return cidrs.filter((c): c is string => typeof c === "string" && !isUnknown(c));
}

export const lbWaf = stackPolicy<{ acceptRestrictedSources: boolean }>(
  {
    name: "lb-waf",
    description:
      "Internet-facing application load balancers are protected by a WAF web ACL or reachable only from private or listed sources.",
    domain: "network",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Associate a REGIONAL aws.wafv2.WebAcl (aws.wafv2.WebAclAssociation with the load balancer's ARN), or put " +
      "the load balancer behind CloudFront with a web ACL and admit only the CloudFront origin-facing prefix list " +
      "(com.amazonaws.global.cloudfront.origin-facing) in its security groups, or make it internal.",
    references: {
      checkov: ["CKV2_AWS_28"],
      cdkNag: ["NIST.800.53.R5-ALBWAFEnabled"],
    },
    kinds: [
      K.loadBalancer,
      K.wafAssociation,
      K.securityGroup,
      K.securityGroupRule,
      K.securityGroupIngressRule,
    ],
    config: {
      acceptRestrictedSources: {
        type: "boolean",
        default: true,
        description:
          "Accept a load balancer without a web ACL whose security groups admit no public CIDR range (only prefix lists such as CloudFront's, security groups or private ranges).",
      },
    },
  },
  (resources, { config, guard }, add) => {
    const associations = ofKind(resources, K.wafAssociation);
    const groups = ofKind(resources, K.securityGroup);
    for (const lb of ofKind(resources, K.loadBalancer)) {
      guard(() => {
        if (!isApplication(lb) || lb.props.internal === true) return;
        if (associations.some((a) => refersTo(a, "resourceArn", lb))) return;
        const base = `${who(lb)} is internet-facing without a WAF web ACL`;
        if (!config.acceptRestrictedSources) return add(lb, `${base}.`);
        const mine = groups.filter((g) => refersTo(lb, "securityGroups", g));
        if (mine.length === 0)
          return add(lb, `${base}, and its security groups are not in this stack to show who reaches it.`);
        for (const sg of mine) {
          const open = admittedCidrs(sg, resources).filter((c) => !isPrivateCidr(c));
          if (open.length > 0)
            return add(lb, `${base}, and ${who(sg)} admits ${joinWords([...new Set(open)])}.`);
        }
      });
    }
  },
);

// ---------------------------------------------------------------- access logs

/** Buckets other resources deliver logs to: server access logs, load balancer and flow logs, CloudFront. */
function logTargets(resources: Res[], buckets: Res[]): Set<string> {
  const targets = new Set<string>();
  const mark = (from: Res, prop: string) => {
    for (const b of buckets) if (refersTo(from, prop, b)) targets.add(b.urn);
  };
  // A nested value naming a bucket (an inline logging block, a load balancer's accessLogs.bucket).
  const markValue = (from: Res, prop: string, value: unknown) => {
    for (const b of buckets)
      if (
        (from.propertyDependencies[prop] ?? []).some((d) => d.urn === b.urn) ||
        identifiers(b).has(value as string)
      )
        targets.add(b.urn);
  };
  for (const l of ofKind(resources, K.bucketLogging)) mark(l, "targetBucket");
  for (const b of buckets) {
    markValue(b, "logging", at(b.raw, "logging.targetBucket"));
    for (const x of list(b.raw["loggings"])) markValue(b, "loggings", at(x, "targetBucket"));
  }
  for (const lb of ofKind(resources, K.loadBalancer))
    markValue(lb, "accessLogs", at(lb.raw, "accessLogs.bucket"));
  for (const f of ofKind(resources, K.flowLog)) mark(f, "logDestination");
  for (const d of ofKind(resources, K.distribution)) {
    const domain = at(d.raw, "loggingConfig.bucket");
    for (const b of buckets)
      if (
        (d.propertyDependencies["loggingConfig"] ?? []).some((x) => x.urn === b.urn) ||
        (typeof domain === "string" && domain === b.raw["bucketDomainName"])
      )
        targets.add(b.urn);
  }
  return targets;
}

export const accessLogging = stackPolicy<{ buckets: boolean; distributions: boolean }>(
  {
    name: "access-logging",
    description: "S3 buckets and CloudFront distributions write access logs.",
    domain: "logging",
    enforcementLevel: "advisory",
    severity: "low",
    remediationSteps:
      "Add an aws.s3.BucketLogging for each bucket into a log bucket (one per stack and region), and give each " +
      "distribution standard logging: loggingConfig (its bucket needs ACLs) or an ACCESS_LOGS " +
      "aws.cloudwatch.LogDeliverySource with a delivery to S3 or CloudWatch Logs. Buckets that receive logs are " +
      "not asked to log themselves.",
    references: {
      checkov: ["CKV_AWS_18", "CKV_AWS_86"],
      cdkNag: ["AwsSolutions-S1", "AwsSolutions-CFR3"],
      fsbp: ["S3.9", "CloudFront.5"],
      awsguard: ["s3-bucket-logging-enabled"],
      pulumi: ["aws-cloudfront-distribution-enable-access-logging"],
    },
    kinds: [K.bucket, K.bucketLogging, K.distribution, K.logDeliverySource, K.loadBalancer, K.flowLog],
    config: {
      buckets: { type: "boolean", default: true, description: "Ask S3 buckets for server access logs." },
      distributions: {
        type: "boolean",
        default: true,
        description: "Ask CloudFront distributions for access logs.",
      },
    },
  },
  (resources, { config, guard }, add) => {
    const buckets = ofKind(resources, K.bucket);
    if (config.buckets) {
      const targets = logTargets(resources, buckets);
      const loggings = ofKind(resources, K.bucketLogging);
      for (const b of buckets) {
        guard(() => {
          if (targets.has(b.urn)) return;
          if (present(at(b.raw, "logging.targetBucket")) || list(b.raw["loggings"]).length > 0) return;
          if (loggings.some((l) => refersTo(l, "bucket", b))) return;
          add(b, `${who(b)} writes no server access logs (no aws.s3.BucketLogging for it).`);
        });
      }
    }
    if (config.distributions) {
      const sources = ofKind(resources, K.logDeliverySource).filter(
        (s) => s.raw["logType"] === "ACCESS_LOGS",
      );
      for (const d of ofKind(resources, K.distribution)) {
        guard(() => {
          if (present(at(d.raw, "loggingConfig.bucket"))) return;
          if (sources.some((s) => refersTo(s, "resourceArn", d))) return;
          add(
            d,
            `${who(d)} writes no access logs (no loggingConfig and no ACCESS_LOGS log delivery source).`,
          );
        });
      }
    }
  },
);

// ---------------------------------------------------------------- secrets

/**
 * Days between rotations: automaticallyAfterDays, or a rate() schedule in days or hours. A cron() schedule's period
 * is not derived: it is taken as rotating often enough (undefined, like an unknown value).
 */
function rotationDays(rotation: Res): number | undefined {
  const days = asNumber(at(rotation.raw, "rotationRules.automaticallyAfterDays"));
  if (days !== undefined) return days;
  const schedule = at(rotation.raw, "rotationRules.scheduleExpression");
  if (typeof schedule !== "string" || isUnknown(schedule)) return undefined;
  const rate = /^rate\((\d+)\s+(hour|hours|day|days)\)$/.exec(schedule.trim());
  if (rate) return rate[2].startsWith("hour") ? Number(rate[1]) / 24 : Number(rate[1]);
  return undefined;
}

export const secretRotation = stackPolicy<{ maxDays: number }>(
  {
    name: "secret-rotation",
    description: "Secrets Manager secrets rotate automatically, at least every maxDays days.",
    domain: "encryption",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps:
      "Add an aws.secretsmanager.SecretRotation with a rotation function (RDS, ElastiCache users and Redshift " +
      "have AWS-provided ones) and rotationRules.automaticallyAfterDays within the limit; prefer service-managed " +
      "secrets (RDS manageMasterUserPassword). A secret whose value AWS cannot rotate (a third party's API token, " +
      "rotated at its source and written by the stack from config) takes a policy-exempt:secret-rotation tag " +
      "saying who rotates it and how.",
    references: {
      checkov: ["CKV2_AWS_57", "CKV_AWS_304"],
      cdkNag: ["AwsSolutions-SMG4"],
      fsbp: ["SecretsManager.1", "SecretsManager.4"],
    },
    kinds: [K.secret, K.secretRotation],
    config: {
      maxDays: {
        type: "integer",
        minimum: 1,
        maximum: 1000,
        default: 90,
        description: "Longest accepted time between rotations, in days.",
      },
    },
  },
  (resources, { config, guard }, add) => {
    const rotations = ofKind(resources, K.secretRotation);
    for (const s of ofKind(resources, K.secret)) {
      guard(() => {
        const mine = rotations.filter((r) => refersTo(r, "secretId", s));
        if (mine.length === 0)
          return add(
            s,
            `${who(s)} is never rotated (no aws.secretsmanager.SecretRotation): its credential lives until someone replaces it.`,
          );
        // The most frequent rotation counts; one whose period is unknown or a cron schedule is taken as enough.
        const days = Math.min(...mine.map((r) => rotationDays(r) ?? 0));
        if (days > config.maxDays)
          add(s, `${who(s)} rotates every ${days} days, more than ${config.maxDays}.`);
      });
    }
  },
);

export const hardeningPolicies = [instanceMetadataV2, lbHardening, lbWaf, accessLogging, secretRotation];
