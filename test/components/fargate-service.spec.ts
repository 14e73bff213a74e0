import * as assert from "assert";
import { ALB_TLS_POLICY, ORIGIN_VERIFY_HEADER } from "../../components/fargate/alb";
import {
  MANAGED_ORIGIN_REQUEST_ALL_VIEWER_EXCEPT_HOST,
  MANAGED_RESPONSE_HEADERS_SECURITY,
} from "../../components/fargate/edge";
import { RegisteredResource } from "../../tools/offline/evaluate";
import { estimateCost } from "../../cost/estimate";
import { LOGS_KEY_ARN, named, ofType, policyDocument } from "../helpers/offline";
import {
  CDN_CERT_ARN,
  childrenOf,
  fargateStack,
  FargateStack,
  ORIGIN_CERT_ARN,
  plain,
  TOPIC,
  valueOf,
} from "./fargate-helpers";

const CLOUDFRONT_PREFIX_LIST = "pl-3b927c52";
const ACCOUNT = "123456789012";
const SECRET = (stack: string) => `placeholder-${stack}-origin-verify-0123456789abcdef`;
const arnOf = (r: RegisteredResource) => r.outputs.arn as string;
const idOf = (r: RegisteredResource) => r.id as string;

/** What differs between the stacks, from their config files. */
const EXPECT = {
  dev: {
    capacity: [{ capacityProvider: "FARGATE_SPOT", base: 0, weight: 1 }],
    tasks: { desired: 1, min: 1, max: 2 },
    size: { cpu: "256", memory: "512" },
    publicTasks: true,
    domain: undefined,
    retention: 7,
    insights: "disabled",
    spotShare: "all on Spot",
  },
  staging: {
    capacity: [
      { capacityProvider: "FARGATE", base: 0, weight: 1 },
      { capacityProvider: "FARGATE_SPOT", base: 0, weight: 1 },
    ],
    tasks: { desired: 1, min: 1, max: 4 },
    size: { cpu: "512", memory: "1024" },
    publicTasks: false,
    domain: undefined,
    retention: 30,
    insights: "enabled",
    // One task under 1:1 weights runs wholly on one provider: the estimate gives both.
    spotShare: "0-1 on Spot (ECS places whole tasks by weight)",
  },
  prod: {
    capacity: [
      { capacityProvider: "FARGATE", base: 2, weight: 1 },
      { capacityProvider: "FARGATE_SPOT", base: 0, weight: 1 },
    ],
    tasks: { desired: 2, min: 2, max: 8 },
    size: { cpu: "1024", memory: "2048" },
    publicTasks: false,
    domain: "agents.example.com",
    retention: 90,
    insights: "enabled",
    spotShare: "none on Spot",
  },
} as const;

describe("FargateService", function () {
  this.timeout(60000);

  for (const stack of ["dev", "staging", "prod"] as const) {
    describe(stack, () => {
      const expected = EXPECT[stack];
      let s: FargateStack;
      let mine: RegisteredResource[];
      before(async () => {
        s = await fargateStack(stack);
        mine = childrenOf(s.resources, "agent-platform:index:FargateService", "web");
      });
      const one = (name: string) => named(mine, name);
      const subnets = (tier: string) =>
        ofType(s.resources, "aws:ec2/subnet:Subnet")
          .filter((x) => x.name.startsWith(`network-${tier}-`))
          .map(idOf);

      it("admits no traffic from 0.0.0.0/0 or ::/0 anywhere, and nothing but the ALB to the tasks", () => {
        for (const sg of ofType(mine, "aws:ec2/securityGroup:SecurityGroup")) {
          for (const rule of (sg.inputs.ingress as Record<string, unknown>[] | undefined) ?? []) {
            assert.deepStrictEqual(rule.cidrBlocks ?? [], [], sg.name);
            assert.deepStrictEqual(rule.ipv6CidrBlocks ?? [], [], sg.name);
          }
        }
        for (const rule of ofType(mine, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")) {
          assert.strictEqual(rule.inputs.cidrIpv4, undefined);
          assert.strictEqual(rule.inputs.cidrIpv6, undefined);
        }
        const albSg = one("web-alb-sg");
        // Standalone rules only: inline rules would make the provider delete the standalone ones.
        assert.strictEqual(albSg.inputs.ingress, undefined);
        assert.strictEqual(albSg.inputs.egress, undefined);
        const tasksSg = one("web-tasks-sg");
        assert.deepStrictEqual([tasksSg.inputs.ingress, tasksSg.inputs.egress], [undefined, undefined]);
        const fromAlb = one("web-tasks-from-alb").inputs;
        assert.deepStrictEqual(
          [
            fromAlb.securityGroupId,
            fromAlb.referencedSecurityGroupId,
            fromAlb.ipProtocol,
            fromAlb.fromPort,
            fromAlb.toPort,
          ],
          [idOf(tasksSg), idOf(albSg), "tcp", 8080, 8080],
        );
        const https = one("web-tasks-https").inputs;
        assert.deepStrictEqual(
          [https.securityGroupId, https.cidrIpv4, https.ipProtocol, https.fromPort, https.toPort],
          [idOf(tasksSg), "0.0.0.0/0", "tcp", 443, 443],
        );
        const egress = one("web-alb-to-tasks").inputs;
        assert.deepStrictEqual(
          [egress.securityGroupId, egress.referencedSecurityGroupId, egress.fromPort, egress.toPort],
          [idOf(albSg), idOf(one("web-tasks-sg")), 8080, 8080],
        );
      });

      it("admits the CloudFront origin-facing prefix list once, on the listener port only", () => {
        const rules = ofType(mine, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter(
          (r) => r.inputs.securityGroupId === idOf(one("web-alb-sg")),
        );
        assert.deepStrictEqual(
          rules.map((r) => r.inputs),
          [
            {
              securityGroupId: idOf(one("web-alb-sg")),
              description: "CloudFront origin-facing servers",
              ipProtocol: "tcp",
              fromPort: expected.domain ? 443 : 80,
              toPort: expected.domain ? 443 : 80,
              prefixListId: CLOUDFRONT_PREFIX_LIST,
              tags: { Function: "web-service" },
            },
          ],
        );
      });

      it("refuses requests without the origin header and forwards the rest to the tasks", () => {
        const listeners = ofType(mine, "aws:lb/listener:Listener");
        const refused = {
          type: "fixed-response",
          fixedResponse: { contentType: "text/plain", statusCode: "403", messageBody: "Forbidden" },
        };
        const alb = arnOf(one("web-alb"));
        if (expected.domain) {
          assert.deepStrictEqual(listeners.map((l) => l.name).sort(), ["web-http-redirect", "web-https"]);
          const https = one("web-https").inputs;
          assert.deepStrictEqual(
            [https.loadBalancerArn, https.port, https.protocol, https.sslPolicy, https.defaultActions],
            [alb, 443, "HTTPS", ALB_TLS_POLICY, [refused]],
          );
          assert.strictEqual(https.certificateArn, ORIGIN_CERT_ARN);
          assert.deepStrictEqual(one("web-http-redirect").inputs.defaultActions, [
            { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
          ]);
        } else {
          assert.deepStrictEqual(
            listeners.map((l) => l.name),
            ["web-http"],
          );
          const http = one("web-http").inputs;
          assert.deepStrictEqual(
            [http.loadBalancerArn, http.port, http.protocol, http.sslPolicy, http.defaultActions],
            [alb, 80, "HTTP", undefined, [refused]],
          );
          // CloudFront reaches it over HTTP (there is no certificate without a domain): accepted, with why.
          assert.match(
            (http.tags as Record<string, string>)["policy-exempt:lb-http-redirects-to-https"],
            /^no domain so no certificate: only CloudFront reaches this listener .* others get 403$/,
          );
        }
        const rule = one("web-from-cloudfront").inputs;
        assert.strictEqual(rule.listenerArn, arnOf(one(expected.domain ? "web-https" : "web-http")));
        assert.strictEqual(rule.priority, 1);
        assert.deepStrictEqual(plain(rule.conditions), [
          { httpHeader: { httpHeaderName: ORIGIN_VERIFY_HEADER, values: [SECRET(stack)] } },
        ]);
        assert.deepStrictEqual(rule.actions, [{ type: "forward", targetGroupArn: arnOf(one("web-tg")) }]);
      });

      it("runs a hardened ALB and a target group checked every 60 s, with names within 32 characters", () => {
        const alb = one("web-alb").inputs;
        assert.deepStrictEqual(
          [alb.loadBalancerType, alb.internal, alb.dropInvalidHeaderFields, alb.desyncMitigationMode],
          ["application", false, true, "strictest"],
        );
        assert.deepStrictEqual(alb.subnets, subnets("public"));
        assert.deepStrictEqual(alb.securityGroups, [idOf(one("web-alb-sg"))]);
        assert.deepStrictEqual(alb.accessLogs, {
          bucket: idOf(one("web-alb-logs")),
          prefix: "alb",
          enabled: true,
        });
        const tg = one("web-tg").inputs;
        assert.deepStrictEqual(
          [tg.targetType, tg.protocol, tg.port, tg.deregistrationDelay],
          ["ip", "HTTP", 8080, 30],
        );
        assert.deepStrictEqual(tg.healthCheck, {
          enabled: true,
          protocol: "HTTP",
          port: "traffic-port",
          path: "/",
          matcher: "200-399",
          interval: 60,
          timeout: 5,
          healthyThreshold: 2,
          unhealthyThreshold: 3,
        });
        for (const r of [one("web-alb"), one("web-tg")]) {
          const name = r.inputs.name as string;
          assert.match(name, new RegExp(`^${r.name}-[0-9a-f]{7}$`));
          assert.ok(name.length <= 32, `${name} is ${name.length} characters`);
        }
      });

      it("keeps ALB access logs in a private, SSE-S3, TLS-only bucket the regional ELB account writes to", () => {
        const bucket = one("web-alb-logs");
        assert.strictEqual(bucket.options.protect, stack === "prod");
        assert.deepStrictEqual(one("web-alb-logs-sse").inputs.rules, [
          { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
        ]);
        const pab = one("web-alb-logs-pab").inputs;
        assert.deepStrictEqual(
          [pab.blockPublicAcls, pab.blockPublicPolicy, pab.ignorePublicAcls, pab.restrictPublicBuckets],
          [true, true, true, true],
        );
        const lifecycle = one("web-alb-logs-lifecycle").inputs.rules as Record<string, unknown>[];
        assert.deepStrictEqual(lifecycle[0].expiration, { days: expected.retention });
        const arn = arnOf(bucket);
        assert.deepStrictEqual(policyDocument(one("web-alb-logs-policy")).Statement, [
          {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [arn, `${arn}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
          {
            Sid: "ElbWritesAccessLogs",
            Effect: "Allow",
            Principal: { AWS: "arn:aws:iam::127311923021:root" },
            Action: "s3:PutObject",
            Resource: `${arn}/alb/AWSLogs/${ACCOUNT}/*`,
          },
        ]);
        assert.ok(one("web-alb").dependencies.includes(one("web-alb-logs-policy").urn));
        // S3 refuses concurrent changes to one bucket's access settings; noncurrent-version rules need versioning.
        assert.ok(one("web-alb-logs-policy").dependencies.includes(one("web-alb-logs-pab").urn));
        assert.ok(one("web-alb-logs-lifecycle").dependencies.includes(one("web-alb-logs-versioning").urn));
      });

      it("places tasks by the stack's NAT strategy with the configured capacity providers", () => {
        const service = one("web");
        const p = service.inputs;
        assert.deepStrictEqual(p.capacityProviderStrategies, expected.capacity);
        assert.strictEqual(p.launchType, undefined);
        assert.strictEqual(p.desiredCount, expected.tasks.desired);
        assert.deepStrictEqual(p.networkConfiguration, {
          subnets: subnets(expected.publicTasks ? "public" : "private"),
          securityGroups: [idOf(one("web-tasks-sg"))],
          assignPublicIp: expected.publicTasks,
        });
        // A public IP only in dev, accepted with its reason (the tag the policy pack reads).
        const tags = p.tags as Record<string, string>;
        if (expected.publicTasks)
          assert.match(
            tags["policy-exempt:no-public-ip"],
            /^natStrategy none: .* admits only the load balancer$/,
          );
        else assert.strictEqual(tags["policy-exempt:no-public-ip"], undefined);
        assert.deepStrictEqual(p.deploymentCircuitBreaker, { enable: true, rollback: true });
        assert.deepStrictEqual(
          [p.deploymentMinimumHealthyPercent, p.deploymentMaximumPercent, p.enableExecuteCommand],
          [100, 200, false],
        );
        assert.deepStrictEqual(p.loadBalancers, [
          { targetGroupArn: arnOf(one("web-tg")), containerName: "app", containerPort: 8080 },
        ]);
        assert.strictEqual(p.taskDefinition, arnOf(one("web-taskdef")));
        assert.deepStrictEqual(service.options.ignoreChanges, ["desiredCount"]);
        for (const dep of ["web-from-cloudfront", "web-capacity", "web-execution-policy"])
          assert.ok(service.dependencies.includes(one(dep).urn), dep);

        const cluster = one("web-cluster").inputs;
        assert.deepStrictEqual(cluster.settings, [{ name: "containerInsights", value: expected.insights }]);
        const capacity = one("web-capacity").inputs;
        assert.deepStrictEqual(capacity.capacityProviders, ["FARGATE", "FARGATE_SPOT"]);
        assert.deepStrictEqual(capacity.defaultCapacityProviderStrategies, expected.capacity);
      });

      it("defines a non-root, read-only, health-checked task that logs to its encrypted group", () => {
        const td = one("web-taskdef").inputs;
        assert.deepStrictEqual(
          [td.family, td.cpu, td.memory, td.networkMode, td.requiresCompatibilities],
          [`agent-platform-${stack}-web`, expected.size.cpu, expected.size.memory, "awsvpc", ["FARGATE"]],
        );
        assert.deepStrictEqual(td.runtimePlatform, {
          operatingSystemFamily: "LINUX",
          cpuArchitecture: "X86_64",
        });
        assert.deepStrictEqual(
          [td.executionRoleArn, td.taskRoleArn],
          [arnOf(one("web-execution-role")), arnOf(one("web-task-role"))],
        );
        assert.deepStrictEqual(td.volumes, [{ name: "tmp" }]);
        const group = `/ecs/agent-platform-${stack}/web`;
        assert.deepStrictEqual(JSON.parse(td.containerDefinitions as string), [
          {
            name: "app",
            image: "public.ecr.aws/nginx/nginx-unprivileged:1.28-alpine",
            essential: true,
            user: "101",
            readonlyRootFilesystem: true,
            mountPoints: [{ sourceVolume: "tmp", containerPath: "/tmp", readOnly: false }],
            portMappings: [{ name: "http", containerPort: 8080, protocol: "tcp" }],
            healthCheck: {
              command: ["CMD-SHELL", "wget -q -O /dev/null 'http://127.0.0.1:8080/' || exit 1"],
              interval: 30,
              timeout: 5,
              retries: 3,
              startPeriod: 30,
            },
            environment: [{ name: "PORT", value: "8080" }],
            secrets: [],
            linuxParameters: { initProcessEnabled: true, capabilities: { add: [], drop: ["ALL"] } },
            stopTimeout: 90,
            logConfiguration: {
              logDriver: "awslogs",
              options: {
                "awslogs-group": group,
                "awslogs-region": "us-east-1",
                "awslogs-stream-prefix": "web",
                mode: "non-blocking",
                "max-buffer-size": "25m",
              },
            },
          },
        ]);
        const logs = one("web-logs").inputs;
        assert.deepStrictEqual(
          [logs.name, logs.retentionInDays, logs.kmsKeyId],
          [group, expected.retention, LOGS_KEY_ARN],
        );
      });

      it("grants the execution role only its log group, and the task role nothing, to ECS tasks of this account", () => {
        const trust = {
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: "ecs-tasks.amazonaws.com" },
              Action: "sts:AssumeRole",
              Condition: {
                StringEquals: { "aws:SourceAccount": ACCOUNT },
                ArnLike: { "aws:SourceArn": `arn:aws:ecs:us-east-1:${ACCOUNT}:*` },
              },
            },
          ],
        };
        for (const role of ["web-execution-role", "web-task-role"])
          assert.deepStrictEqual(policyDocument(one(role), "assumeRolePolicy"), trust, role);
        // The sample image comes from ECR Public (anonymous pulls): no registry permission at all.
        assert.deepStrictEqual(policyDocument(one("web-execution-policy")).Statement, [
          {
            Sid: "WriteTaskLogs",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: `${arnOf(one("web-logs"))}:log-stream:*`,
          },
        ]);
        assert.strictEqual(one("web-execution-policy").inputs.role, idOf(one("web-execution-role")));
        assert.deepStrictEqual(
          ofType(mine, "aws:iam/rolePolicy:RolePolicy").map((r) => r.name),
          ["web-execution-policy"],
        );
        assert.deepStrictEqual(ofType(mine, "aws:iam/rolePolicyAttachment:RolePolicyAttachment"), []);
      });

      it("keeps an ECR repository with immutable tags, scans on push and the newest 10 images", () => {
        const repo = one("web-images").inputs;
        assert.deepStrictEqual(
          [repo.imageTagMutability, repo.imageScanningConfiguration, repo.forceDelete],
          ["IMMUTABLE", { scanOnPush: true }, false],
        );
        assert.deepStrictEqual(JSON.parse(one("web-images-lifecycle").inputs.policy as string).rules, [
          {
            rulePriority: 1,
            description: "Keep the newest 10 images",
            selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 10 },
            action: { type: "expire" },
          },
        ]);
      });

      it("scales between min and max tasks on CPU and memory at 70 %", () => {
        const target = one("web-scaling").inputs;
        const resourceId = `service/${one("web-cluster").inputs.name}/${one("web").inputs.name}`;
        assert.deepStrictEqual(target, {
          serviceNamespace: "ecs",
          scalableDimension: "ecs:service:DesiredCount",
          resourceId,
          minCapacity: expected.tasks.min,
          maxCapacity: expected.tasks.max,
          tags: { Function: "web-service" },
        });
        const policies = ofType(mine, "aws:appautoscaling/policy:Policy").sort((a, b) =>
          a.name.localeCompare(b.name),
        );
        assert.deepStrictEqual(
          policies.map((p) => [
            p.name,
            p.inputs.policyType,
            p.inputs.resourceId,
            p.inputs.targetTrackingScalingPolicyConfiguration,
          ]),
          [
            ["ECSServiceAverageCPUUtilization", "cpu"],
            ["ECSServiceAverageMemoryUtilization", "memory"],
          ].map(([metric, short]) => [
            `web-${short}-scaling`,
            "TargetTrackingScaling",
            resourceId,
            {
              predefinedMetricSpecification: { predefinedMetricType: metric },
              targetValue: 70,
              scaleOutCooldown: 60,
              scaleInCooldown: 300,
            },
          ]),
        );
      });

      it("alarms on CPU, memory, 5xx and unhealthy hosts to the alerts topic", async () => {
        // Registration order follows when inputs resolve; the set is what matters.
        const alarms = ofType(mine, "aws:cloudwatch/metricAlarm:MetricAlarm").sort((a, b) =>
          a.name.localeCompare(b.name),
        );
        assert.deepStrictEqual(
          alarms.map((a) => [a.name, a.inputs.metricName ?? "(math)", a.inputs.threshold]),
          [
            ["web-5xx", "(math)", 10],
            ["web-cpu-high", "CPUUtilization", 90],
            ["web-memory-high", "MemoryUtilization", 90],
            ["web-unhealthy-hosts", "UnHealthyHostCount", 0],
          ],
        );
        for (const a of alarms) {
          assert.deepStrictEqual(a.inputs.alarmActions, [TOPIC], a.name);
          assert.deepStrictEqual(a.inputs.okActions, [TOPIC], a.name);
        }
        const lb = one("web-alb").outputs.arnSuffix;
        const tg = one("web-tg").outputs.arnSuffix;
        assert.deepStrictEqual(named(alarms, "web-unhealthy-hosts").inputs.dimensions, {
          LoadBalancer: lb,
          TargetGroup: tg,
        });
        assert.deepStrictEqual(
          (named(alarms, "web-5xx").inputs.metricQueries as Record<string, unknown>[]).map(
            (q) => q.expression ?? q.id,
          ),
          ["target", "elb", "FILL(target, 0) + FILL(elb, 0)"],
        );
        assert.strictEqual(s.web!.alarms.length, 4);
      });

      it("puts CloudFront with TLS, compression and per-path caching in front of the ALB", async () => {
        const cdn = one("web-cdn");
        const p = plain(cdn.inputs) as {
          webAclId: string;
          origins: unknown;
          defaultCacheBehavior: unknown;
          orderedCacheBehaviors: Record<string, unknown>[];
          aliases?: string[];
          viewerCertificate: unknown;
          tags: Record<string, string>;
        };
        assert.strictEqual(p.webAclId, arnOf(one("web-waf")));
        assert.deepStrictEqual(p.origins, [
          {
            originId: "alb",
            domainName: expected.domain ? `origin.${expected.domain}` : one("web-alb").outputs.dnsName,
            customOriginConfig: {
              httpPort: 80,
              httpsPort: 443,
              originProtocolPolicy: expected.domain ? "https-only" : "http-only",
              originSslProtocols: ["TLSv1.2"],
              originReadTimeout: 60,
              originKeepaliveTimeout: 5,
            },
            customHeaders: [{ name: ORIGIN_VERIFY_HEADER, value: SECRET(stack) }],
          },
        ]);
        const api = idOf(one("web-api"));
        const staticPolicy = idOf(one("web-static"));
        assert.deepStrictEqual(p.defaultCacheBehavior, {
          targetOriginId: "alb",
          viewerProtocolPolicy: "https-only",
          compress: true,
          responseHeadersPolicyId: MANAGED_RESPONSE_HEADERS_SECURITY,
          allowedMethods: ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
          cachedMethods: ["GET", "HEAD"],
          cachePolicyId: api,
          originRequestPolicyId: MANAGED_ORIGIN_REQUEST_ALL_VIEWER_EXCEPT_HOST,
        });
        assert.deepStrictEqual(
          p.orderedCacheBehaviors.map((b) => [b.pathPattern, b.cachePolicyId, b.compress]),
          [
            ["/static/*", staticPolicy, true],
            ["/assets/*", staticPolicy, true],
          ],
        );
        for (const name of ["web-api", "web-static"]) {
          const key = one(name).inputs.parametersInCacheKeyAndForwardedToOrigin as Record<string, unknown>;
          assert.deepStrictEqual(
            [key.enableAcceptEncodingBrotli, key.enableAcceptEncodingGzip],
            [true, true],
          );
        }
        assert.deepStrictEqual(
          ["minTtl", "defaultTtl", "maxTtl"].map((k) => one("web-api").inputs[k]),
          [0, 0, 3600],
        );
        if (expected.domain) {
          assert.deepStrictEqual(p.aliases, [expected.domain]);
          assert.deepStrictEqual(p.viewerCertificate, {
            acmCertificateArn: CDN_CERT_ARN,
            sslSupportMethod: "sni-only",
            minimumProtocolVersion: "TLSv1.2_2021",
          });
          assert.strictEqual(p.tags["policy-exempt:cloudfront-origin-tls"], undefined);
        } else {
          assert.strictEqual(p.aliases, undefined);
          assert.deepStrictEqual(p.viewerCertificate, { cloudfrontDefaultCertificate: true });
          assert.match(
            p.tags["policy-exempt:cloudfront-origin-tls"],
            /^no domain .* X-Origin-Verify header$/,
          );
        }
        assert.strictEqual(
          await valueOf(s.web!.url),
          expected.domain ? `https://${expected.domain}` : `https://${cdn.outputs.domainName}`,
        );
      });

      it("protects CloudFront with a us-east-1 WAF: a per-IP rate limit and AWS managed rule groups", () => {
        const waf = one("web-waf");
        assert.match(waf.provider!, /::pulumi:providers:aws::aws-us-east-1::/);
        assert.deepStrictEqual([waf.inputs.scope, waf.inputs.defaultAction], ["CLOUDFRONT", { allow: {} }]);
        const rules = waf.inputs.rules as {
          priority: number;
          overrideAction?: unknown;
          statement: { managedRuleGroupStatement?: unknown };
        }[];
        assert.deepStrictEqual(rules[0], {
          name: "rate-limit-per-ip",
          priority: 0,
          action: { block: { customResponse: { responseCode: 429 } } },
          statement: {
            rateBasedStatement: { limit: 2000, aggregateKeyType: "IP", evaluationWindowSec: 300 },
          },
          visibilityConfig: {
            cloudwatchMetricsEnabled: true,
            sampledRequestsEnabled: true,
            metricName: "web-rate-limit",
          },
        });
        assert.deepStrictEqual(
          rules.slice(1).map((r) => [r.priority, r.overrideAction, r.statement.managedRuleGroupStatement]),
          // dev keeps one managed group to stay within its budget (Pulumi.dev.yaml).
          (stack === "dev"
            ? ["AWSManagedRulesCommonRuleSet"]
            : [
                "AWSManagedRulesAmazonIpReputationList",
                "AWSManagedRulesCommonRuleSet",
                "AWSManagedRulesKnownBadInputsRuleSet",
              ]
          ).map((name, i) => [i + 1, { none: {} }, { vendorName: "AWS", name }]),
        );
      });

      it("creates no certificate and no Route 53 record: Dns owns them (test/components/dns.spec.ts)", () => {
        assert.deepStrictEqual(
          mine.filter((r) => /^aws:(acm|route53)\//.test(r.type)).map((r) => r.name),
          [],
        );
      });

      it(`prices the tasks ${expected.spotShare} in the offline cost estimate`, () => {
        const item = estimateCost(s.resources).items.find((i) => i.name === "web")!;
        assert.ok(item.description.endsWith(`, ${expected.spotShare}`), item.description);
      });

      it("exposes the service's stable outputs", async () => {
        assert.strictEqual(await valueOf(s.web!.clusterName), one("web-cluster").inputs.name);
        assert.strictEqual(await valueOf(s.web!.serviceName), one("web").inputs.name);
        assert.strictEqual(await valueOf(s.web!.albDnsName), one("web-alb").outputs.dnsName);
        assert.strictEqual(await valueOf(s.web!.cloudfrontDomainName), one("web-cdn").outputs.domainName);
        assert.strictEqual(await valueOf(s.web!.repositoryUrl), one("web-images").outputs.repositoryUrl);
      });
    });
  }

  describe("outside us-east-1", () => {
    // prod replicates database backups and copies AWS Backup recovery points to us-west-2: elsewhere then.
    const WEST = {
      "aws:region": "us-west-2",
      "agent-platform:databaseBackupReplicaRegion": "us-east-2",
      "agent-platform:backupCopyRegion": "us-east-2",
    };
    it("keeps CloudFront's web ACL and certificate in us-east-1 and everything else in the stack's region", async () => {
      const s = await fargateStack("prod", WEST);
      const mine = childrenOf(s.resources, "agent-platform:index:FargateService", "web");
      const one = (name: string) => named(mine, name);
      assert.match(one("web-waf").provider ?? "", /::aws-us-east-1::/);
      for (const name of ["web-alb", "web"])
        assert.doesNotMatch(one(name).provider ?? "", /aws-us-east-1/, name);
      // The region's own CloudFront prefix list and ELB log delivery account.
      assert.strictEqual(one("web-alb-from-cloudfront").inputs.prefixListId, "pl-82a045eb");
      assert.deepStrictEqual(
        (policyDocument(one("web-alb-logs-policy")).Statement[1] as { Principal: unknown }).Principal,
        { AWS: "arn:aws:iam::797873946194:root" },
      );
      assert.strictEqual(
        JSON.parse(one("web-taskdef").inputs.containerDefinitions as string)[0].logConfiguration.options[
          "awslogs-region"
        ],
        "us-west-2",
      );
    });
    it("refuses to put CloudFront's web ACL in another region when no us-east-1 provider is given", async () => {
      await assert.rejects(fargateStack("dev", WEST, { usEast1Provider: false }), {
        name: "ProgramError",
        message:
          "web: CloudFront takes web ACLs and certificates from us-east-1 only, and the stack is in us-west-2; " +
          "pass usEast1Provider",
      });
    });
  });

  describe("cost", () => {
    it("runs dev's task on Spot and prod's on demand, within dev's $50 seed budget", async () => {
      const dev = estimateCost((await fargateStack("dev")).resources);
      const prod = estimateCost((await fargateStack("prod")).resources);
      const task = (e: typeof dev) => e.items.find((i) => i.name === "web")!;
      // 0.25 vCPU + 0.5 GB on Spot, plus the task's public IPv4: (0.01246 x 0.25 + 0.00137 x 0.5) x 730 + 3.65.
      assert.strictEqual(task(dev).monthlyUsd, 6.42);
      // 2 x (1 vCPU + 2 GB) on demand: 2 x (0.04048 + 2 x 0.004445) x 730.
      assert.strictEqual(task(prod).monthlyUsd, 72.08);
      assert.ok(dev.monthlyUsd < 50, `dev costs ${dev.monthlyUsd}`);
    });
  });
});
