import { ecsTaskLeastPrivilege } from "../../policy/iam";
import { alarmHasActions, ecsContainerInsights, ecsContainerLogging } from "../../policy/logging";
import {
  apiGatewayAuthorization,
  s3BucketPublicAccessBlock,
  vpcDefaultSecurityGroupClosed,
} from "../../policy/network";
import { s3BucketVersioning } from "../../policy/resilience";
import { ecrRepositoryImmutable } from "../../policy/deployability";
import { dependsOn, expectFindings, res } from "./helpers";

const T = {
  bucket: "aws:s3/bucket:Bucket",
  bpa: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  accountBpa: "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock",
  acl: "aws:s3/bucketAclV2:BucketAclV2",
  versioning: "aws:s3/bucketVersioning:BucketVersioning",
  versioningV2: "aws:s3/bucketVersioningV2:BucketVersioningV2",
  vpc: "aws:ec2/vpc:Vpc",
  defaultSg: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
  api: "aws:apigatewayv2/api:Api",
  route: "aws:apigatewayv2/route:Route",
  method: "aws:apigateway/method:Method",
  restApi: "aws:apigateway/restApi:RestApi",
  taskDef: "aws:ecs/taskDefinition:TaskDefinition",
  cluster: "aws:ecs/cluster:Cluster",
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  ecr: "aws:ecr/repository:Repository",
};
const ALL_ON = {
  blockPublicAcls: true,
  blockPublicPolicy: true,
  ignorePublicAcls: true,
  restrictPublicBuckets: true,
};
const bucket = (name: string, extra: Record<string, unknown> = {}) =>
  res(T.bucket, name, { bucket: `${name}-1`, ...extra });

describe("policy: s3-bucket-public-access-block", () => {
  it("passes buckets with a full block, or under an account-level block", async () => {
    await expectFindings(
      s3BucketPublicAccessBlock,
      [bucket("a"), res(T.bpa, "a-bpa", { bucket: "a-1", ...ALL_ON })],
      [],
    );
    await expectFindings(s3BucketPublicAccessBlock, [bucket("a"), res(T.accountBpa, "acct", ALL_ON)], []);
  });
  it("flags missing blocks, blocks that leave settings off, and public ACLs", async () => {
    await expectFindings(
      s3BucketPublicAccessBlock,
      [
        bucket("none"),
        bucket("partial"),
        res(T.bpa, "partial-bpa", { bucket: "partial-1", blockPublicAcls: true, ignorePublicAcls: true }),
        bucket("acl", { acl: "private" }),
        res(T.bpa, "acl-bpa", { bucket: "acl-1", ...ALL_ON }),
        res(T.acl, "acl-acl", { bucket: "acl-1", acl: "public-read" }),
      ],
      [
        "S3 bucket 'none' has no public access block (BucketPublicAccessBlock with all four settings true).",
        "S3 public access block 'partial-bpa' leaves blockPublicPolicy and restrictPublicBuckets off for bucket 'partial'.",
        "S3 bucket 'acl' uses the public canned ACL public-read.",
      ],
    );
  });
});

describe("policy: vpc-default-security-group-closed", () => {
  it("passes an adopted, empty default group", async () => {
    const vpc = res(T.vpc, "vpc", { cidrBlock: "10.0.0.0/16" });
    await expectFindings(
      vpcDefaultSecurityGroupClosed,
      [vpc, dependsOn(res(T.defaultSg, "sg", { vpcId: "x", ingress: [], egress: [] }), "vpcId", vpc)],
      [],
    );
  });
  it("flags a VPC without one and a default group with rules", async () => {
    const vpc = res(T.vpc, "b", { cidrBlock: "10.1.0.0/16" });
    await expectFindings(
      vpcDefaultSecurityGroupClosed,
      [
        res(T.vpc, "a", { cidrBlock: "10.0.0.0/16" }),
        vpc,
        dependsOn(
          res(T.defaultSg, "sg", {
            vpcId: "x",
            egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
          }),
          "vpcId",
          vpc,
        ),
      ],
      [
        "VPC 'a''s default security group is not adopted (no aws.ec2.DefaultSecurityGroup), so it keeps AWS's allow rules.",
        "default security group 'sg' of VPC 'b' keeps rules; give it ingress: [] and egress: [].",
      ],
    );
  });
});

describe("policy: api-gateway-authorization", () => {
  const ws = res(T.api, "ws", {
    protocolType: "WEBSOCKET",
    routeSelectionExpression: "$request.body.action",
    arn: "arn:aws:apigateway:us-east-1::/apis/ws1",
    id: "ws1",
  });
  const http = res(T.api, "http", {
    protocolType: "HTTP",
    arn: "arn:aws:apigateway:us-east-1::/apis/h1",
    id: "h1",
  });
  it("passes authorized routes, WebSocket routes other than $connect, and OPTIONS methods", async () => {
    await expectFindings(
      apiGatewayAuthorization,
      [
        ws,
        http,
        dependsOn(
          res(T.route, "connect", {
            apiId: "ws1",
            routeKey: "$connect",
            authorizationType: "CUSTOM",
            authorizerId: "a",
          }),
          "apiId",
          ws,
        ),
        dependsOn(res(T.route, "default", { apiId: "ws1", routeKey: "$default" }), "apiId", ws),
        dependsOn(
          res(T.route, "get", {
            apiId: "h1",
            routeKey: "GET /tasks",
            authorizationType: "JWT",
            authorizerId: "j",
          }),
          "apiId",
          http,
        ),
        res(T.method, "preflight", {
          restApi: "r",
          resourceId: "x",
          httpMethod: "OPTIONS",
          authorization: "NONE",
        }),
      ],
      [],
    );
  });
  it("flags an open $connect, open HTTP routes and open REST methods", async () => {
    await expectFindings(
      apiGatewayAuthorization,
      [
        ws,
        http,
        dependsOn(res(T.route, "connect", { apiId: "ws1", routeKey: "$connect" }), "apiId", ws),
        dependsOn(
          res(T.route, "catchall", { apiId: "h1", routeKey: "$default", authorizationType: "NONE" }),
          "apiId",
          http,
        ),
        res(T.method, "get", { restApi: "r", resourceId: "x", httpMethod: "GET", authorization: "NONE" }),
      ],
      [
        "API Gateway v2 route 'connect' '$connect' has no authorization.",
        "API Gateway v2 route 'catchall' '$default' has no authorization.",
        "REST API method 'get' (GET) has authorization NONE.",
      ],
    );
  });
  it("reads a REST API's OpenAPI body: a keyless operation needs x-public-reason, preflights are exempt", async () => {
    const key = [{ api_key: [] }];
    const body = (paths: object, security?: object) =>
      JSON.stringify({ openapi: "3.0.1", ...(security ? { security } : {}), paths });
    await expectFindings(
      apiGatewayAuthorization,
      [
        res(T.restApi, "keyed", {
          body: body({
            "/projects": { get: { security: key }, options: { security: [] } },
            "/health": { get: { security: [], "x-public-reason": "uptime checks" } },
          }),
        }),
        res(T.restApi, "global", { body: body({ "/tasks": { post: {} } }, key) }),
      ],
      [],
    );
    await expectFindings(
      apiGatewayAuthorization,
      [
        res(T.restApi, "open", {
          body: body({
            "/projects": { get: {}, delete: { security: [{}] }, put: { security: [...key, {}] } },
            "/status": { get: { security: [], "x-public-reason": " " } },
          }),
        }),
      ],
      [
        "REST API 'open' has operations without authorization or x-public-reason: GET /projects, " +
          "PUT /projects, DELETE /projects, GET /status.",
      ],
    );
  });
});

const containers = (...defs: object[]) => JSON.stringify(defs);
const logs = { logDriver: "awslogs", options: { "awslogs-group": "g" } };

describe("policy: ecs-container-logging and ecs-task-least-privilege", () => {
  it("pass logged, unprivileged containers with separate roles", async () => {
    const td = res(T.taskDef, "td", {
      family: "f",
      containerDefinitions: containers({ name: "web", image: "x", logConfiguration: logs }),
      executionRoleArn: "arn:aws:iam::1:role/exec",
      taskRoleArn: "arn:aws:iam::1:role/task",
    });
    await expectFindings(ecsContainerLogging, [td], []);
    await expectFindings(ecsTaskLeastPrivilege, [td], []);
  });
  it("flag silent and privileged containers, host namespaces and a shared role", async () => {
    const td = res(T.taskDef, "td", {
      family: "f",
      containerDefinitions: containers(
        { name: "web", image: "x", privileged: true },
        { name: "sidecar", image: "y", logConfiguration: logs },
      ),
      pidMode: "host",
      executionRoleArn: "arn:aws:iam::1:role/r",
      taskRoleArn: "arn:aws:iam::1:role/r",
    });
    await expectFindings(
      ecsContainerLogging,
      [td],
      ["ECS task definition 'td' container 'web' has no logConfiguration."],
    );
    await expectFindings(
      ecsTaskLeastPrivilege,
      [td],
      [
        "ECS task definition 'td' runs container 'web' privileged.",
        "ECS task definition 'td' shares the host's process namespace.",
        "ECS task definition 'td' uses the same role for execution and the task.",
      ],
    );
  });
});

describe("policy: ecs-container-insights, alarm-has-actions, ecr-repository-immutable", () => {
  it("pass good settings", async () => {
    await expectFindings(
      ecsContainerInsights,
      [res(T.cluster, "c", { settings: [{ name: "containerInsights", value: "enhanced" }] })],
      [],
    );
    await expectFindings(
      alarmHasActions,
      [res(T.alarm, "a", { alarmActions: ["arn:aws:sns:us-east-1:1:alerts"] })],
      [],
    );
    await expectFindings(
      ecrRepositoryImmutable,
      [
        res(T.ecr, "r", {
          imageTagMutability: "IMMUTABLE",
          imageScanningConfiguration: { scanOnPush: true },
        }),
      ],
      [],
    );
  });
  it("flag missing settings", async () => {
    await expectFindings(
      ecsContainerInsights,
      [res(T.cluster, "c", {})],
      ["ECS cluster 'c' does not enable Container Insights."],
    );
    await expectFindings(
      alarmHasActions,
      [res(T.alarm, "a", {}), res(T.alarm, "b", { alarmActions: ["x"], actionsEnabled: false })],
      ["alarm 'a' notifies no one (no alarmActions).", "alarm 'b' has its actions disabled."],
    );
    await expectFindings(
      ecrRepositoryImmutable,
      [res(T.ecr, "r", {})],
      ["ECR repository 'r' lacks immutable tags and scan on push."],
    );
  });
});

describe("policy: s3-bucket-versioning (advisory)", () => {
  it("passes versioned prod buckets (both tokens) and unversioned dev buckets", async () => {
    await expectFindings(
      s3BucketVersioning,
      [
        bucket("dev-scratch"),
        res(T.bucket, "p1", { bucket: "p1-1" }, { environment: "prod" }),
        res(
          T.versioning,
          "p1-v",
          { bucket: "p1-1", versioningConfiguration: { status: "Enabled" } },
          { environment: "prod" },
        ),
        res(T.bucket, "p2", { bucket: "p2-1", versioning: { enabled: true } }, { environment: "prod" }),
      ],
      [],
    );
  });
  it("passes versioned buckets (both tokens) and dev buckets, flags unversioned prod buckets", async () => {
    await expectFindings(
      s3BucketVersioning,
      [
        bucket("a"),
        res(T.bucket, "p1", { bucket: "p1-1" }, { environment: "prod" }),
        res(
          T.versioning,
          "p1-v",
          { bucket: "p1-1", versioningConfiguration: { status: "Enabled" } },
          { environment: "prod" },
        ),
        res(T.bucket, "p2", { bucket: "p2-1" }, { environment: "prod" }),
        res(
          T.versioningV2,
          "p2-v",
          { bucket: "p2-1", versioningConfiguration: { status: "Enabled" } },
          { environment: "prod" },
        ),
        res(T.bucket, "p3", { bucket: "p3-1" }, { environment: "prod" }),
      ],
      ["S3 bucket 'p3' does not enable versioning."],
    );
  });
});
