import { at, joinWords, list, present } from "./lib/checks";
import { ofKind, refersTo, resourcePolicy, Res, stackPolicy, who } from "./lib/framework";
import { K } from "./lib/kinds";
import { asBool, asNumber, globToRegExp, isUnknown } from "./lib/values";

/*
 * Network exposure: security-group ingress from the internet (inline, standalone and VPC rule resources),
 * public IPs, public EKS endpoints, public databases, HTTP listeners, CloudFront without WAF, and Lambda
 * function URLs without auth.
 */

const ANYWHERE = ["0.0.0.0/0", "::/0"];

interface Ingress {
  from?: number;
  to?: number;
  protocol: string;
  cidrs: string[];
}

/** The ingress rules a resource opens (SecurityGroup/DefaultSecurityGroup inline, SecurityGroupRule, vpc rule). */
function ingressRules(res: Res): Ingress[] {
  const r = res.raw;
  if (K.securityGroup.has(res.type) || K.defaultSecurityGroup.has(res.type)) {
    return list(r["ingress"]).map((i) => ({
      from: asNumber(at(i, "fromPort")),
      to: asNumber(at(i, "toPort")),
      protocol: String(at(i, "protocol")),
      cidrs: [...list(at(i, "cidrBlocks")), ...list(at(i, "ipv6CidrBlocks"))].map(String),
    }));
  }
  if (K.securityGroupRule.has(res.type)) {
    if (r["type"] !== "ingress") return [];
    return [
      {
        from: asNumber(r["fromPort"]),
        to: asNumber(r["toPort"]),
        protocol: String(r["protocol"]),
        cidrs: [...list(r["cidrBlocks"]), ...list(r["ipv6CidrBlocks"])].map(String),
      },
    ];
  }
  if (K.securityGroupIngressRule.has(res.type)) {
    return [
      {
        from: asNumber(r["fromPort"]),
        to: asNumber(r["toPort"]),
        protocol: String(r["ipProtocol"]),
        cidrs: [r["cidrIpv4"], r["cidrIpv6"]].filter((c) => typeof c === "string").map(String),
      },
    ];
  }
  return [];
}

function portText(i: Ingress): string {
  if (i.protocol === "-1" || i.protocol === "all") return "all ports";
  if (i.from === undefined || i.from === i.to) return `${i.protocol} ${i.from ?? "?"}`;
  return `${i.protocol} ${i.from}-${i.to}`;
}

export const securityGroupNoPublicIngress = resourcePolicy<{ allowedPorts: number[] }>(
  {
    name: "security-group-no-public-ingress",
    description: "Security groups admit no traffic from the whole internet (0.0.0.0/0 or ::/0).",
    domain: "network",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Admit the load balancer's security group, a VPC CIDR or the CloudFront origin-facing prefix list " +
      "(com.amazonaws.global.cloudfront.origin-facing) instead of 0.0.0.0/0.",
    references: {
      checkov: ["CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_260", "CKV_AWS_277", "CKV2_AWS_12"],
      cdkNag: [
        "AwsSolutions-EC23",
        "NIST.800.53.R5-EC2RestrictedSSH",
        "NIST.800.53.R5-VPCDefaultSecurityGroupClosed",
      ],
      cis: ["5.2", "5.3", "5.4"],
      pulumi: ["aws-ec2-securitygroup-disallow-public-internet-ingress"],
    },
    kinds: [K.securityGroup, K.defaultSecurityGroup, K.securityGroupRule, K.securityGroupIngressRule],
    config: {
      allowedPorts: {
        type: "array",
        items: { type: "integer" },
        default: [],
        description: "Ports that may be open to the internet (e.g. [443] for a public load balancer).",
      },
    },
  },
  (res, { config }, add) => {
    for (const i of ingressRules(res)) {
      const open = i.cidrs.filter((c) => ANYWHERE.includes(c));
      if (open.length === 0) continue;
      const single = i.from !== undefined && i.from === i.to && i.protocol !== "-1";
      if (single && config.allowedPorts.includes(i.from!)) continue;
      add(`${who(res)} admits ${joinWords(open)} on ${portText(i)}.`);
    }
  },
);

export const noPublicIp = resourcePolicy(
  {
    name: "no-public-ip",
    description: "Instances, tasks and subnets do not hand out public IP addresses.",
    domain: "network",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Run workloads in private subnets (egress through NAT or VPC endpoints) with assignPublicIp / " +
      "associatePublicIpAddress false, and leave mapPublicIpOnLaunch off: load balancers and NAT gateways " +
      "get their addresses without it.",
    references: {
      checkov: ["CKV_AWS_88", "CKV_AWS_130", "CKV_AWS_333"],
      cdkNag: ["NIST.800.53.R5-EC2InstanceNoPublicIp", "NIST.800.53.R5-VPCSubnetAutoAssignPublicIpDisabled"],
      awsguard: ["ec2-instance-no-public-ip"],
      pulumi: ["aws-ec2-instance-disallow-public-ip", "aws-ec2-launchtemplate-disallow-public-ip"],
    },
    kinds: [K.instance, K.launchTemplate, K.launchConfiguration, K.subnet, K.ecsService],
  },
  (res, _ctx, add) => {
    const r = res.raw;
    if (K.instance.has(res.type) || K.launchConfiguration.has(res.type)) {
      if (asBool(r["associatePublicIpAddress"]) === true) add(`${who(res)} associates a public IP address.`);
    } else if (K.launchTemplate.has(res.type)) {
      if (list(r["networkInterfaces"]).some((n) => asBool(at(n, "associatePublicIpAddress")) === true))
        add(`${who(res)} gives its network interfaces a public IP address.`);
    } else if (K.subnet.has(res.type)) {
      if (r["mapPublicIpOnLaunch"] === true)
        add(`${who(res)} assigns a public IP to everything launched in it.`);
    } else if (K.ecsService.has(res.type)) {
      if (at(r, "networkConfiguration.assignPublicIp") === true)
        add(`${who(res)} gives its tasks public IP addresses.`);
    }
  },
);

export const eksEndpointPrivate = resourcePolicy(
  {
    name: "eks-endpoint-private",
    description: "EKS API endpoints are private, or public only to listed CIDR blocks.",
    domain: "network",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Set vpcConfig.endpointPrivateAccess: true and either endpointPublicAccess: false or publicAccessCidrs " +
      "listing the operators' networks (never 0.0.0.0/0).",
    references: {
      checkov: ["CKV_AWS_38", "CKV_AWS_39"],
      cdkNag: ["AwsSolutions-EKS1"],
      pulumi: ["aws-eks-cluster-disallow-api-endpoint-public-access"],
    },
    kinds: [K.eksCluster],
  },
  (res, _ctx, add) => {
    const vpc = res.raw["vpcConfig"];
    if (at(vpc, "endpointPublicAccess") === false) return;
    const cidrs = list(at(vpc, "publicAccessCidrs"));
    if (isUnknown(at(vpc, "publicAccessCidrs"))) return;
    if (cidrs.length === 0 || cidrs.some((c) => ANYWHERE.includes(String(c))))
      add(
        `${who(res)} exposes its API endpoint to the whole internet (endpointPublicAccess without publicAccessCidrs).`,
      );
  },
);

export const rdsNotPublic = resourcePolicy(
  {
    name: "rds-not-public",
    description: "RDS instances are not publicly accessible.",
    domain: "network",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps: "Set publiclyAccessible: false and reach the database from inside the VPC.",
    references: {
      checkov: ["CKV_AWS_17"],
      cdkNag: ["NIST.800.53.R5-RDSInstancePublicAccess"],
      awsguard: ["rds-instance-public-access"],
      pulumi: ["aws-rds-instance-disallow-public-access", "aws-rds-clusterinstance-disallow-public-access"],
    },
    kinds: [K.dbInstance, K.dbClusterInstance],
  },
  (res, _ctx, add) => {
    if (res.props.publiclyAccessible === true) add(`${who(res)} is publicly accessible.`);
  },
);

export const lbHttpRedirectsToHttps = stackPolicy<{ allowInternal: boolean }>(
  {
    name: "lb-http-redirects-to-https",
    description: "HTTP listeners of internet-facing load balancers only redirect to HTTPS.",
    domain: "network",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      'Give HTTP listeners one default action { type: "redirect", redirect: { protocol: "HTTPS", port: "443", ' +
      'statusCode: "HTTP_301" } } and serve traffic on an HTTPS listener; or make the load balancer internal ' +
      "and reach it through a CloudFront VPC origin.",
    references: {
      checkov: ["CKV_AWS_2", "CKV_AWS_378", "CKV2_AWS_20"],
      cdkNag: ["NIST.800.53.R5-ALBHttpToHttpsRedirection"],
      awsguard: ["alb-http-to-https-redirection"],
      pulumi: [
        "aws-lb-listener-disallow-unencrypted-traffic",
        "aws-alb-listener-disallow-unencrypted-traffic",
      ],
    },
    kinds: [K.listener, K.listenerRule, K.loadBalancer],
    config: {
      allowInternal: {
        type: "boolean",
        default: true,
        description: "Accept HTTP listeners that forward on internal (VPC-only) load balancers.",
      },
    },
  },
  (resources, { config, guard }, add) => {
    const lbs = ofKind(resources, K.loadBalancer);
    const rules = ofKind(resources, K.listenerRule);
    const serves = (actions: unknown[]) =>
      actions.some(
        (a) =>
          !(at(a, "type") === "redirect" && at(a, "redirect.protocol") === "HTTPS") &&
          !(at(a, "type") === "fixed-response" && Number(at(a, "fixedResponse.statusCode")) >= 400),
      );
    for (const l of ofKind(resources, K.listener)) {
      guard(() => {
        if (l.props.protocol !== "HTTP") return;
        const lb = lbs.find((b) => refersTo(l, "loadBalancerArn", b));
        if (config.allowInternal && lb?.raw["internal"] === true) return;
        const defaults = list(l.raw["defaultActions"]);
        // A rule that forwards serves content over HTTP even when the default action refuses.
        const forwarding = rules.filter(
          (r) => refersTo(r, "listenerArn", l) && serves(list(r.raw["actions"])),
        );
        if (defaults.length === 0 || serves(defaults))
          add(l, `${who(l)} serves plain HTTP instead of redirecting to HTTPS.`);
        else if (forwarding.length > 0)
          add(
            l,
            `${who(l)} serves plain HTTP through rule ${joinWords(forwarding.map((r) => `'${r.name}'`))} instead of redirecting to HTTPS.`,
          );
      });
    }
  },
);

export const cloudfrontWaf = resourcePolicy(
  {
    name: "cloudfront-waf",
    description: "CloudFront distributions are protected by a WAF web ACL.",
    domain: "network",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      "Create an aws.wafv2.WebAcl with scope CLOUDFRONT (in us-east-1) and set webAclId to its ARN.",
    references: {
      checkov: ["CKV_AWS_68", "CKV2_AWS_47"],
      cdkNag: ["AwsSolutions-CFR2"],
      pulumi: ["aws-cloudfront-distribution-configure-waf"],
    },
    kinds: [K.distribution],
  },
  (res, _ctx, add) => {
    if (!present(res.raw["webAclId"])) add(`${who(res)} has no WAF web ACL (webAclId).`);
  },
);

export const lambdaFunctionUrlAuth = resourcePolicy(
  {
    name: "lambda-function-url-auth",
    description: "Lambda function URLs require IAM authentication.",
    domain: "network",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      'Set authorizationType "AWS_IAM" (front the URL with CloudFront and OAC for public traffic).',
    references: { checkov: ["CKV_AWS_258"], cdkNag: ["LambdaFunctionUrlAuth"] },
    kinds: [K.lambdaFunctionUrl],
  },
  (res, _ctx, add) => {
    if (res.props.authorizationType !== "AWS_IAM")
      add(`${who(res)} lets anyone invoke the function (authorizationType NONE).`);
  },
);

const BPA_SETTINGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];
const PUBLIC_ACLS = ["public-read", "public-read-write", "authenticated-read"];

export const s3BucketPublicAccessBlock = stackPolicy<{ requireExplicit: boolean }>(
  {
    name: "s3-bucket-public-access-block",
    description: "S3 buckets block public access and use no public ACL.",
    domain: "network",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Add an aws.s3.BucketPublicAccessBlock for each bucket with blockPublicAcls, blockPublicPolicy, " +
      "ignorePublicAcls and restrictPublicBuckets all true (or one aws.s3.AccountPublicAccessBlock), and serve " +
      "public content through CloudFront with origin access control instead of public ACLs.",
    references: {
      checkov: [
        "CKV2_AWS_6",
        "CKV_AWS_53",
        "CKV_AWS_54",
        "CKV_AWS_55",
        "CKV_AWS_56",
        "CKV_AWS_20",
        "CKV_AWS_57",
      ],
      cdkNag: ["AwsSolutions-S2", "NIST.800.53.R5-S3BucketPublicReadProhibited"],
      cis: ["2.1.4"],
      pulumi: ["aws-s3-bucket-disallow-public-read"],
    },
    kinds: [K.bucket, K.bucketPublicAccessBlock, K.accountPublicAccessBlock, K.bucketAcl],
    config: {
      requireExplicit: {
        type: "boolean",
        default: true,
        description: "Require a declared public access block (not only AWS's default for new buckets).",
      },
    },
  },
  (resources, { config, guard }, add) => {
    const allOn = (r: Res) => BPA_SETTINGS.every((k) => r.raw[k] === true || isUnknown(r.raw[k]));
    const off = (r: Res) => BPA_SETTINGS.filter((k) => !(r.raw[k] === true || isUnknown(r.raw[k])));
    const account = ofKind(resources, K.accountPublicAccessBlock);
    const accountOn = account.some(allOn);
    for (const a of account.filter((x) => !allOn(x))) add(a, `${who(a)} leaves ${joinWords(off(a))} off.`);
    const blocks = ofKind(resources, K.bucketPublicAccessBlock);
    const acls = ofKind(resources, K.bucketAcl);
    for (const bucket of ofKind(resources, K.bucket)) {
      guard(() => {
        const mine = blocks.filter((b) => refersTo(b, "bucket", bucket));
        for (const b of mine.filter((x) => !allOn(x)))
          add(b, `${who(b)} leaves ${joinWords(off(b))} off for bucket '${bucket.name}'.`);
        if (mine.length === 0 && !accountOn && config.requireExplicit)
          add(
            bucket,
            `${who(bucket)} has no public access block (BucketPublicAccessBlock with all four settings true).`,
          );
        const bucketAcl = bucket.raw["acl"];
        const aclResources = acls.filter((a) => refersTo(a, "bucket", bucket)).map((a) => a.raw["acl"]);
        const publicAcl = [bucketAcl, ...aclResources].find(
          (a) => typeof a === "string" && PUBLIC_ACLS.includes(a),
        );
        if (publicAcl) add(bucket, `${who(bucket)} uses the public canned ACL ${String(publicAcl)}.`);
      });
    }
  },
);

export const vpcDefaultSecurityGroupClosed = stackPolicy(
  {
    name: "vpc-default-security-group-closed",
    description: "Every VPC's default security group is adopted and has no rules.",
    domain: "network",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps:
      "Declare an aws.ec2.DefaultSecurityGroup for the VPC with ingress: [] and egress: [] so nothing that " +
      "falls back to the default group can talk to anything.",
    references: {
      checkov: ["CKV2_AWS_12"],
      cdkNag: ["NIST.800.53.R5-VPCDefaultSecurityGroupClosed"],
      cis: ["5.4"],
    },
    kinds: [K.vpc, K.defaultSecurityGroup],
  },
  (resources, { guard }, add) => {
    const defaults = ofKind(resources, K.defaultSecurityGroup);
    for (const vpc of ofKind(resources, K.vpc)) {
      guard(() => {
        const sg = defaults.find((d) => refersTo(d, "vpcId", vpc));
        if (!sg)
          add(
            vpc,
            `${who(vpc)}'s default security group is not adopted (no aws.ec2.DefaultSecurityGroup), so it keeps AWS's allow rules.`,
          );
        else if (list(sg.raw["ingress"]).length > 0 || list(sg.raw["egress"]).length > 0)
          add(sg, `${who(sg)} of VPC '${vpc.name}' keeps rules; give it ingress: [] and egress: [].`);
      });
    }
  },
);

const AUTHORIZED = ["AWS_IAM", "JWT", "CUSTOM", "COGNITO_USER_POOLS"];
const OPENAPI_METHODS = [
  "get",
  "put",
  "post",
  "delete",
  "patch",
  "head",
  "options",
  "x-amazon-apigateway-any-method",
];

/** Whether `route` ("GET /health") is one of the knob's public routes (globs: `*` matches anything). */
type PublicRoute = (route: string) => boolean;

/**
 * The operations of a REST API's OpenAPI body that need no credentials: no security requirement of their own
 * nor from the document, not a listed public route, and no `x-public-reason` saying why (the per-route
 * exemption, with its reason). A body that is not JSON is left to `pulumi up`.
 */
function openOperations(body: unknown, isPublic: PublicRoute): string[] {
  if (typeof body !== "string") return [];
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return [];
  }
  // Alternatives are OR-ed, so an empty requirement ({}) among them makes credentials optional.
  const required = (security: unknown) =>
    Array.isArray(security) &&
    security.length > 0 &&
    security.every((s) => typeof s === "object" && s !== null && Object.keys(s).length > 0);
  const open: string[] = [];
  for (const [path, item] of Object.entries((doc.paths ?? {}) as Record<string, Record<string, unknown>>)) {
    for (const method of OPENAPI_METHODS) {
      const op = item?.[method] as Record<string, unknown> | undefined;
      if (!op) continue;
      const security = op.security ?? doc.security;
      const reason = op["x-public-reason"];
      const route = `${method === "x-amazon-apigateway-any-method" ? "ANY" : method.toUpperCase()} ${path}`;
      if (!required(security) && !(typeof reason === "string" && reason.trim() !== "") && !isPublic(route))
        open.push(route);
    }
  }
  return open;
}

/** The path of a REST method's resource: "/" on the API's root, the resource's path, or undefined (unknown). */
function methodPath(method: Res, resources: Res[]): string | undefined {
  if ((method.propertyDependencies["resourceId"] ?? []).some((d) => K.restApi.has(d.type))) return "/";
  const id = method.raw["resourceId"];
  if (ofKind(resources, K.restApi).some((a) => typeof id === "string" && a.raw["rootResourceId"] === id))
    return "/";
  const resource = ofKind(resources, K.restResource).find((r) => refersTo(method, "resourceId", r));
  const path = resource?.raw["path"];
  return typeof path === "string" && !isUnknown(path) ? path : undefined;
}

export const apiGatewayAuthorization = stackPolicy<{ publicRoutes: string[] }>(
  {
    name: "api-gateway-authorization",
    description: "API Gateway routes and methods require authorization.",
    domain: "network",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      'Set authorizationType ("JWT", "CUSTOM" with a Lambda authorizer, or "AWS_IAM") and authorizerId on HTTP ' +
      "API routes and on the WebSocket $connect route; on REST methods set authorization (OPTIONS preflights " +
      "are exempt), and in a REST API's OpenAPI body give each operation a security requirement. A route that " +
      "is public by design (a health check) goes in the publicRoutes knob of the pack config, once for every " +
      "stack; a one-off takes `x-public-reason` on the OpenAPI operation or the policy-exempt tag on the route " +
      "or method resource.",
    references: {
      checkov: ["CKV_AWS_309", "CKV_AWS_59", "CKV2_AWS_70"],
      cdkNag: ["AwsSolutions-APIG4", "AwsSolutions-COG4"],
    },
    kinds: [K.httpApiRoute, K.httpApi, K.restMethod, K.restApi, K.restResource],
    config: {
      publicRoutes: {
        type: "array",
        items: { type: "string" },
        default: ["GET /health", "OPTIONS *"],
        description:
          'Routes callable without authorization, as "METHOD /path" (`*` matches anything): health checks and CORS preflights.',
      },
    },
  },
  (resources, { config, guard }, add) => {
    const patterns = config.publicRoutes.map((p) => globToRegExp(p));
    const isPublic: PublicRoute = (route) => patterns.some((p) => p.test(route));
    // A method whose path is unknown during preview is public only where every path of its method is.
    const everyPathPublic = (method: string) =>
      config.publicRoutes.some((p) => p.endsWith(" *") && globToRegExp(p.slice(0, -2)).test(method));
    for (const r of ofKind(resources, K.restApi)) {
      guard(() => {
        const open = openOperations(r.props.body, isPublic);
        if (open.length > 0)
          add(r, `${who(r)} has operations without authorization or x-public-reason: ${open.join(", ")}.`);
      });
    }
    const apis = ofKind(resources, K.httpApi);
    for (const r of ofKind(resources, K.httpApiRoute, K.restMethod)) {
      guard(() => {
        if (K.restMethod.has(r.type)) {
          if (r.props.apiKeyRequired === true || (r.props.authorization ?? "NONE") !== "NONE") return;
          const method = String(r.props.httpMethod);
          const path = methodPath(r, resources);
          if (path === undefined ? everyPathPublic(method) : isPublic(`${method} ${path}`)) return;
          add(r, `${who(r)} (${method}${path === undefined ? "" : ` ${path}`}) has authorization NONE.`);
          return;
        }
        const key = String(r.props.routeKey);
        const api = apis.find((a) => refersTo(r, "apiId", a));
        const websocket = api ? api.props.protocolType === "WEBSOCKET" : key.startsWith("$");
        if (websocket && key !== "$connect") return;
        if (r.props.apiKeyRequired === true || isPublic(key)) return;
        if (!AUTHORIZED.includes(r.props.authorizationType ?? "NONE"))
          add(r, `${who(r)} '${key}' has no authorization.`);
      });
    }
  },
);

export const networkPolicies = [
  securityGroupNoPublicIngress,
  noPublicIp,
  eksEndpointPrivate,
  rdsNotPublic,
  lbHttpRedirectsToHttps,
  cloudfrontWaf,
  lambdaFunctionUrlAuth,
  s3BucketPublicAccessBlock,
  vpcDefaultSecurityGroupClosed,
  apiGatewayAuthorization,
];
