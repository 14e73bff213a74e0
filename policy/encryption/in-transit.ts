import { at, joinWords, list, majorVersion, present } from "../lib/checks";
import { ofKind, refersTo, Res, resourcePolicy, stackPolicy, who } from "../lib/framework";
import { K } from "../lib/kinds";
import { grants, parseDocument, Statement } from "../lib/policy-document";

/*
 * Encryption in transit: TLS-only bucket, queue and topic policies, load balancer and CloudFront TLS policies,
 * RDS forcing SSL (ElastiCache's TLS is checked with its encryption at rest).
 */

/** A Deny-to-everyone statement that refuses `action` over plain HTTP (or below TLS 1.2). */
function deniesInsecureTransport(s: Statement, action: string): boolean {
  if (s.effect !== "Deny" || !s.principal?.anyone || grants(s, action).length === 0) return false;
  const secure = Object.entries(s.condition).some(
    ([op, keys]) =>
      /^Bool(IfExists)?$/.test(op) &&
      Object.entries(keys).some(
        ([k, v]) => k.toLowerCase() === "aws:securetransport" && v.some((x) => String(x) === "false"),
      ),
  );
  const tls = Object.entries(s.condition).some(
    ([op, keys]) => /^NumericLessThan/.test(op) && Object.keys(keys).some((k) => /:TlsVersion$/i.test(k)),
  );
  return secure || tls;
}

/** Documents that govern `target`: its inline policy and standalone policy resources that refer to it. */
function governingDocuments(target: Res, inlineProp: string | undefined, policies: Res[], refProp: string) {
  const docs = [];
  if (inlineProp) {
    const d = parseDocument(target.raw[inlineProp], inlineProp, "resource");
    if (d) docs.push(d);
  }
  for (const p of policies) {
    if (!refersTo(p, refProp, target)) continue;
    const d = parseDocument(p.raw["policy"], "policy", "resource");
    if (d) docs.push(d);
  }
  return docs;
}

function tlsOnlyPolicy(spec: {
  name: string;
  service: string;
  target: (typeof K)[keyof typeof K];
  policy: (typeof K)[keyof typeof K];
  refProp: string;
  action: string;
  example: string;
  references: Record<string, string[]>;
}) {
  return stackPolicy(
    {
      name: spec.name,
      description: `${spec.service} refuse requests that do not use TLS.`,
      domain: "encryption",
      enforcementLevel: "mandatory",
      severity: "medium",
      remediationSteps: `Add a statement to the ${spec.policy.label}: ${spec.example}.`,
      references: spec.references,
      kinds: [spec.target, spec.policy],
    },
    (resources, { guard }, add) => {
      const policies = ofKind(resources, spec.policy);
      for (const t of ofKind(resources, spec.target)) {
        guard(() => {
          const docs = governingDocuments(t, "policy", policies, spec.refProp);
          const ok = docs.some((d) => d.statements.some((s) => deniesInsecureTransport(s, spec.action)));
          if (!ok)
            add(
              t,
              docs.length === 0
                ? `${who(t)} has no ${spec.policy.label}, so nothing refuses plain-HTTP requests.`
                : `${who(t)}'s policy has no Deny for ${spec.action} when aws:SecureTransport is false.`,
            );
        });
      }
    },
  );
}

export const s3BucketTlsOnly = tlsOnlyPolicy({
  name: "s3-bucket-tls-only",
  service: "S3 buckets",
  target: K.bucket,
  policy: K.bucketPolicy,
  refProp: "bucket",
  action: "s3:GetObject",
  example:
    '{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [bucketArn, bucketArn + "/*"], Condition: { Bool: { "aws:SecureTransport": "false" } } }',
  references: {
    checkov: ["CKV_AWS_379"],
    cdkNag: ["AwsSolutions-S10", "NIST.800.53.R5-S3BucketSSLRequestsOnly"],
  },
});

export const sqsQueueTlsOnly = tlsOnlyPolicy({
  name: "sqs-queue-tls-only",
  service: "SQS queues",
  target: K.queue,
  policy: K.queuePolicy,
  refProp: "queueUrl",
  action: "sqs:SendMessage",
  example:
    '{ Effect: "Deny", Principal: "*", Action: "sqs:*", Resource: queueArn, Condition: { Bool: { "aws:SecureTransport": "false" } } }',
  references: { cdkNag: ["AwsSolutions-SQS4"] },
});

export const snsTopicTlsOnly = tlsOnlyPolicy({
  name: "sns-topic-tls-only",
  service: "SNS topics",
  target: K.topic,
  policy: K.topicPolicy,
  refProp: "arn",
  action: "sns:Publish",
  example:
    '{ Effect: "Deny", Principal: "*", Action: "sns:Publish", Resource: topicArn, Condition: { Bool: { "aws:SecureTransport": "false" } } }',
  references: { cdkNag: ["AwsSolutions-SNS3"] },
});

/** ELB security policies that allow only TLS 1.2 and 1.3. */
export const MODERN_ELB_POLICIES = [
  "ELBSecurityPolicy-TLS13-1-2-*",
  "ELBSecurityPolicy-TLS13-1-3-*",
  "ELBSecurityPolicy-FS-1-2-*",
  "ELBSecurityPolicy-TLS-1-2-*",
];

export const lbListenerTls = resourcePolicy<{ allowedPolicies: string[] }>(
  {
    name: "lb-listener-tls",
    description: "HTTPS and TLS listeners use a security policy that allows only TLS 1.2 or later.",
    domain: "encryption",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: 'Set sslPolicy explicitly, e.g. "ELBSecurityPolicy-TLS13-1-2-2021-06".',
    references: {
      checkov: ["CKV_AWS_103", "CKV2_AWS_74"],
      pulumi: ["aws-lb-listener-configure-secure-tls", "aws-alb-listener-configure-secure-tls"],
    },
    kinds: [K.listener],
    config: {
      allowedPolicies: {
        type: "array",
        items: { type: "string" },
        default: MODERN_ELB_POLICIES,
        description: "Globs of allowed ELB security policy names.",
      },
    },
  },
  (res, { config }, add) => {
    const protocol = res.props.protocol;
    if (protocol !== "HTTPS" && protocol !== "TLS") return;
    const policy = res.props.sslPolicy;
    if (policy === undefined || policy === "")
      add(`${who(res)} (${protocol}) sets no sslPolicy; AWS's default may allow TLS 1.0.`);
    else if (!config.allowedPolicies.some((g) => new RegExp(`^${g.replace(/\*/g, ".*")}$`).test(policy)))
      add(`${who(res)} uses ${policy}, which allows TLS versions older than 1.2.`);
  },
);

export const MODERN_CLOUDFRONT_PROTOCOLS = ["TLSv1.2_2019", "TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025"];

export const cloudfrontViewerTls = resourcePolicy<{
  allowDefaultCertificate: boolean;
  allowedProtocols: string[];
}>(
  {
    name: "cloudfront-viewer-tls",
    description: "CloudFront redirects or refuses HTTP viewers and negotiates TLS 1.2 or later.",
    domain: "encryption",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      'Set viewerProtocolPolicy "redirect-to-https" (or "https-only") on every cache behavior and, with a custom ' +
      'certificate, minimumProtocolVersion "TLSv1.2_2021" and sslSupportMethod "sni-only".',
    references: {
      checkov: ["CKV_AWS_34", "CKV_AWS_174", "CKV2_AWS_42", "CKV2_AWS_54"],
      cdkNag: ["AwsSolutions-CFR4"],
      pulumi: [
        "aws-cloudfront-distribution-disallow-unencrypted-traffic",
        "aws-cloudfront-distribution-configure-secure-tls",
      ],
    },
    kinds: [K.distribution],
    config: {
      allowDefaultCertificate: {
        type: "boolean",
        default: true,
        description: "Accept the default *.cloudfront.net certificate (stacks without a custom domain).",
      },
      allowedProtocols: {
        type: "array",
        items: { type: "string" },
        default: MODERN_CLOUDFRONT_PROTOCOLS,
        description: "Allowed viewer minimumProtocolVersion values.",
      },
    },
  },
  (res, { config }, add) => {
    const behaviors = [
      { path: "default", policy: at(res.raw, "defaultCacheBehavior.viewerProtocolPolicy") },
      ...list(res.raw["orderedCacheBehaviors"]).map((b) => ({
        path: String(at(b, "pathPattern")),
        policy: at(b, "viewerProtocolPolicy"),
      })),
    ];
    const open = behaviors.filter((b) => b.policy === "allow-all").map((b) => b.path);
    if (open.length > 0) add(`${who(res)} allows plain HTTP on the ${joinWords(open)} cache behavior(s).`);
    const cert = res.props.viewerCertificate ?? {};
    if (cert.cloudfrontDefaultCertificate === true) {
      if (!config.allowDefaultCertificate)
        add(`${who(res)} uses the default CloudFront certificate, which accepts TLS 1.0 viewers.`);
      return;
    }
    const version = cert.minimumProtocolVersion;
    if (!config.allowedProtocols.includes(version))
      add(
        `${who(res)} sets minimumProtocolVersion ${version ?? "(default TLSv1)"}; use TLSv1.2_2021 or later.`,
      );
    if (cert.sslSupportMethod === "vip")
      add(`${who(res)} uses the dedicated-IP SSL method (vip, $600/month); use sni-only.`);
  },
);

export const cloudfrontOriginTls = resourcePolicy(
  {
    name: "cloudfront-origin-tls",
    description: "CloudFront reaches custom origins over HTTPS with TLS 1.2.",
    domain: "encryption",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      'Set customOriginConfig.originProtocolPolicy "https-only" and originSslProtocols ["TLSv1.2"], or reach a ' +
      "private load balancer through a CloudFront VPC origin (vpcOriginConfig).",
    references: {
      checkov: ["CKV2_AWS_72"],
      cdkNag: ["AwsSolutions-CFR5"],
      pulumi: [
        "aws-cloudfront-distribution-enable-tls-to-origin",
        "aws-cloudfront-distribution-configure-secure-tls-to-origin",
      ],
    },
    kinds: [K.distribution],
  },
  (res, _ctx, add) => {
    for (const o of list(res.raw["origins"])) {
      const id = String(at(o, "originId"));
      const custom = at(o, "customOriginConfig");
      if (!custom || present(at(o, "vpcOriginConfig"))) continue;
      const policy = at(custom, "originProtocolPolicy");
      if (policy !== "https-only")
        add(`${who(res)} reaches origin '${id}' with originProtocolPolicy ${String(policy)}.`);
      const old = list(at(custom, "originSslProtocols")).filter((p) => p !== "TLSv1.2" && p !== "TLSv1.3");
      if (old.length > 0) add(`${who(res)} allows ${joinWords(old.map(String))} to origin '${id}'.`);
    }
  },
);

/** Parameters of the RDS parameter groups a database uses, by name (lower-case). */
function dbParameters(db: Res, groups: Res[], prop: string): Map<string, string> | undefined {
  const group = groups.find((g) => refersTo(db, prop, g) || g.raw["name"] === db.raw[prop]);
  if (!group) return undefined;
  return new Map(
    list(group.raw["parameters"]).map((p) => [String(at(p, "name")).toLowerCase(), String(at(p, "value"))]),
  );
}

export const rdsForceSsl = stackPolicy(
  {
    name: "rds-force-ssl",
    description: "RDS and Aurora databases refuse unencrypted client connections.",
    domain: "encryption",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "PostgreSQL: use a parameter group with rds.force_ssl = 1 (the default from RDS PostgreSQL 15; Aurora " +
      "needs it in the cluster parameter group). MySQL/MariaDB: require_secure_transport = 1.",
    references: { checkov: ["CKV2_AWS_69"] },
    kinds: [K.dbInstance, K.dbCluster, K.dbParameterGroup, K.dbClusterParameterGroup],
  },
  (resources, { guard }, add) => {
    const groups = ofKind(resources, K.dbParameterGroup);
    const clusterGroups = ofKind(resources, K.dbClusterParameterGroup);
    const dbs = [
      ...ofKind(resources, K.dbInstance).map((db) => ({
        db,
        params: dbParameters(db, groups, "parameterGroupName"),
      })),
      ...ofKind(resources, K.dbCluster).map((db) => ({
        db,
        params: dbParameters(db, clusterGroups, "dbClusterParameterGroupName"),
      })),
    ];
    for (const { db, params } of dbs) {
      guard(() => {
        if (K.dbInstance.has(db.type) && present(db.raw["clusterIdentifier"])) return;
        const engine = String(db.props.engine ?? "");
        const isCluster = K.dbCluster.has(db.type);
        let key: string;
        let defaultOn = false;
        if (engine.includes("postgres")) {
          key = "rds.force_ssl";
          defaultOn =
            !isCluster && engine === "postgres" && (majorVersion(db.props.engineVersion) ?? 0) >= 15;
        } else if (/mysql|mariadb/.test(engine)) {
          key = "require_secure_transport";
        } else {
          return;
        }
        const value = params?.get(key);
        const on = value === undefined ? defaultOn : ["1", "on", "true"].includes(value.toLowerCase());
        if (!on)
          add(
            db,
            value === undefined
              ? `${who(db)} (${engine}) uses no parameter group that sets ${key} = 1.`
              : `${who(db)} (${engine}) sets ${key} = ${value}.`,
          );
      });
    }
  },
);
