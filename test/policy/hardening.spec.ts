import {
  accessLogging,
  instanceMetadataV2,
  lbHardening,
  lbWaf,
  secretRotation,
} from "../../policy/hardening";
import { apiGatewayAuthorization } from "../../policy/network";
import { dependsOn, expectFindings, res, UNKNOWN_STRING } from "./helpers";

/*
 * The checks the anchors (checkov, cdk-nag, AWS Foundational Security Best Practices) have and the pack lacked:
 * IMDSv2, load balancer hardening and web ACLs, access logging, secret rotation, and the public-route knob of
 * api-gateway-authorization. Each: a compliant case and the exact findings of the failing ones.
 */

const T = {
  instance: "aws:ec2/instance:Instance",
  lt: "aws:ec2/launchTemplate:LaunchTemplate",
  lc: "aws:ec2/launchConfiguration:LaunchConfiguration",
  lb: "aws:lb/loadBalancer:LoadBalancer",
  alb: "aws:alb/loadBalancer:LoadBalancer",
  legacyLb: "aws:elasticloadbalancingv2/loadBalancer:LoadBalancer",
  waf: "aws:wafv2/webAclAssociation:WebAclAssociation",
  sg: "aws:ec2/securityGroup:SecurityGroup",
  sgRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
  ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  bucket: "aws:s3/bucket:Bucket",
  bucketV2: "aws:s3/bucketV2:BucketV2",
  logging: "aws:s3/bucketLogging:BucketLogging",
  loggingV2: "aws:s3/bucketLoggingV2:BucketLoggingV2",
  cf: "aws:cloudfront/distribution:Distribution",
  deliverySource: "aws:cloudwatch/logDeliverySource:LogDeliverySource",
  flowLog: "aws:ec2/flowLog:FlowLog",
  secret: "aws:secretsmanager/secret:Secret",
  rotation: "aws:secretsmanager/secretRotation:SecretRotation",
  restApi: "aws:apigateway/restApi:RestApi",
  restResource: "aws:apigateway/resource:Resource",
  method: "aws:apigateway/method:Method",
  httpApi: "aws:apigatewayv2/api:Api",
  route: "aws:apigatewayv2/route:Route",
};

describe("policy: instance-metadata-v2", () => {
  const v2 = { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 };
  it("passes IMDSv2-only instances, templates and configurations, a disabled endpoint, and an instance from a template", async () => {
    await expectFindings(
      instanceMetadataV2,
      [
        res(T.instance, "i", { instanceType: "t3.micro", metadataOptions: v2 }),
        res(T.lt, "lt", { metadataOptions: { httpTokens: "required" } }),
        res(T.lc, "lc", { imageId: "ami-1", instanceType: "t3.micro", metadataOptions: v2 }),
        res(T.instance, "off", { metadataOptions: { httpEndpoint: "disabled" } }),
        res(T.instance, "from-template", { launchTemplate: { id: "lt-1" } }),
      ],
      [],
    );
  });
  it("flags IMDSv1 (optional or left to the AMI) and a hop limit above the knob", async () => {
    const resources = [
      res(T.instance, "v1", { metadataOptions: { httpTokens: "optional" } }),
      res(T.lt, "unset", {}),
      res(T.lc, "hops", { metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 2 } }),
    ];
    await expectFindings(instanceMetadataV2, resources, [
      "EC2 instance 'v1' accepts IMDSv1 (metadataOptions.httpTokens optional): set it to required.",
      "launch template 'unset' leaves IMDSv1 to the AMI's default (no metadataOptions.httpTokens): set it to required.",
      "launch configuration 'hops' lets metadata responses travel 2 hops (httpPutResponseHopLimit; at most 1): containers on the host can reach the instance's credentials.",
    ]);
    // Containers that need the metadata service (hop limit 2) are a knob, not a silent pass.
    await expectFindings(instanceMetadataV2, [resources[2]], [], {
      "instance-metadata-v2": { maxHopLimit: 2 },
    });
  });
});

describe("policy: lb-hardening", () => {
  it("passes an ALB that drops invalid headers with the default or a strict desync mode, and skips NLBs", async () => {
    await expectFindings(
      lbHardening,
      [
        res(T.lb, "alb", { loadBalancerType: "application", dropInvalidHeaderFields: true }),
        res(T.alb, "strict", { dropInvalidHeaderFields: true, desyncMitigationMode: "strictest" }),
        res(T.lb, "nlb", { loadBalancerType: "network" }),
      ],
      [],
    );
  });
  it("flags kept invalid headers and the monitor desync mode, on every load balancer token", async () => {
    for (const type of [T.lb, T.alb, T.legacyLb]) {
      await expectFindings(
        lbHardening,
        [res(type, "open", { desyncMitigationMode: "monitor" })],
        [
          "load balancer 'open' forwards HTTP headers with invalid names (dropInvalidHeaderFields is not true).",
          "load balancer 'open' lets requests that risk HTTP desync through (desyncMitigationMode monitor): use defensive or strictest.",
        ],
      );
    }
  });
});

describe("policy: lb-waf", () => {
  // The engine records which security groups a load balancer and a rule name (their ids are unknown at preview).
  const sg = (name: string, inputs: Record<string, unknown> = {}) => res(T.sg, name, inputs);
  const lb = (name: string, groups: ReturnType<typeof sg>[], inputs: Record<string, unknown> = {}) =>
    dependsOn(
      res(T.lb, name, {
        loadBalancerType: "application",
        securityGroups: groups.map(() => UNKNOWN_STRING),
        ...inputs,
      }),
      "securityGroups",
      ...groups,
    );
  const ingressOf = (
    type: string,
    name: string,
    group: ReturnType<typeof sg>,
    inputs: Record<string, unknown>,
  ) => dependsOn(res(type, name, { securityGroupId: UNKNOWN_STRING, ...inputs }), "securityGroupId", group);
  const frontSg = sg("front", { vpcId: "vpc-1" });
  const fromCloudfront = ingressOf(T.ingress, "from-cloudfront", frontSg, {
    ipProtocol: "tcp",
    fromPort: 80,
    toPort: 80,
    prefixListId: "pl-3b927c52",
  });

  it("passes an internet-facing ALB with a web ACL, an internal one, and one only CloudFront (a prefix list) reaches", async () => {
    const openSg = sg("open", {
      ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
    });
    const withAcl = lb("with-acl", [openSg]);
    await expectFindings(
      lbWaf,
      [
        withAcl,
        openSg,
        dependsOn(
          res(T.waf, "acl", { resourceArn: UNKNOWN_STRING, webAclArn: "arn:aws:wafv2:acl" }),
          "resourceArn",
          withAcl,
        ),
        lb("internal", [openSg], { internal: true }),
        lb("behind-cloudfront", [frontSg]),
        frontSg,
        fromCloudfront,
        ingressOf(T.sgRule, "from-vpc", frontSg, {
          type: "ingress",
          protocol: "tcp",
          fromPort: 80,
          toPort: 80,
          cidrBlocks: ["10.0.0.0/16"],
        }),
      ],
      [],
    );
  });

  it("flags an internet-facing ALB that public addresses reach without a web ACL, in every rule form", async () => {
    const inlineSg = sg("inline", {
      ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["203.0.113.0/24"] }],
    });
    const vSg = sg("v");
    const resources = [
      lb("inline", [inlineSg]),
      inlineSg,
      lb("rule", [frontSg]),
      frontSg,
      ingressOf(T.sgRule, "public", frontSg, {
        type: "ingress",
        protocol: "tcp",
        fromPort: 443,
        toPort: 443,
        ipv6CidrBlocks: ["::/0"],
      }),
      lb("vpc-rule", [vSg]),
      vSg,
      ingressOf(T.ingress, "anywhere", vSg, {
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrIpv4: "0.0.0.0/0",
      }),
      res(T.lb, "unseen", { loadBalancerType: "application", securityGroups: ["sg-elsewhere"] }),
    ];
    await expectFindings(lbWaf, resources, [
      "load balancer 'inline' is internet-facing without a WAF web ACL, and security group 'inline' admits 203.0.113.0/24.",
      "load balancer 'rule' is internet-facing without a WAF web ACL, and security group 'front' admits ::/0.",
      "load balancer 'vpc-rule' is internet-facing without a WAF web ACL, and security group 'v' admits 0.0.0.0/0.",
      "load balancer 'unseen' is internet-facing without a WAF web ACL, and its security groups are not in this stack to show who reaches it.",
    ]);
  });

  it("requires a web ACL even behind a prefix list when the knob says so", async () => {
    await expectFindings(
      lbWaf,
      [lb("behind-cloudfront", [frontSg]), frontSg, fromCloudfront],
      ["load balancer 'behind-cloudfront' is internet-facing without a WAF web ACL."],
      { "lb-waf": { acceptRestrictedSources: false } },
    );
  });
});

describe("policy: access-logging", () => {
  it("passes logged buckets and distributions, and the buckets logs go to", async () => {
    const raw = res(T.bucket, "raw", { bucket: "raw-bucket" });
    const logs = res(T.bucketV2, "logs", { bucket: "logs-bucket" });
    const albLogs = res(T.bucket, "alb-logs", { bucket: "alb-logs-bucket" });
    const flowLogs = res(T.bucket, "flow-logs", {}, { outputs: { arn: "arn:aws:s3:::flow-logs-bucket" } });
    const cdnLogs = res(
      T.bucket,
      "cdn-logs",
      {},
      { outputs: { bucketDomainName: "cdn-logs-bucket.s3.amazonaws.com" } },
    );
    const cdn = res(T.cf, "cdn", {
      loggingConfig: { bucket: "cdn-logs-bucket.s3.amazonaws.com", prefix: "cdn/" },
    });
    const v2cdn = res(T.cf, "v2", {}, { outputs: { arn: "arn:aws:cloudfront::1:distribution/E2" } });
    await expectFindings(
      accessLogging,
      [
        raw,
        logs,
        albLogs,
        flowLogs,
        cdnLogs,
        res(T.loggingV2, "raw-logging", {
          bucket: "raw-bucket",
          targetBucket: "logs-bucket",
          targetPrefix: "raw/",
        }),
        res(T.bucket, "inline", { logging: { targetBucket: "logs-bucket" } }),
        res("aws:lb/loadBalancer:LoadBalancer", "alb", {
          accessLogs: { bucket: "alb-logs-bucket", enabled: true },
        }),
        res(T.flowLog, "flow", { logDestinationType: "s3", logDestination: "arn:aws:s3:::flow-logs-bucket" }),
        cdn,
        v2cdn,
        res(T.deliverySource, "v2-source", {
          logType: "ACCESS_LOGS",
          resourceArn: "arn:aws:cloudfront::1:distribution/E2",
        }),
      ],
      [],
    );
  });

  it("flags buckets and distributions that write no access logs, each behind its own knob", async () => {
    const resources = [
      res(T.bucket, "site", {}),
      res(T.bucketV2, "data", {}),
      res(T.cf, "web", {}),
      res(T.deliverySource, "errors-only", { logType: "CONNECTION_LOGS", resourceArn: "x" }),
    ];
    await expectFindings(accessLogging, resources, [
      "S3 bucket 'site' writes no server access logs (no aws.s3.BucketLogging for it).",
      "S3 bucket 'data' writes no server access logs (no aws.s3.BucketLogging for it).",
      "CloudFront distribution 'web' writes no access logs (no loggingConfig and no ACCESS_LOGS log delivery source).",
    ]);
    await expectFindings(
      accessLogging,
      resources,
      [
        "CloudFront distribution 'web' writes no access logs (no loggingConfig and no ACCESS_LOGS log delivery source).",
      ],
      { "access-logging": { buckets: false } },
    );
    await expectFindings(
      accessLogging,
      resources,
      [
        "S3 bucket 'site' writes no server access logs (no aws.s3.BucketLogging for it).",
        "S3 bucket 'data' writes no server access logs (no aws.s3.BucketLogging for it).",
      ],
      { "access-logging": { distributions: false } },
    );
  });
});

describe("policy: secret-rotation", () => {
  it("passes secrets rotated within the limit (days or a schedule), related by dependency or ARN", async () => {
    const a = res(T.secret, "a", {}, { outputs: { arn: "arn:aws:secretsmanager:us-east-1:1:secret:a-AbC" } });
    const b = res(T.secret, "b", {});
    const c = res(T.secret, "c", {});
    await expectFindings(
      secretRotation,
      [
        a,
        b,
        res(T.rotation, "a-rotation", {
          secretId: "arn:aws:secretsmanager:us-east-1:1:secret:a-AbC",
          rotationRules: { automaticallyAfterDays: 30 },
        }),
        dependsOn(
          res(T.rotation, "b-rotation", {
            secretId: UNKNOWN_STRING,
            rotationRules: { scheduleExpression: "rate(4 hours)" },
          }),
          "secretId",
          b,
        ),
        // A cron schedule's period is not derived: taken as rotating.
        c,
        dependsOn(
          res(T.rotation, "c-rotation", {
            secretId: UNKNOWN_STRING,
            rotationRules: { scheduleExpression: "cron(0 16 1,15 * ? *)" },
          }),
          "secretId",
          c,
        ),
      ],
      [],
    );
  });

  it("flags a secret never rotated, or rotated less often than the knob allows", async () => {
    const slow = res(T.secret, "slow", {});
    const yearly = res(T.secret, "yearly", {});
    const resources = [
      res(T.secret, "never", {}),
      slow,
      dependsOn(
        res(T.rotation, "slow-rotation", {
          secretId: UNKNOWN_STRING,
          rotationRules: { automaticallyAfterDays: 180 },
        }),
        "secretId",
        slow,
      ),
      yearly,
      dependsOn(
        res(T.rotation, "yearly-rotation", {
          secretId: UNKNOWN_STRING,
          rotationRules: { scheduleExpression: "rate(365 days)" },
        }),
        "secretId",
        yearly,
      ),
    ];
    await expectFindings(secretRotation, resources, [
      "secret 'never' is never rotated (no aws.secretsmanager.SecretRotation): its credential lives until someone replaces it.",
      "secret 'slow' rotates every 180 days, more than 90.",
      "secret 'yearly' rotates every 365 days, more than 90.",
    ]);
    await expectFindings(
      secretRotation,
      resources,
      [
        "secret 'never' is never rotated (no aws.secretsmanager.SecretRotation): its credential lives until someone replaces it.",
      ],
      {
        "secret-rotation": { maxDays: 365 },
      },
    );
  });
});

describe("policy: api-gateway-authorization publicRoutes", () => {
  const body = (paths: object) => JSON.stringify({ openapi: "3.0.1", paths });
  const http = res(T.httpApi, "http", { protocolType: "HTTP" });
  const route = (name: string, routeKey: string) =>
    dependsOn(
      res(T.route, name, { apiId: UNKNOWN_STRING, routeKey, authorizationType: "NONE" }),
      "apiId",
      http,
    );
  const api = res(T.restApi, "api", {});
  const resource = (name: string, path: string) =>
    dependsOn(
      res(T.restResource, name, { restApi: UNKNOWN_STRING, pathPart: path.slice(1) }, { outputs: { path } }),
      "restApi",
      api,
    );
  const method = (name: string, on: ReturnType<typeof resource>, httpMethod: string) =>
    dependsOn(
      res(T.method, name, {
        restApi: UNKNOWN_STRING,
        resourceId: UNKNOWN_STRING,
        httpMethod,
        authorization: "NONE",
      }),
      "resourceId",
      on,
    );

  it("accepts the listed public routes (GET /health and preflights by default) on HTTP APIs, REST methods and OpenAPI bodies", async () => {
    const health = resource("health", "/health");
    await expectFindings(
      apiGatewayAuthorization,
      [
        http,
        route("health-route", "GET /health"),
        api,
        health,
        method("health-get", health, "GET"),
        method("preflight", health, "OPTIONS"),
        dependsOn(
          res(T.method, "root-get", {
            restApi: UNKNOWN_STRING,
            resourceId: UNKNOWN_STRING,
            httpMethod: "GET",
            authorization: "NONE",
          }),
          "resourceId",
          api,
        ),
        res(T.restApi, "openapi", {
          body: body({ "/health": { get: { security: [] } }, "/x": { options: { security: [] } } }),
        }),
      ],
      ["REST API method 'root-get' (GET /) has authorization NONE."],
    );
  });

  it("flags an unlisted public route, and a default route once the knob no longer lists it", async () => {
    const status = resource("status", "/status");
    const resources = [
      http,
      route("status-route", "GET /status"),
      route("health-route", "GET /health"),
      api,
      status,
      method("status-get", status, "GET"),
      method("status-options", status, "OPTIONS"),
      res(T.restApi, "openapi", {
        body: body({ "/health": { get: { security: [] } }, "/status": { get: { security: [] } } }),
      }),
    ];
    await expectFindings(apiGatewayAuthorization, resources, [
      "REST API 'openapi' has operations without authorization or x-public-reason: GET /status.",
      "API Gateway v2 route 'status-route' 'GET /status' has no authorization.",
      "REST API method 'status-get' (GET /status) has authorization NONE.",
    ]);
    await expectFindings(
      apiGatewayAuthorization,
      resources,
      [
        "REST API 'openapi' has operations without authorization or x-public-reason: GET /health.",
        "API Gateway v2 route 'health-route' 'GET /health' has no authorization.",
        "REST API method 'status-options' (OPTIONS /status) has authorization NONE.",
      ],
      { "api-gateway-authorization": { publicRoutes: ["GET /status"] } },
    );
  });
});
