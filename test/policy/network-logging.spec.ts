import * as logging from "../../policy/logging";
import * as net from "../../policy/network";
import { dependsOn, expectFindings, res, UNKNOWN_STRING } from "./helpers";

const T = {
  sg: "aws:ec2/securityGroup:SecurityGroup",
  defaultSg: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
  sgRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
  ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  instance: "aws:ec2/instance:Instance",
  lt: "aws:ec2/launchTemplate:LaunchTemplate",
  subnet: "aws:ec2/subnet:Subnet",
  service: "aws:ecs/service:Service",
  eks: "aws:eks/cluster:Cluster",
  db: "aws:rds/instance:Instance",
  clusterInstance: "aws:rds/clusterInstance:ClusterInstance",
  listener: "aws:lb/listener:Listener",
  albListener: "aws:alb/listener:Listener",
  cf: "aws:cloudfront/distribution:Distribution",
  url: "aws:lambda/functionUrl:FunctionUrl",
  vpc: "aws:ec2/vpc:Vpc",
  flowLog: "aws:ec2/flowLog:FlowLog",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  lb: "aws:lb/loadBalancer:LoadBalancer",
  alb: "aws:alb/loadBalancer:LoadBalancer",
  restStage: "aws:apigateway/stage:Stage",
  httpStage: "aws:apigatewayv2/stage:Stage",
};

describe("policy: security-group-no-public-ingress", () => {
  it("passes VPC-internal and prefix-list ingress", async () => {
    await expectFindings(
      net.securityGroupNoPublicIngress,
      [
        res(T.sg, "sg", {
          ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["10.0.0.0/16"] }],
        }),
        res(T.ingress, "cf", {
          securityGroupId: "sg-1",
          ipProtocol: "tcp",
          fromPort: 80,
          toPort: 80,
          prefixListId: "pl-3b927c52",
        }),
        res(T.sgRule, "egress", {
          type: "egress",
          securityGroupId: "sg-1",
          protocol: "-1",
          fromPort: 0,
          toPort: 0,
          cidrBlocks: ["0.0.0.0/0"],
        }),
      ],
      [],
    );
  });
  it("flags 0.0.0.0/0 and ::/0 in every rule form, honoring allowedPorts", async () => {
    const resources = [
      res(T.sg, "inline", {
        ingress: [
          { protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"] },
        ],
      }),
      res(T.defaultSg, "default", {
        vpcId: "v",
        ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
      }),
      res(T.sgRule, "rule", {
        type: "ingress",
        securityGroupId: "sg",
        protocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrBlocks: ["0.0.0.0/0"],
      }),
      res(T.ingress, "v6", {
        securityGroupId: "sg",
        ipProtocol: "tcp",
        fromPort: 8000,
        toPort: 8100,
        cidrIpv6: "::/0",
      }),
    ];
    await expectFindings(net.securityGroupNoPublicIngress, resources, [
      "security group 'inline' admits 0.0.0.0/0 and ::/0 on tcp 22.",
      "default security group 'default' admits 0.0.0.0/0 on all ports.",
      "security group rule 'rule' admits 0.0.0.0/0 on tcp 443.",
      "security group ingress rule 'v6' admits ::/0 on tcp 8000-8100.",
    ]);
    await expectFindings(net.securityGroupNoPublicIngress, resources.slice(2, 3), [], {
      "security-group-no-public-ingress": { allowedPorts: [443] },
    });
  });
});

describe("policy: no-public-ip", () => {
  it("passes private placements", async () => {
    await expectFindings(
      net.noPublicIp,
      [
        res(T.subnet, "s", { vpcId: "v", mapPublicIpOnLaunch: false }),
        res(T.service, "svc", { networkConfiguration: { subnets: ["a"], assignPublicIp: false } }),
      ],
      [],
    );
  });
  it("flags public IPs on instances, templates, subnets and services", async () => {
    await expectFindings(
      net.noPublicIp,
      [
        res(T.instance, "i", { associatePublicIpAddress: true }),
        res(T.lt, "lt", { networkInterfaces: [{ associatePublicIpAddress: "true" }] }),
        res(T.subnet, "s", { vpcId: "v", mapPublicIpOnLaunch: true }),
        res(T.service, "svc", { networkConfiguration: { subnets: ["a"], assignPublicIp: true } }),
      ],
      [
        "EC2 instance 'i' associates a public IP address.",
        "launch template 'lt' gives its network interfaces a public IP address.",
        "subnet 's' assigns a public IP to everything launched in it.",
        "ECS service 'svc' gives its tasks public IP addresses.",
      ],
    );
  });
});

describe("policy: eks-endpoint-private", () => {
  it("passes private endpoints and listed CIDRs", async () => {
    await expectFindings(
      net.eksEndpointPrivate,
      [
        res(T.eks, "a", { vpcConfig: { endpointPublicAccess: false, endpointPrivateAccess: true } }),
        res(T.eks, "b", { vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] } }),
      ],
      [],
    );
  });
  it("flags the default (public to all) and 0.0.0.0/0", async () => {
    await expectFindings(
      net.eksEndpointPrivate,
      [
        res(T.eks, "a", { vpcConfig: { subnetIds: ["s"] } }),
        res(T.eks, "b", { vpcConfig: { publicAccessCidrs: ["0.0.0.0/0"] } }),
      ],
      [
        "EKS cluster 'a' exposes its API endpoint to the whole internet (endpointPublicAccess without publicAccessCidrs).",
        "EKS cluster 'b' exposes its API endpoint to the whole internet (endpointPublicAccess without publicAccessCidrs).",
      ],
    );
  });
});

describe("policy: rds-not-public", () => {
  it("passes private instances", async () => {
    await expectFindings(
      net.rdsNotPublic,
      [res(T.db, "a", {}), res(T.clusterInstance, "c", { publiclyAccessible: false })],
      [],
    );
  });
  it("flags public instances and cluster instances only", async () => {
    await expectFindings(
      net.rdsNotPublic,
      [
        res(T.db, "a", {}),
        res(T.db, "b", { publiclyAccessible: true }),
        res(T.clusterInstance, "c", { publiclyAccessible: true }),
      ],
      ["RDS instance 'b' is publicly accessible.", "RDS cluster instance 'c' is publicly accessible."],
    );
  });
});

describe("policy: lb-http-redirects-to-https", () => {
  it("flags an HTTP listener whose default refuses but whose rule forwards", async () => {
    const arn = "arn:aws:elasticloadbalancing:us-east-1:1:listener/app/web/1";
    await expectFindings(
      net.lbHttpRedirectsToHttps,
      [
        res(T.listener, "http", {
          protocol: "HTTP",
          arn,
          defaultActions: [
            { type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "403" } },
          ],
        }),
        res("aws:lb/listenerRule:ListenerRule", "from-cloudfront", {
          listenerArn: arn,
          priority: 1,
          actions: [{ type: "forward", targetGroupArn: "tg" }],
          conditions: [{ httpHeader: { httpHeaderName: "X-Origin-Verify", values: ["s"] } }],
        }),
      ],
      ["listener 'http' serves plain HTTP through rule 'from-cloudfront' instead of redirecting to HTTPS."],
    );
  });
  it("accepts HTTP forwarding on an internal load balancer (a CloudFront VPC origin) unless configured not to", async () => {
    const lb = res(T.lb, "private", {
      internal: true,
      arn: "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/private/1",
    });
    const listener = res(T.listener, "http", {
      protocol: "HTTP",
      loadBalancerArn: "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/private/1",
      defaultActions: [{ type: "forward", targetGroupArn: "tg" }],
    });
    await expectFindings(net.lbHttpRedirectsToHttps, [lb, listener], []);
    await expectFindings(
      net.lbHttpRedirectsToHttps,
      [lb, listener],
      ["listener 'http' serves plain HTTP instead of redirecting to HTTPS."],
      {
        "lb-http-redirects-to-https": { allowInternal: false },
      },
    );
  });
  it("passes redirects (aws.lb and aws.alb) and HTTPS listeners", async () => {
    const redirect = [
      { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
    ];
    await expectFindings(
      net.lbHttpRedirectsToHttps,
      [
        res(T.listener, "a", { protocol: "HTTP", defaultActions: redirect }),
        res(T.albListener, "b", { protocol: "HTTP", defaultActions: redirect }),
        res(T.listener, "c", {
          protocol: "HTTPS",
          defaultActions: [{ type: "forward", targetGroupArn: "tg" }],
        }),
      ],
      [],
    );
  });
  it("flags HTTP listeners that forward", async () => {
    await expectFindings(
      net.lbHttpRedirectsToHttps,
      [
        res(T.albListener, "b", {
          protocol: "HTTP",
          defaultActions: [{ type: "forward", targetGroupArn: "tg" }],
        }),
      ],
      ["listener 'b' serves plain HTTP instead of redirecting to HTTPS."],
    );
  });
});

describe("policy: cloudfront-waf and lambda-function-url-auth", () => {
  it("pass a distribution with a web ACL and an IAM-authenticated URL", async () => {
    await expectFindings(net.cloudfrontWaf, [res(T.cf, "a", { webAclId: UNKNOWN_STRING })], []);
    await expectFindings(
      net.lambdaFunctionUrlAuth,
      [res(T.url, "a", { functionName: "f", authorizationType: "AWS_IAM" })],
      [],
    );
  });
  it("pass protected entries and flag open ones", async () => {
    await expectFindings(
      net.cloudfrontWaf,
      [res(T.cf, "a", { webAclId: UNKNOWN_STRING }), res(T.cf, "b", {})],
      ["CloudFront distribution 'b' has no WAF web ACL (webAclId)."],
    );
    await expectFindings(
      net.lambdaFunctionUrlAuth,
      [
        res(T.url, "a", { functionName: "f", authorizationType: "AWS_IAM" }),
        res(T.url, "b", { functionName: "f", authorizationType: "NONE" }),
      ],
      ["Lambda function URL 'b' lets anyone invoke the function (authorizationType NONE)."],
    );
  });
});

describe("policy: vpc-flow-logs", () => {
  it("relates flow logs to VPCs by dependency or id", async () => {
    const a = res(T.vpc, "a", { cidrBlock: "10.0.0.0/16", arn: "arn:aws:ec2:us-east-1:1:vpc/vpc-aaa" });
    const b = res(T.vpc, "b", { cidrBlock: "10.1.0.0/16", arn: "arn:aws:ec2:us-east-1:1:vpc/vpc-bbb" });
    await expectFindings(
      logging.vpcFlowLogs,
      [
        a,
        b,
        dependsOn(res(T.flowLog, "fa", { vpcId: UNKNOWN_STRING }), "vpcId", a),
        res(T.flowLog, "fb", { vpcId: "vpc-bbb" }),
      ],
      [],
    );
  });
  it("flags a VPC without a flow log", async () => {
    await expectFindings(
      logging.vpcFlowLogs,
      [res(T.vpc, "a", { cidrBlock: "10.0.0.0/16" })],
      ["VPC 'a' has no flow log."],
    );
  });
});

describe("policy: log-group-retention", () => {
  it("passes a retention CloudWatch accepts", async () => {
    await expectFindings(logging.logGroupRetention, [res(T.logGroup, "ok", { retentionInDays: 30 })], []);
  });
  it("passes a valid retention and flags none, invalid and too short", async () => {
    await expectFindings(
      logging.logGroupRetention,
      [
        res(T.logGroup, "ok", { retentionInDays: 30 }),
        res(T.logGroup, "forever", {}),
        res(T.logGroup, "odd", { retentionInDays: 10 }),
        res(T.logGroup, "short", { retentionInDays: 7 }),
      ],
      [
        "log group 'forever' keeps logs forever (no retentionInDays).",
        "log group 'odd' sets retentionInDays 10, which CloudWatch Logs rejects.",
        "log group 'short' keeps logs 7 days, less than 14.",
      ],
      { "log-group-retention": { minimumDays: 14 } },
    );
  });
});

describe("policy: lb-access-logs", () => {
  it("passes an ALB with access logs and a network load balancer", async () => {
    await expectFindings(
      logging.lbAccessLogs,
      [
        res(T.lb, "ok", { accessLogs: { bucket: "logs", enabled: true } }),
        res(T.lb, "nlb", { loadBalancerType: "network" }),
      ],
      [],
    );
  });
  it("passes logging ALBs and network LBs, flags silent ALBs (both tokens)", async () => {
    await expectFindings(
      logging.lbAccessLogs,
      [
        res(T.lb, "ok", { accessLogs: { bucket: "logs", enabled: true } }),
        res(T.lb, "nlb", { loadBalancerType: "network" }),
        res(T.alb, "quiet", {}),
      ],
      ["load balancer 'quiet' does not write access logs (accessLogs.enabled with a bucket)."],
    );
  });
});

describe("policy: api-gateway-access-logs", () => {
  it("passes stages with access logs", async () => {
    const logs = {
      destinationArn: "arn:aws:logs:us-east-1:1:log-group:api",
      format: '{"requestId":"$context.requestId"}',
    };
    await expectFindings(
      logging.apiGatewayAccessLogs,
      [
        res(T.httpStage, "ok", { apiId: "a", accessLogSettings: logs }),
        res(T.restStage, "rest", {
          restApi: "r",
          deployment: "d",
          stageName: "prod",
          accessLogSettings: logs,
        }),
      ],
      [],
    );
  });
  it("passes stages with access logs and flags REST and HTTP stages without", async () => {
    const logs = {
      destinationArn: "arn:aws:logs:us-east-1:1:log-group:api",
      format: '{"requestId":"$context.requestId"}',
    };
    await expectFindings(
      logging.apiGatewayAccessLogs,
      [
        res(T.httpStage, "ok", { apiId: "a", accessLogSettings: logs }),
        res(T.restStage, "rest", { restApi: "r", deployment: "d", stageName: "prod" }),
        res(T.httpStage, "ws", { apiId: "a" }),
      ],
      [
        "API Gateway stage 'rest' writes no access logs (accessLogSettings with destinationArn and format).",
        "API Gateway v2 stage 'ws' writes no access logs (accessLogSettings with destinationArn and format).",
      ],
    );
  });
});

describe("policy: eks-control-plane-logs", () => {
  it("passes a cluster that logs every type", async () => {
    await expectFindings(
      logging.eksControlPlaneLogs,
      [res(T.eks, "a", { enabledClusterLogTypes: logging.EKS_LOG_TYPES })],
      [],
    );
  });
  it("passes all log types and names the missing ones", async () => {
    await expectFindings(
      logging.eksControlPlaneLogs,
      [
        res(T.eks, "a", { enabledClusterLogTypes: logging.EKS_LOG_TYPES }),
        res(T.eks, "b", { enabledClusterLogTypes: ["api"] }),
      ],
      ["EKS cluster 'b' does not log audit, authenticator, controllerManager and scheduler."],
    );
  });
});
