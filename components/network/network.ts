import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { throwIfProblems } from "../../lib/problems";
import { InterfaceEndpointService, NatStrategy, NetworkSettings, networkProblems } from "./args";
import {
  natGatewayCount,
  naclRules,
  pickZones,
  privateReachProblem,
  privateServices,
  SubnetTier,
  subnetLayout,
} from "./plan";
import { createFlowLogs } from "./flow-logs";
import { PlatformComponent } from "../shared/tagging";

export interface NetworkArgs extends NetworkSettings {
  /** The flow log group's KMS key (Observability.logsKeyArn, which admits `/aws/vpc/flow-logs/vpc-*`). No default. */
  readonly flowLogsKeyArn: pulumi.Input<string>;
  /** Adds the isolated (data) tier, for a database or cache. Default: false. */
  readonly isolatedSubnets?: boolean;
}

/**
 * `agent-platform:index:Network`: a VPC with public, private and (optionally) isolated subnets in 2-3 zones,
 * NAT by strategy, S3/DynamoDB gateway endpoints, optional interface endpoints, flow logs, a network ACL per
 * tier and a default security group stripped of all rules.
 *
 * Built from plain @pulumi/aws resources rather than awsx.ec2.Vpc: awsx's Vpc is a remote component, so under
 * mocks and in the offline preview it is one opaque registration, and neither the tests nor the policy pack
 * could see its subnets, NAT gateways, routes or ACLs, which is exactly what they must judge.
 */
export class Network extends PlatformComponent {
  readonly vpcId: pulumi.Output<string>;
  /** The VPC block (plain), for security group rules that admit the VPC. */
  readonly vpcCidr: string;
  /** Zone names, in the order of the subnet lists. */
  readonly availabilityZones: pulumi.Output<string[]>;
  readonly publicSubnetIds: pulumi.Output<string[]>;
  readonly privateSubnetIds: pulumi.Output<string[]>;
  /** Empty unless `isolatedSubnets` is on. */
  readonly isolatedSubnetIds: pulumi.Output<string[]>;
  /** Admits HTTPS from the VPC to the interface endpoints; reuse it for nothing else. */
  readonly endpointSecurityGroupId: pulumi.Output<string>;
  readonly natStrategy: NatStrategy;
  readonly interfaceEndpoints: readonly InterfaceEndpointService[];

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    throwIfProblems("Network", name, networkProblems(args));
    super("agent-platform:index:Network", name, "network", opts);
    const publicTier = args.publicSubnets ?? true;
    const interfaceEndpoints = args.interfaceEndpoints ?? [];
    const tiers: SubnetTier[] = ["private"];
    if (publicTier) tiers.unshift("public");
    if (args.isolatedSubnets) tiers.push("isolated");

    const region = aws.getRegionOutput({}, { parent: this });
    const partition = aws.getPartitionOutput({}, { parent: this });
    // Resource counts come from plain config (azCount); only the zone names come from the region. The
    // region's zone list is checked here so that too many zones fail with a clear message at preview
    // rather than a subnet creation error halfway through `pulumi up`.
    const regionZones = aws.getAvailabilityZonesOutput(
      { state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] },
      { parent: this },
    );
    const zones = pulumi
      .all([regionZones.names, region.region])
      .apply(([names, r]) => pickZones(name, r, names, args.azCount, args.availabilityZones ?? []));

    const vpc = new aws.ec2.Vpc(
      `${name}-vpc`,
      {
        cidrBlock: args.vpcCidr,
        // Private DNS of interface endpoints needs both.
        enableDnsSupport: true,
        enableDnsHostnames: true,
        tags: { Name: `${name}-vpc` },
      },
      { parent: this },
    );

    // Adopted so it has no rules at all: anything placed in it by mistake can neither receive nor send.
    new aws.ec2.DefaultSecurityGroup(
      `${name}-default-sg`,
      { vpcId: vpc.id, ingress: [], egress: [], tags: { Name: `${name}-default-sg` } },
      { parent: this },
    );
    // Every subnet below is associated with its tier's ACL; the default ACL (allow-all as AWS creates it)
    // is adopted without rules, so a subnet created outside this component is closed until someone decides.
    new aws.ec2.DefaultNetworkAcl(
      `${name}-default-nacl`,
      {
        defaultNetworkAclId: vpc.defaultNetworkAclId,
        ingress: [],
        egress: [],
        tags: { Name: `${name}-default-nacl` },
      },
      { parent: this },
    );

    const subnets: Record<SubnetTier, aws.ec2.Subnet[]> = { public: [], private: [], isolated: [] };
    for (const s of subnetLayout(args.vpcCidr, args.azCount, tiers)) {
      const subnetName = `${name}-${s.tier}-${s.azIndex}`;
      subnets[s.tier].push(
        new aws.ec2.Subnet(
          subnetName,
          {
            vpcId: vpc.id,
            cidrBlock: s.cidr,
            availabilityZone: zones.apply((z) => z[s.azIndex]),
            // Public addresses are asked for per workload (load balancers, NAT, a dev task), never by default.
            mapPublicIpOnLaunch: false,
            tags: {
              Name: subnetName,
              Tier: s.tier,
              // How the AWS Load Balancer Controller (EKS) finds subnets for internet-facing and internal LBs.
              ...(s.tier === "public" ? { "kubernetes.io/role/elb": "1" } : {}),
              ...(s.tier === "private" ? { "kubernetes.io/role/internal-elb": "1" } : {}),
            },
          },
          { parent: this },
        ),
      );
    }

    // Route tables: one public (default route to the internet gateway), one private per zone (so moving from
    // a single NAT to one per zone changes routes, not subnet associations), one isolated (local only).
    const routeTables: aws.ec2.RouteTable[] = [];
    const table = (tableName: string, tier: SubnetTier, azIndexes: number[]) => {
      const rt = new aws.ec2.RouteTable(
        tableName,
        { vpcId: vpc.id, tags: { Name: tableName } },
        { parent: this },
      );
      for (const i of azIndexes) {
        new aws.ec2.RouteTableAssociation(
          `${name}-${tier}-rta-${i}`,
          { routeTableId: rt.id, subnetId: subnets[tier][i].id },
          { parent: this },
        );
      }
      return rt;
    };

    let internetGateway: aws.ec2.InternetGateway | undefined;
    if (publicTier) {
      internetGateway = new aws.ec2.InternetGateway(
        `${name}-igw`,
        { vpcId: vpc.id, tags: { Name: `${name}-igw` } },
        { parent: this },
      );
      const publicRt = table(
        `${name}-public-rt`,
        "public",
        subnets.public.map((_, i) => i),
      );
      routeTables.push(publicRt);
      new aws.ec2.Route(
        `${name}-public-internet`,
        { routeTableId: publicRt.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: internetGateway.id },
        { parent: this },
      );
    }

    const natGateways: aws.ec2.NatGateway[] = [];
    for (let i = 0; i < natGatewayCount(args.natStrategy, args.azCount); i++) {
      const eip = new aws.ec2.Eip(
        `${name}-nat-eip-${i}`,
        { domain: "vpc", tags: { Name: `${name}-nat-eip-${i}` } },
        { parent: this },
      );
      natGateways.push(
        new aws.ec2.NatGateway(
          `${name}-nat-${i}`,
          {
            allocationId: eip.allocationId,
            subnetId: subnets.public[i].id,
            connectivityType: "public",
            tags: { Name: `${name}-nat-${i}` },
          },
          // A NAT gateway created before the internet gateway is attached cannot reach the internet.
          { parent: this, dependsOn: internetGateway ? [internetGateway] : [] },
        ),
      );
    }

    subnets.private.forEach((_, i) => {
      const rt = table(`${name}-private-rt-${i}`, "private", [i]);
      routeTables.push(rt);
      if (natGateways.length > 0) {
        new aws.ec2.Route(
          `${name}-private-nat-${i}`,
          {
            routeTableId: rt.id,
            destinationCidrBlock: "0.0.0.0/0",
            natGatewayId: natGateways[args.natStrategy === "perAz" ? i : 0].id,
          },
          { parent: this },
        );
      }
    });
    if (subnets.isolated.length > 0) {
      table(
        `${name}-isolated-rt`,
        "isolated",
        subnets.isolated.map((_, i) => i),
      );
    }

    for (const tier of tiers) {
      const rules = naclRules(tier, args.vpcCidr);
      new aws.ec2.NetworkAcl(
        `${name}-${tier}-nacl`,
        {
          vpcId: vpc.id,
          subnetIds: subnets[tier].map((s) => s.id),
          ingress: rules.ingress.map((r) => ({ ...r })),
          egress: rules.egress.map((r) => ({ ...r })),
          tags: { Name: `${name}-${tier}-nacl`, Tier: tier },
        },
        { parent: this },
      );
    }

    // Gateway endpoints are free and keep S3 and DynamoDB traffic off NAT. They are routed from the public and
    // private tables, not the isolated one: the data tier gets no path out of the VPC. No endpoint policy:
    // one that limits buckets to this account would also cut off ECR image layers, which live in AWS's buckets.
    const serviceName = (service: string) =>
      pulumi.interpolate`${partition.reverseDnsPrefix}.${region.region}.${service}`;
    for (const service of ["s3", "dynamodb"]) {
      new aws.ec2.VpcEndpoint(
        `${name}-${service}`,
        {
          vpcId: vpc.id,
          vpcEndpointType: "Gateway",
          serviceName: serviceName(service),
          routeTableIds: routeTables.map((rt) => rt.id),
          tags: { Name: `${name}-${service}` },
        },
        { parent: this },
      );
    }

    // Standalone rules only (components/shared/security-group-rules.ts). Endpoints only answer; replies need no egress
    // rule (security groups are stateful), and the provider removes AWS's default one.
    const endpointSg = new aws.ec2.SecurityGroup(
      `${name}-endpoints-sg`,
      {
        vpcId: vpc.id,
        description: "Interface VPC endpoints: HTTPS from inside the VPC only (standalone rules)",
        tags: { Name: `${name}-endpoints-sg` },
      },
      { parent: this },
    );
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-endpoints-from-vpc`,
      {
        securityGroupId: endpointSg.id,
        description: "HTTPS from the VPC",
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrIpv4: args.vpcCidr,
      },
      { parent: this },
    );
    for (const service of interfaceEndpoints) {
      new aws.ec2.VpcEndpoint(
        `${name}-${service.replace(/\./g, "-")}`,
        {
          vpcId: vpc.id,
          vpcEndpointType: "Interface",
          serviceName: serviceName(service),
          privateDnsEnabled: true,
          subnetIds: subnets.private.map((s) => s.id),
          securityGroupIds: [endpointSg.id],
          tags: { Name: `${name}-${service}` },
        },
        { parent: this },
      );
    }

    createFlowLogs(this, name, {
      vpcId: vpc.id,
      retentionInDays: args.flowLogRetentionDays,
      keyArn: args.flowLogsKeyArn,
    });

    this.vpcId = vpc.id;
    this.vpcCidr = args.vpcCidr;
    this.availabilityZones = zones;
    this.publicSubnetIds = pulumi.output(subnets.public.map((s) => s.id));
    this.privateSubnetIds = pulumi.output(subnets.private.map((s) => s.id));
    this.isolatedSubnetIds = pulumi.output(subnets.isolated.map((s) => s.id));
    this.endpointSecurityGroupId = endpointSg.id;
    this.natStrategy = args.natStrategy;
    this.interfaceEndpoints = interfaceEndpoints;
    this.registerOutputs({
      vpcId: this.vpcId,
      availabilityZones: this.availabilityZones,
      publicSubnetIds: this.publicSubnetIds,
      privateSubnetIds: this.privateSubnetIds,
      isolatedSubnetIds: this.isolatedSubnetIds,
      endpointSecurityGroupId: this.endpointSecurityGroupId,
    });
  }

  /** AWS services (short names) a workload in the private subnets reaches without a NAT gateway. */
  get privateServices(): string[] {
    return privateServices(this.interfaceEndpoints);
  }

  /**
   * For components that place workloads in the private subnets: throws a clear error when those workloads
   * could not reach `services` (e.g. ["sqs", "bedrock-runtime"], or "internet" for a third-party API).
   */
  requirePrivateReach(consumer: string, services: readonly string[]): void {
    const problem = privateReachProblem(this.natStrategy, this.interfaceEndpoints, services);
    if (problem) throw new Error(`${consumer}: ${problem}`);
  }
}
