import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { autonamedProperty } from "../../lib/aws-types";

/**
 * Mocks that answer like AWS would, so outputs flow into other resources as they do in a real deployment:
 * ids in each service's format, partition-aware ARNs, names the provider would generate, queue URLs, DNS
 * names, and the invokes the program uses (caller identity, region, partition, availability zones, managed
 * prefix lists). Values are derived from a hash of the resource's type and name, so two runs agree.
 */

export interface MockEnvironment {
  region: string;
  accountId: string;
}

export const DEFAULT_ACCOUNT_ID = "123456789012";

/** The partition and its DNS suffix, from the region name. */
export function partitionOf(region: string): { partition: string; dnsSuffix: string } {
  if (region.startsWith("cn-")) return { partition: "aws-cn", dnsSuffix: "amazonaws.com.cn" };
  if (region.startsWith("us-gov-")) return { partition: "aws-us-gov", dnsSuffix: "amazonaws.com" };
  return { partition: "aws", dnsSuffix: "amazonaws.com" };
}

/** Availability zones per region as AWS lists them for a new account; others get three. */
const ZONE_SUFFIXES: Record<string, string[]> = {
  "us-east-1": ["a", "b", "c", "d", "e", "f"],
  "us-east-2": ["a", "b", "c"],
  "us-west-1": ["a", "c"],
  "us-west-2": ["a", "b", "c", "d"],
  "eu-west-1": ["a", "b", "c"],
  "eu-central-1": ["a", "b", "c"],
  "ap-northeast-2": ["a", "b", "c", "d"],
};

export function availabilityZones(region: string): string[] {
  return (ZONE_SUFFIXES[region] ?? ["a", "b", "c"]).map((s) => region + s);
}

/** CloudFront's origin-facing managed prefix list ids (the same in each commercial region's list). */
const CLOUDFRONT_PREFIX_LIST: Record<string, string> = {
  "us-east-1": "pl-3b927c52",
  "us-east-2": "pl-b6a144df",
  "us-west-2": "pl-82a045eb",
  "eu-west-1": "pl-4fa04526",
  "eu-central-1": "pl-a3a144ca",
};

function hex(seed: string, length: number): string {
  return createHash("sha256").update(seed).digest("hex").slice(0, length);
}

function digits(seed: string, length: number): string {
  return BigInt("0x" + hex(seed, 30))
    .toString()
    .padStart(length, "7")
    .slice(0, length);
}

function uuid(seed: string): string {
  const h = hex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export class OfflineMocks implements pulumi.runtime.Mocks {
  private readonly partition: string;
  private readonly dnsSuffix: string;

  constructor(private readonly env: MockEnvironment) {
    ({ partition: this.partition, dnsSuffix: this.dnsSuffix } = partitionOf(env.region));
  }

  /**
   * What the provider's Check adds to inputs before anything else sees them: the auto-generated physical
   * name (`<logical name>-<7 hex>`, lower-case for buckets). Policies see these, as under `pulumi preview`.
   */
  checkedInputs(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
    const prop = autonamedProperty(type);
    if (!prop || inputs[prop] !== undefined) return inputs;
    if (inputs[`${prop}Prefix`] !== undefined) {
      return { ...inputs, [prop]: `${String(inputs[`${prop}Prefix`])}${digits(type + name, 26)}` };
    }
    let generated = `${name}-${hex(type + name, 7)}`;
    if (type === "aws:s3/bucket:Bucket" || type === "aws:s3/bucketV2:BucketV2")
      generated = generated.toLowerCase();
    if (type === "aws:sqs/queue:Queue" && inputs["fifoQueue"] === true) generated += ".fifo";
    return { ...inputs, [prop]: generated };
  }

  newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
    const inputs = this.checkedInputs(args.type, args.name, args.inputs ?? {});
    if (!args.custom) return { id: undefined, state: inputs };
    const outputs = this.outputsFor(args.type, args.name, inputs);
    const { id, ...rest } = outputs;
    return {
      id: (id as string | undefined) ?? `${args.name}-${hex(args.type + args.name, 8)}`,
      state: { ...inputs, ...rest },
    };
  }

  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    const { region, accountId } = this.env;
    switch (args.token) {
      case "aws:index/getCallerIdentity:getCallerIdentity":
        return {
          accountId,
          arn: `arn:${this.partition}:sts::${accountId}:assumed-role/offline-preview/session`,
          userId: "AROAOFFLINEPREVIEW:session",
          id: accountId,
        };
      case "aws:index/getRegion:getRegion":
        return { name: region, region, id: region, endpoint: `ec2.${region}.${this.dnsSuffix}` };
      case "aws:index/getPartition:getPartition":
        return {
          partition: this.partition,
          id: this.partition,
          dnsSuffix: this.dnsSuffix,
          reverseDnsPrefix: this.dnsSuffix.split(".").reverse().join("."),
        };
      case "aws:index/getAvailabilityZones:getAvailabilityZones": {
        const names = availabilityZones(region);
        return { names, zoneIds: names.map((_, i) => `use1-az${i + 1}`), id: region, groupNames: [region] };
      }
      case "aws:ec2/getManagedPrefixList:getManagedPrefixList": {
        const name = String(args.inputs.name ?? "");
        const id = name.includes("cloudfront")
          ? (CLOUDFRONT_PREFIX_LIST[region] ?? "pl-offline")
          : `pl-${hex(name, 8)}`;
        return { id, name, arn: `arn:${this.partition}:ec2:${region}:aws:prefix-list/${id}`, maxEntries: 55 };
      }
      case "aws:ec2/getManagedPrefixListOutput:getManagedPrefixListOutput":
        return this.call({ ...args, token: "aws:ec2/getManagedPrefixList:getManagedPrefixList" });
      default:
        // A clear error beats a silently empty result that would flow into resources.
        throw new Error(
          `the offline preview has no mock for the invoke ${args.token}; add one to tools/offline/mocks.ts`,
        );
    }
  }

  private arn(
    service: string,
    resource: string,
    opts: { global?: boolean; noAccount?: boolean } = {},
  ): string {
    const region = opts.global ? "" : this.env.region;
    const account = opts.noAccount ? "" : this.env.accountId;
    return `arn:${this.partition}:${service}:${region}:${account}:${resource}`;
  }

  /** Outputs AWS would return for the types the platform uses; a generic ARN for the rest. */
  private outputsFor(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
    const { region, accountId } = this.env;
    const seed = type + name;
    const physical = String(inputs[autonamedProperty(type) ?? "name"] ?? name);
    const ec2 = (prefix: string, kind: string) => {
      const id = `${prefix}-${hex(seed, 17)}`;
      return { id, arn: this.arn("ec2", `${kind}/${id}`), ownerId: accountId };
    };
    switch (type) {
      case "pulumi:providers:aws":
      case "pulumi:providers:kubernetes":
        return { id: uuid(seed) };
      case "aws:ec2/vpc:Vpc":
        return {
          ...ec2("vpc", "vpc"),
          defaultSecurityGroupId: `sg-${hex(seed + "sg", 17)}`,
          defaultNetworkAclId: `acl-${hex(seed + "acl", 17)}`,
          defaultRouteTableId: `rtb-${hex(seed + "rtb", 17)}`,
          mainRouteTableId: `rtb-${hex(seed + "rtb", 17)}`,
        };
      case "aws:ec2/subnet:Subnet":
        return ec2("subnet", "subnet");
      case "aws:ec2/securityGroup:SecurityGroup":
        return ec2("sg", "security-group");
      case "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup":
        return { ...ec2("sg", "security-group"), name: "default" };
      case "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl":
        return {
          ...ec2("acl", "network-acl"),
          id: String(inputs["defaultNetworkAclId"] ?? `acl-${hex(seed, 17)}`),
        };
      case "aws:ec2/routeTableAssociation:RouteTableAssociation":
        return { id: `rtbassoc-${hex(seed, 17)}` };
      case "aws:ec2/route:Route":
        return { id: `r-${String(inputs["routeTableId"])}1080289494`, state: "active" };
      case "aws:sqs/queuePolicy:QueuePolicy":
      case "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy":
        return { id: String(inputs["queueUrl"]) };
      case "aws:ec2/internetGateway:InternetGateway":
        return ec2("igw", "internet-gateway");
      case "aws:ec2/natGateway:NatGateway":
        return {
          id: `nat-${hex(seed, 17)}`,
          networkInterfaceId: `eni-${hex(seed, 17)}`,
          publicIp: "203.0.113.10",
        };
      case "aws:ec2/eip:Eip":
        return {
          id: `eipalloc-${hex(seed, 17)}`,
          allocationId: `eipalloc-${hex(seed, 17)}`,
          publicIp: "203.0.113.10",
        };
      case "aws:ec2/routeTable:RouteTable":
        return ec2("rtb", "route-table");
      case "aws:ec2/networkAcl:NetworkAcl":
        return ec2("acl", "network-acl");
      case "aws:ec2/vpcEndpoint:VpcEndpoint":
        return { ...ec2("vpce", "vpc-endpoint"), prefixListId: `pl-${hex(seed, 8)}`, dnsEntries: [] };
      case "aws:ec2/flowLog:FlowLog":
        return { id: `fl-${hex(seed, 17)}`, arn: this.arn("ec2", `vpc-flow-log/fl-${hex(seed, 17)}`) };
      case "aws:ec2/launchTemplate:LaunchTemplate":
        return { ...ec2("lt", "launch-template"), latestVersion: 1, defaultVersion: 1 };
      case "aws:s3/bucket:Bucket":
      case "aws:s3/bucketV2:BucketV2":
        return {
          id: physical,
          arn: this.arn("s3", physical, { global: true, noAccount: true }),
          bucketDomainName: `${physical}.s3.${this.dnsSuffix}`,
          bucketRegionalDomainName: `${physical}.s3.${region}.${this.dnsSuffix}`,
          hostedZoneId: "Z3AQBSTGFYJSTF",
          region,
        };
      case "aws:sqs/queue:Queue":
        return {
          id: `https://sqs.${region}.${this.dnsSuffix}/${accountId}/${physical}`,
          url: `https://sqs.${region}.${this.dnsSuffix}/${accountId}/${physical}`,
          arn: this.arn("sqs", physical),
        };
      case "aws:sns/topic:Topic":
        return { id: this.arn("sns", physical), arn: this.arn("sns", physical) };
      case "aws:kms/key:Key": {
        const keyId = uuid(seed);
        return { id: keyId, keyId, arn: this.arn("kms", `key/${keyId}`) };
      }
      case "aws:kms/alias:Alias":
        return { id: physical, arn: this.arn("kms", physical), targetKeyArn: inputs["targetKeyId"] };
      case "aws:iam/role:Role":
        return {
          id: physical,
          arn: this.arn("iam", `role/${String(inputs["path"] ?? "/").replace(/^\//, "")}${physical}`, {
            global: true,
          }),
          uniqueId: `AROA${hex(seed, 17).toUpperCase()}`,
        };
      case "aws:iam/policy:Policy":
        return {
          id: this.arn("iam", `policy/${physical}`, { global: true }),
          arn: this.arn("iam", `policy/${physical}`, { global: true }),
          policyId: `ANPA${hex(seed, 17).toUpperCase()}`,
        };
      case "aws:iam/rolePolicy:RolePolicy":
        return { id: `${String(inputs["role"])}:${physical}` };
      case "aws:iam/openIdConnectProvider:OpenIdConnectProvider": {
        const host = String(inputs["url"] ?? "").replace(/^https:\/\//, "");
        return {
          id: this.arn("iam", `oidc-provider/${host}`, { global: true }),
          arn: this.arn("iam", `oidc-provider/${host}`, { global: true }),
        };
      }
      case "aws:cloudwatch/logGroup:LogGroup":
        return { id: physical, arn: this.arn("logs", `log-group:${physical}`) };
      case "aws:cloudwatch/metricAlarm:MetricAlarm":
        return { id: physical, arn: this.arn("cloudwatch", `alarm:${physical}`) };
      case "aws:cloudwatch/dashboard:Dashboard":
        return {
          id: String(inputs["dashboardName"] ?? physical),
          dashboardArn: `arn:${this.partition}:cloudwatch::${accountId}:dashboard/${String(inputs["dashboardName"] ?? physical)}`,
        };
      case "aws:lambda/function:Function": {
        const arn = this.arn("lambda", `function:${physical}`);
        return {
          id: physical,
          arn,
          // A published function's first version is 1 (what an alias on it points at).
          qualifiedArn: `${arn}:${inputs["publish"] ? "1" : "$LATEST"}`,
          invokeArn: `arn:${this.partition}:apigateway:${region}:lambda:path/2015-03-31/functions/${arn}/invocations`,
          version: inputs["publish"] ? "1" : "$LATEST",
        };
      }
      case "aws:lambda/alias:Alias": {
        const fn = String(inputs["functionName"]);
        const arn = fn.startsWith("arn:")
          ? `${fn}:${physical}`
          : this.arn("lambda", `function:${fn}:${physical}`);
        return {
          id: arn,
          arn,
          invokeArn: `arn:${this.partition}:apigateway:${region}:lambda:path/2015-03-31/functions/${arn}/invocations`,
        };
      }
      case "aws:codedeploy/application:Application":
        return {
          id: uuid(seed),
          applicationId: uuid(seed),
          arn: this.arn("codedeploy", `application:${physical}`),
        };
      case "aws:codedeploy/deploymentGroup:DeploymentGroup":
        return {
          id: `${String(inputs["appName"])}:${physical}`,
          deploymentGroupId: uuid(seed),
          arn: this.arn("codedeploy", `deploymentgroup:${String(inputs["appName"])}/${physical}`),
        };
      case "aws:lambda/eventSourceMapping:EventSourceMapping":
        return { id: uuid(seed), uuid: uuid(seed), functionArn: inputs["functionName"] };
      case "aws:secretsmanager/secret:Secret":
        return {
          id: this.arn("secretsmanager", `secret:${physical}-${hex(seed, 6)}`),
          arn: this.arn("secretsmanager", `secret:${physical}-${hex(seed, 6)}`),
        };
      case "aws:secretsmanager/secretVersion:SecretVersion":
        return { id: `${String(inputs["secretId"])}|${uuid(seed)}`, versionId: uuid(seed) };
      case "aws:lb/loadBalancer:LoadBalancer":
      case "aws:alb/loadBalancer:LoadBalancer": {
        const suffix = `app/${physical}/${hex(seed, 16)}`;
        return {
          id: this.arn("elasticloadbalancing", `loadbalancer/${suffix}`),
          arn: this.arn("elasticloadbalancing", `loadbalancer/${suffix}`),
          arnSuffix: suffix,
          dnsName: `${physical}-${digits(seed, 10)}.${region}.elb.${this.dnsSuffix}`,
          zoneId: "Z35SXDOTRQ7X7K",
        };
      }
      case "aws:lb/targetGroup:TargetGroup":
      case "aws:alb/targetGroup:TargetGroup": {
        const suffix = `targetgroup/${physical}/${hex(seed, 16)}`;
        return {
          id: this.arn("elasticloadbalancing", suffix),
          arn: this.arn("elasticloadbalancing", suffix),
          arnSuffix: suffix,
        };
      }
      case "aws:lb/listener:Listener":
      case "aws:alb/listener:Listener":
        return {
          id: this.arn("elasticloadbalancing", `listener/app/${hex(seed, 16)}`),
          arn: this.arn("elasticloadbalancing", `listener/app/${hex(seed, 16)}`),
        };
      case "aws:lb/listenerRule:ListenerRule":
      case "aws:alb/listenerRule:ListenerRule":
        return {
          id: this.arn("elasticloadbalancing", `listener-rule/app/${hex(seed, 16)}/${hex(seed + "r", 16)}`),
          arn: this.arn("elasticloadbalancing", `listener-rule/app/${hex(seed, 16)}/${hex(seed + "r", 16)}`),
        };
      case "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
      case "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule":
        return {
          id: `sgr-${hex(seed, 17)}`,
          securityGroupRuleId: `sgr-${hex(seed, 17)}`,
          arn: this.arn("ec2", `security-group-rule/sgr-${hex(seed, 17)}`),
        };
      case "aws:cloudfront/cachePolicy:CachePolicy":
        return { id: uuid(seed), etag: `E${hex(seed + "etag", 13).toUpperCase()}` };
      case "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders":
        return { id: String(inputs["clusterName"]) };
      case "aws:appautoscaling/target:Target":
        return {
          id: String(inputs["resourceId"]),
          arn: this.arn("application-autoscaling", `scalable-target/${hex(seed, 32)}`),
        };
      case "aws:appautoscaling/policy:Policy":
        return {
          id: physical,
          arn: this.arn(
            "autoscaling",
            `scalingPolicy:${uuid(seed)}:resource/${String(inputs["resourceId"])}:policyName/${physical}`,
          ),
          alarmArns: [],
        };
      case "aws:ecs/cluster:Cluster":
        return { id: this.arn("ecs", `cluster/${physical}`), arn: this.arn("ecs", `cluster/${physical}`) };
      case "aws:ecs/service:Service":
        return { id: this.arn("ecs", `service/${physical}`) };
      case "aws:ecs/taskDefinition:TaskDefinition": {
        const family = String(inputs["family"] ?? physical);
        return {
          id: family,
          arn: this.arn("ecs", `task-definition/${family}:1`),
          revision: 1,
          arnWithoutRevision: this.arn("ecs", `task-definition/${family}`),
        };
      }
      case "aws:ecr/repository:Repository":
        return {
          id: physical,
          arn: this.arn("ecr", `repository/${physical}`),
          repositoryUrl: `${accountId}.dkr.ecr.${region}.${this.dnsSuffix}/${physical}`,
          registryId: accountId,
        };
      case "aws:cloudfront/distribution:Distribution": {
        const id = `E${hex(seed, 13).toUpperCase()}`;
        return {
          id,
          arn: `arn:${this.partition}:cloudfront::${accountId}:distribution/${id}`,
          domainName: `d${hex(seed, 13)}.cloudfront.net`,
          hostedZoneId: "Z2FDTNDATAQYW2",
          etag: `E${hex(seed + "etag", 13).toUpperCase()}`,
        };
      }
      case "aws:cloudfront/function:Function":
        return {
          id: physical,
          arn: `arn:${this.partition}:cloudfront::${accountId}:function/${physical}`,
          etag: `E${hex(seed + "etag", 13).toUpperCase()}`,
          liveStageEtag: `E${hex(seed + "live", 13).toUpperCase()}`,
          status: "UNASSOCIATED",
        };
      case "aws:cloudfront/originAccessControl:OriginAccessControl":
        return { id: `E${hex(seed, 13).toUpperCase()}`, etag: `E${hex(seed + "etag", 13).toUpperCase()}` };
      case "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy":
        return { id: uuid(seed), etag: `E${hex(seed + "etag", 13).toUpperCase()}` };
      case "aws:backup/vault:Vault":
        return { id: physical, name: physical, arn: this.arn("backup", `backup-vault:${physical}`) };
      case "aws:backup/plan:Plan": {
        const id = uuid(seed);
        return { id, arn: this.arn("backup", `backup-plan:${id}`), version: hex(seed, 32) };
      }
      case "aws:wafv2/webAcl:WebAcl": {
        const id = uuid(seed);
        return {
          id,
          arn: `arn:${this.partition}:wafv2:${inputs["scope"] === "CLOUDFRONT" ? "us-east-1" : region}:${accountId}:${inputs["scope"] === "CLOUDFRONT" ? "global" : "regional"}/webacl/${physical}/${id}`,
          capacity: 700,
        };
      }
      // REST API (v1): a 10-character id, the execute-api ARN its permissions scope to, the stage's URL.
      case "aws:apigateway/restApi:RestApi": {
        const id = hex(seed, 10);
        return {
          id,
          rootResourceId: hex(seed + "root", 10),
          executionArn: `arn:${this.partition}:execute-api:${region}:${accountId}:${id}`,
          arn: `arn:${this.partition}:apigateway:${region}::/restapis/${id}`,
        };
      }
      case "aws:apigateway/deployment:Deployment":
        return { id: hex(seed, 6), createdDate: "2026-01-01T00:00:00Z" };
      case "aws:apigateway/stage:Stage": {
        const api = String(inputs["restApi"]);
        const stage = String(inputs["stageName"]);
        return {
          id: `ags-${api}-${stage}`,
          arn: `arn:${this.partition}:apigateway:${region}::/restapis/${api}/stages/${stage}`,
          executionArn: `arn:${this.partition}:execute-api:${region}:${accountId}:${api}/${stage}`,
          invokeUrl: `https://${api}.execute-api.${region}.${this.dnsSuffix}/${stage}`,
        };
      }
      case "aws:apigateway/apiKey:ApiKey":
        return { id: hex(seed, 10), value: hex(seed + "value", 40) };
      case "aws:apigateway/usagePlan:UsagePlan":
        return { id: hex(seed, 6) };
      case "aws:apigateway/account:Account":
        return { id: "api-gateway-account" };
      case "aws:dynamodb/table:Table":
        return {
          id: physical,
          arn: this.arn("dynamodb", `table/${physical}`),
          streamArn: inputs["streamEnabled"]
            ? this.arn("dynamodb", `table/${physical}/stream/2026-01-01T00:00:00.000`)
            : undefined,
        };
      // API Gateway v2: the API's id is 10 lower-case characters; WebSocket APIs answer on wss://.
      case "aws:apigatewayv2/api:Api": {
        const id = hex(seed, 10);
        const scheme = inputs["protocolType"] === "WEBSOCKET" ? "wss" : "https";
        return {
          id,
          arn: `arn:${this.partition}:apigateway:${region}::/apis/${id}`,
          apiEndpoint: `${scheme}://${id}.execute-api.${region}.${this.dnsSuffix}`,
          executionArn: this.arn("execute-api", id),
        };
      }
      case "aws:apigatewayv2/stage:Stage": {
        const apiId = String(inputs["apiId"]);
        return {
          id: physical,
          arn: `arn:${this.partition}:apigateway:${region}::/apis/${apiId}/stages/${physical}`,
          executionArn: this.arn("execute-api", `${apiId}/${physical}`),
        };
      }
      case "aws:apigatewayv2/route:Route":
      case "aws:apigatewayv2/routeResponse:RouteResponse":
      case "aws:apigatewayv2/integration:Integration":
      case "aws:apigatewayv2/deployment:Deployment":
        return { id: hex(seed, 7) };
      case "aws:acm/certificate:Certificate":
        return {
          id: this.arn("acm", `certificate/${uuid(seed)}`),
          arn: this.arn("acm", `certificate/${uuid(seed)}`),
          domainValidationOptions: [
            {
              domainName: inputs["domainName"],
              resourceRecordName: `_${hex(seed, 32)}.${String(inputs["domainName"])}.`,
              resourceRecordType: "CNAME",
              resourceRecordValue: `_${hex(seed + "v", 32)}.acm-validations.aws.`,
            },
          ],
        };
      case "aws:route53/zone:Zone":
        return {
          id: `Z${hex(seed, 20).toUpperCase()}`,
          zoneId: `Z${hex(seed, 20).toUpperCase()}`,
          nameServers: ["ns-1.awsdns-01.org", "ns-2.awsdns-02.com"],
        };
      case "aws:rds/instance:Instance":
        return {
          id: `db-${hex(seed, 26).toUpperCase()}`,
          arn: this.arn("rds", `db:${physical}`),
          address: `${physical}.${hex(seed, 12)}.${region}.rds.${this.dnsSuffix}`,
          endpoint: `${physical}.${hex(seed, 12)}.${region}.rds.${this.dnsSuffix}:5432`,
          port: 5432,
          resourceId: `db-${hex(seed, 26).toUpperCase()}`,
          // The secret RDS creates for a managed master password: name rds!db-<uuid>, plus Secrets Manager's suffix.
          ...(inputs.manageMasterUserPassword
            ? {
                masterUserSecrets: [
                  {
                    secretArn: this.arn(
                      "secretsmanager",
                      `secret:rds!db-${uuid(seed)}-${hex(seed + "s", 6)}`,
                    ),
                    kmsKeyId: inputs.masterUserSecretKmsKeyId,
                    secretStatus: "active",
                  },
                ],
              }
            : {}),
        };
      case "aws:elasticache/replicationGroup:ReplicationGroup": {
        // Cluster mode has only a configuration endpoint; otherwise a primary and a reader endpoint.
        const host = `${physical}.${hex(seed, 6)}.use1.cache.${this.dnsSuffix}`;
        return {
          id: physical,
          arn: this.arn("elasticache", `replicationgroup:${physical}`),
          ...(inputs.clusterMode === "enabled"
            ? { configurationEndpointAddress: `clustercfg.${host}` }
            : { primaryEndpointAddress: `master.${host}`, readerEndpointAddress: `replica.${host}` }),
        };
      }
      case "aws:eks/cluster:Cluster":
        return {
          id: physical,
          arn: this.arn("eks", `cluster/${physical}`),
          endpoint: `https://${hex(seed, 32).toUpperCase()}.gr7.${region}.eks.${this.dnsSuffix}`,
          certificateAuthority: { data: Buffer.from("offline-ca").toString("base64") },
          // EKS creates the cluster security group (control plane and managed nodes) and reports it here.
          vpcConfig: {
            ...(inputs.vpcConfig as Record<string, unknown>),
            clusterSecurityGroupId: `sg-${hex(seed + "cluster-sg", 17)}`,
          },
          identities: [
            {
              oidcs: [
                { issuer: `https://oidc.eks.${region}.${this.dnsSuffix}/id/${hex(seed, 32).toUpperCase()}` },
              ],
            },
          ],
          clusterId: uuid(seed),
        };
      case "aws:eks/nodeGroup:NodeGroup": {
        // The provider names a group it is not given a name for, as it does other auto-named resources.
        const groupName = String(inputs["nodeGroupName"] ?? `${name}-${hex(seed, 7)}`);
        const cluster = String(inputs["clusterName"]);
        return {
          id: `${cluster}:${groupName}`,
          nodeGroupName: groupName,
          arn: this.arn("eks", `nodegroup/${cluster}/${groupName}/${uuid(seed)}`),
          status: "ACTIVE",
          resources: [{ autoscalingGroups: [{ name: `eks-${groupName}-${uuid(seed)}` }] }],
        };
      }
      case "aws:eks/addon:Addon":
        return {
          id: `${String(inputs["clusterName"])}:${String(inputs["addonName"])}`,
          arn: this.arn(
            "eks",
            `addon/${String(inputs["clusterName"])}/${String(inputs["addonName"])}/${uuid(seed)}`,
          ),
          addonVersion: inputs["addonVersion"] ?? "v1.0.0-eksbuild.1",
        };
      case "aws:route53/record:Record":
        return {
          id: `${String(inputs["zoneId"])}_${String(inputs["name"])}_${String(inputs["type"])}`,
          fqdn: String(inputs["name"]).replace(/\.$/, ""),
        };
      case "aws:acm/certificateValidation:CertificateValidation":
        return { id: String(inputs["certificateArn"]) };
      case "aws:route53/healthCheck:HealthCheck": {
        const id = uuid(seed);
        return { id, arn: `arn:${this.partition}:route53:::healthcheck/${id}` };
      }
      // SES: Easy DKIM returns three tokens (32 lower-case characters each); names are explicit inputs.
      case "aws:sesv2/emailIdentity:EmailIdentity": {
        const identity = String(inputs["emailIdentity"]);
        return {
          id: identity,
          arn: this.arn("ses", `identity/${identity}`),
          identityType: identity.includes("@") ? "EMAIL_ADDRESS" : "DOMAIN",
          verifiedForSendingStatus: false,
          dkimSigningAttributes: {
            ...((inputs["dkimSigningAttributes"] as Record<string, unknown> | undefined) ?? {}),
            currentSigningKeyLength: "RSA_2048_BIT",
            signingAttributesOrigin: "AWS_SES",
            status: "PENDING",
            tokens: [0, 1, 2].map((i) => hex(`${seed}-dkim-${i}`, 32)),
          },
        };
      }
      case "aws:sesv2/configurationSet:ConfigurationSet":
        return {
          id: String(inputs["configurationSetName"]),
          arn: this.arn("ses", `configuration-set/${String(inputs["configurationSetName"])}`),
        };
      case "aws:ses/template:Template":
        return { id: physical, arn: this.arn("ses", `template/${physical}`) };
      // Kubernetes objects echo their inputs; a Helm release and an ALB Ingress also report what the cluster
      // would: the release's status, and the load balancer the AWS Load Balancer Controller creates.
      case "kubernetes:helm.sh/v3:Release":
        return {
          id: `${String(inputs["namespace"] ?? "default")}/${String(inputs["name"] ?? name)}`,
          status: {
            name: inputs["name"] ?? name,
            namespace: inputs["namespace"] ?? "default",
            chart: inputs["chart"],
            version: inputs["version"],
            revision: 1,
            status: "deployed",
          },
        };
      case "kubernetes:networking.k8s.io/v1:Ingress": {
        const meta = (inputs["metadata"] ?? {}) as Record<string, unknown>;
        return {
          status: {
            loadBalancer: {
              ingress: [
                {
                  hostname: `k8s-${String(meta["namespace"])}-${String(meta["name"])}-${hex(seed, 10)}-${digits(seed, 10)}.${region}.elb.${this.dnsSuffix}`,
                },
              ],
            },
          },
        };
      }
      default: {
        // aws:<module>/<resource>:<Name> -> arn:<partition>:<module>:<region>:<account>:<resource>/<name>
        const m = /^aws:([^/]+)\/([^:]+):/.exec(type);
        if (!m) return {};
        // Attachments and policies take the ARN of what they attach to as an input named `arn`: keep it.
        if (inputs["arn"] !== undefined) return { id: physical };
        return { id: physical, arn: this.arn(m[1], `${m[2]}/${physical}`) };
      }
    }
  }
}
