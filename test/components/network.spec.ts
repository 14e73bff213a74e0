import * as assert from "assert";
import * as fc from "fast-check";
import { Network } from "../../components/network/network";
import {
  naclRules,
  natGatewayCount,
  pickZones,
  privateReachProblem,
  SUBNET_TIERS,
  subnetCidr,
  subnetLayout,
} from "../../components/network/plan";
import { networkProblems } from "../../components/network/args";
import { StackConfig } from "../../config";
import { throwIfProblems } from "../../lib/problems";
import { parseCidr } from "../../lib/rules";
import { evaluateProgram, RegisteredResource } from "../../tools/offline/evaluate";
import { DEFAULT_ACCOUNT_ID } from "../../tools/offline/mocks";
import { estimateCost } from "../../cost/estimate";
import { K, stackInput } from "../helpers/config";
import { evaluate, LOGS_KEY_ARN, named, ofType, policyDocument } from "../helpers/offline";

/** Evaluates the Network component as index.ts builds it for `stack`. */
async function networkOf(stack: string, overrides: Record<string, string> = {}) {
  const { values, secretKeys, config } = stackInput(stack, overrides);
  let network: Network | undefined;
  const { resources } = await evaluate(
    () => {
      network = new Network("network", {
        ...config.network,
        flowLogsKeyArn: LOGS_KEY_ARN,
        isolatedSubnets: config.database !== undefined || config.cache !== undefined,
      });
    },
    { stack, config: values, secretKeys, region: config.region },
  );
  return { resources, config, network: network! };
}

const subnetsOf = (resources: RegisteredResource[], tier: string) =>
  ofType(resources, "aws:ec2/subnet:Subnet")
    .filter((s) => (s.inputs.tags as Record<string, string>).Tier === tier)
    .map((s) => ({ name: s.name, cidr: s.inputs.cidrBlock, az: s.inputs.availabilityZone }))
    // Registration order follows input resolution; compare in name order.
    .sort((a, b) => a.name.localeCompare(b.name));

const idOf = (r: RegisteredResource) => r.id;

describe("Network", () => {
  describe("subnet layout (pure)", () => {
    it("cuts a /16 into /20s: public, private and isolated quarters, one slot per zone", () => {
      assert.deepStrictEqual(subnetLayout("10.10.0.0/16", 3, ["public", "private", "isolated"]), [
        { tier: "public", azIndex: 0, cidr: "10.10.0.0/20" },
        { tier: "public", azIndex: 1, cidr: "10.10.16.0/20" },
        { tier: "public", azIndex: 2, cidr: "10.10.32.0/20" },
        { tier: "private", azIndex: 0, cidr: "10.10.64.0/20" },
        { tier: "private", azIndex: 1, cidr: "10.10.80.0/20" },
        { tier: "private", azIndex: 2, cidr: "10.10.96.0/20" },
        { tier: "isolated", azIndex: 0, cidr: "10.10.128.0/20" },
        { tier: "isolated", azIndex: 1, cidr: "10.10.144.0/20" },
        { tier: "isolated", azIndex: 2, cidr: "10.10.160.0/20" },
      ]);
    });

    it("cuts a /24 into /28s, the smallest subnet AWS allows", () => {
      assert.strictEqual(subnetCidr("192.168.5.0/24", "public", 0), "192.168.5.0/28");
      assert.strictEqual(subnetCidr("192.168.5.0/24", "private", 1), "192.168.5.80/28");
      assert.strictEqual(subnetCidr("192.168.5.0/24", "isolated", 3), "192.168.5.176/28");
    });

    it("never moves a subnet when a zone or the isolated tier is added", () => {
      const two = subnetLayout("10.20.0.0/16", 2, ["public", "private"]);
      const three = subnetLayout("10.20.0.0/16", 3, ["public", "private", "isolated"]);
      for (const s of two)
        assert.ok(three.some((t) => t.tier === s.tier && t.azIndex === s.azIndex && t.cidr === s.cidr));
    });

    it("gives disjoint subnets inside the VPC for every allowed prefix and zone count", () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 16, max: 24 }),
          fc.integer({ min: 1, max: 4 }),
          fc.nat(255),
          (prefix, azs, octet) => {
            const base = parseCidr(`10.${octet}.0.0/16`) as { first: number };
            const vpcFirst = base.first - (base.first % 2 ** (32 - prefix));
            const vpcCidr = `${[24, 16, 8, 0].map((s) => (vpcFirst >>> s) & 255).join(".")}/${prefix}`;
            const vpc = parseCidr(vpcCidr) as { first: number; last: number };
            const cidrs = subnetLayout(vpcCidr, azs, SUBNET_TIERS).map(
              (s) => parseCidr(s.cidr) as { first: number; last: number },
            );
            cidrs.forEach((c, i) => {
              assert.ok(c.first >= vpc.first && c.last <= vpc.last);
              cidrs.slice(i + 1).forEach((d) => assert.ok(c.last < d.first || d.last < c.first));
            });
          },
        ),
      );
    });

    it("needs no NAT gateway for none, one for single, one per zone for perAz", () => {
      assert.deepStrictEqual(
        [natGatewayCount("none", 3), natGatewayCount("single", 3), natGatewayCount("perAz", 3)],
        [0, 1, 3],
      );
    });
  });

  describe("argument checks (pure)", () => {
    const checkNetworkArgs = (name: string, args: Parameters<typeof networkProblems>[0]) =>
      throwIfProblems("Network", name, networkProblems(args));
    const good = {
      vpcCidr: "10.0.0.0/16",
      azCount: 2,
      natStrategy: "single",
      flowLogRetentionDays: 14,
    } as const;

    it("accepts the arguments of every stack", () => {
      for (const stack of ["dev", "staging", "prod"])
        checkNetworkArgs("network", stackInput(stack).config.network);
    });

    it("refuses NAT without public subnets", () => {
      assert.throws(
        () => checkNetworkArgs("network", { ...good, natStrategy: "perAz", publicSubnets: false }),
        {
          message:
            'Network network: natStrategy = "perAz": needs public subnets (a NAT gateway sits in a public subnet ' +
            "and leaves through the internet gateway); enable publicSubnets or use natStrategy none",
        },
      );
      checkNetworkArgs("network", { ...good, natStrategy: "none", publicSubnets: false });
    });

    it("reports every bad argument in one error", () => {
      assert.throws(
        () =>
          checkNetworkArgs("net", {
            vpcCidr: "10.0.0.0/26",
            azCount: 5,
            availabilityZones: ["us-east-1a"],
            natStrategy: "single",
            interfaceEndpoints: ["ec2", "sqs", "sqs"] as never,
            flowLogRetentionDays: 10,
          }),
        {
          message:
            'Network net: vpcCidr = "10.0.0.0/26": must have a prefix between /16 and /24; azCount = 5: must be ' +
            'between 1 and 4; interfaceEndpoints[0] = "ec2": must be one of sqs, secretsmanager, ecr.api, ' +
            'ecr.dkr, logs, bedrock-runtime, sts; interfaceEndpoints[2] = "sqs": must not repeat a service; ' +
            "flowLogRetentionDays = 10: must be a CloudWatch Logs retention value: 1, 3, 5, 7, 14, 30, 60, 90, " +
            "120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653",
        },
      );
    });

    it("picks the region's first zones, or the pinned ones, and refuses too few", () => {
      assert.deepStrictEqual(pickZones("n", "us-east-1", ["us-east-1b", "us-east-1a", "us-east-1c"], 2), [
        "us-east-1a",
        "us-east-1b",
      ]);
      assert.deepStrictEqual(
        pickZones("n", "us-east-1", ["us-east-1a", "us-east-1b", "us-east-1c"], 2, [
          "us-east-1c",
          "us-east-1a",
        ]),
        ["us-east-1c", "us-east-1a"],
      );
      assert.throws(() => pickZones("n", "us-west-1", ["us-west-1a", "us-west-1c"], 3), {
        message:
          "Network n: azCount is 3 but us-west-1 has only 2 available zones (us-west-1a, us-west-1c); lower " +
          "azCount or use another region",
      });
      assert.throws(
        () => pickZones("n", "us-west-1", ["us-west-1a", "us-west-1c"], 2, ["us-west-1a", "us-west-1b"]),
        {
          message:
            "Network n: availabilityZones us-west-1b is not available in us-west-1 (available: us-west-1a, us-west-1c)",
        },
      );
    });
  });

  describe("network ACL rules (pure)", () => {
    it("admit neither SSH nor RDP from anywhere in any tier", () => {
      for (const tier of SUBNET_TIERS) {
        for (const rule of naclRules(tier, "10.0.0.0/16").ingress) {
          if (rule.action !== "allow" || rule.cidrBlock !== "0.0.0.0/0") continue;
          for (const port of [22, 3389]) {
            assert.ok(
              rule.protocol !== "-1" && !(rule.fromPort <= port && port <= rule.toPort),
              `${tier} rule ${rule.ruleNo} admits ${port} from anywhere`,
            );
          }
        }
      }
    });

    it("keep the isolated tier inside the VPC", () => {
      const all = {
        ruleNo: 100,
        protocol: "-1",
        action: "allow",
        cidrBlock: "10.0.0.0/16",
        fromPort: 0,
        toPort: 0,
      };
      assert.deepStrictEqual(naclRules("isolated", "10.0.0.0/16"), { ingress: [all], egress: [all] });
    });

    it("let the public tier serve HTTP(S) and the private tier leave only on 80/443", () => {
      const pub = naclRules("public", "10.0.0.0/16");
      assert.deepStrictEqual(
        pub.ingress.filter((r) => r.cidrBlock === "0.0.0.0/0").map((r) => [r.fromPort, r.toPort]),
        [
          [443, 443],
          [80, 80],
          [1024, 3388],
          [3390, 65535],
        ],
      );
      const priv = naclRules("private", "10.0.0.0/16");
      assert.deepStrictEqual(
        priv.egress.filter((r) => r.cidrBlock === "0.0.0.0/0").map((r) => [r.protocol, r.fromPort, r.toPort]),
        [
          ["tcp", 443, 443],
          ["tcp", 80, 80],
        ],
      );
    });
  });

  describe("per stack, from the real stack files", () => {
    const expected = {
      dev: {
        public: [
          ["network-public-0", "10.10.0.0/20", "us-east-1a"],
          ["network-public-1", "10.10.16.0/20", "us-east-1b"],
        ],
        private: [
          ["network-private-0", "10.10.64.0/20", "us-east-1a"],
          ["network-private-1", "10.10.80.0/20", "us-east-1b"],
        ],
        // No database or cache in dev: no isolated tier.
        isolated: [] as string[][],
        nat: [] as string[],
        privateRoutes: [] as string[][],
        endpoints: [] as string[],
        retention: 7,
      },
      staging: {
        public: [
          ["network-public-0", "10.20.0.0/20", "us-east-1a"],
          ["network-public-1", "10.20.16.0/20", "us-east-1b"],
        ],
        private: [
          ["network-private-0", "10.20.64.0/20", "us-east-1a"],
          ["network-private-1", "10.20.80.0/20", "us-east-1b"],
        ],
        // staging and prod run the database: the isolated tier exists.
        isolated: [
          ["network-isolated-0", "10.20.128.0/20", "us-east-1a"],
          ["network-isolated-1", "10.20.144.0/20", "us-east-1b"],
        ],
        nat: ["network-public-0"],
        privateRoutes: [
          ["network-private-nat-0", "network-nat-0"],
          ["network-private-nat-1", "network-nat-0"],
        ],
        endpoints: [] as string[],
        retention: 30,
      },
      prod: {
        public: [
          ["network-public-0", "10.30.0.0/20", "us-east-1a"],
          ["network-public-1", "10.30.16.0/20", "us-east-1b"],
          ["network-public-2", "10.30.32.0/20", "us-east-1c"],
        ],
        private: [
          ["network-private-0", "10.30.64.0/20", "us-east-1a"],
          ["network-private-1", "10.30.80.0/20", "us-east-1b"],
          ["network-private-2", "10.30.96.0/20", "us-east-1c"],
        ],
        isolated: [
          ["network-isolated-0", "10.30.128.0/20", "us-east-1a"],
          ["network-isolated-1", "10.30.144.0/20", "us-east-1b"],
          ["network-isolated-2", "10.30.160.0/20", "us-east-1c"],
        ],
        nat: ["network-public-0", "network-public-1", "network-public-2"],
        privateRoutes: [
          ["network-private-nat-0", "network-nat-0"],
          ["network-private-nat-1", "network-nat-1"],
          ["network-private-nat-2", "network-nat-2"],
        ],
        endpoints: ["sqs", "secretsmanager", "ecr.api", "ecr.dkr", "logs", "bedrock-runtime", "sts"],
        retention: 365,
      },
    };

    for (const [stack, want] of Object.entries(expected)) {
      describe(stack, () => {
        let resources: RegisteredResource[];
        let config: StackConfig;
        before(async () => ({ resources, config } = await networkOf(stack)));

        const byId = (id: unknown) => resources.find((r) => r.id === id);
        const nameOf = (id: unknown) => byId(id)?.name;

        it("has public, private and (with a data store) isolated subnets per zone, none with public IPs", () => {
          assert.deepStrictEqual(
            subnetsOf(resources, "public").map((s) => [s.name, s.cidr, s.az]),
            want.public,
          );
          assert.deepStrictEqual(
            subnetsOf(resources, "private").map((s) => [s.name, s.cidr, s.az]),
            want.private,
          );
          assert.deepStrictEqual(
            subnetsOf(resources, "isolated").map((s) => [s.name, s.cidr, s.az]),
            want.isolated,
          );
          const subnets = ofType(resources, "aws:ec2/subnet:Subnet");
          assert.strictEqual(subnets.length, want.public.length + want.private.length + want.isolated.length);
          for (const s of subnets) assert.strictEqual(s.inputs.mapPublicIpOnLaunch, false);
          const vpc = named(resources, "network-vpc");
          assert.strictEqual(vpc.inputs.cidrBlock, config.network.vpcCidr);
          assert.strictEqual(vpc.inputs.enableDnsHostnames, true);
          assert.strictEqual(vpc.inputs.enableDnsSupport, true);
        });

        it("has the NAT gateways of its strategy, each with an address, and routes private zones to them", () => {
          const nats = ofType(resources, "aws:ec2/natGateway:NatGateway");
          assert.deepStrictEqual(nats.map((n) => nameOf(n.inputs.subnetId)).sort(), want.nat);
          assert.strictEqual(ofType(resources, "aws:ec2/eip:Eip").length, want.nat.length);
          for (const n of nats) {
            assert.strictEqual(n.inputs.connectivityType, "public");
            assert.strictEqual(byId(n.inputs.allocationId)?.type, "aws:ec2/eip:Eip");
          }
          const routes = ofType(resources, "aws:ec2/route:Route");
          assert.deepStrictEqual(
            routes
              .filter((r) => r.inputs.natGatewayId)
              .map((r) => [r.name, nameOf(r.inputs.natGatewayId)])
              .sort(),
            want.privateRoutes,
          );
          const internet = named(resources, "network-public-internet");
          assert.strictEqual(internet.inputs.destinationCidrBlock, "0.0.0.0/0");
          assert.strictEqual(nameOf(internet.inputs.gatewayId), "network-igw");
          assert.strictEqual(nameOf(internet.inputs.routeTableId), "network-public-rt");
          assert.strictEqual(routes.length, 1 + want.privateRoutes.length);
          // One private route table per zone, each associated with its zone's subnet only.
          for (let i = 0; i < want.private.length; i++) {
            const assoc = named(resources, `network-private-rta-${i}`);
            assert.strictEqual(nameOf(assoc.inputs.subnetId), `network-private-${i}`);
            assert.strictEqual(nameOf(assoc.inputs.routeTableId), `network-private-rt-${i}`);
          }
        });

        it("has the free gateway endpoints and exactly the configured interface endpoints", () => {
          const endpoints = ofType(resources, "aws:ec2/vpcEndpoint:VpcEndpoint");
          const gateways = endpoints.filter((e) => e.inputs.vpcEndpointType === "Gateway");
          assert.deepStrictEqual(gateways.map((e) => e.inputs.serviceName).sort(), [
            "com.amazonaws.us-east-1.dynamodb",
            "com.amazonaws.us-east-1.s3",
          ]);
          for (const g of gateways) {
            assert.deepStrictEqual((g.inputs.routeTableIds as string[]).map(nameOf), [
              "network-public-rt",
              ...want.private.map((_, i) => `network-private-rt-${i}`),
            ]);
          }
          const interfaces = endpoints.filter((e) => e.inputs.vpcEndpointType === "Interface");
          assert.deepStrictEqual(
            interfaces.map((e) => e.inputs.serviceName).sort(),
            want.endpoints.map((s) => `com.amazonaws.us-east-1.${s}`).sort(),
          );
          const sg = named(resources, "network-endpoints-sg");
          for (const e of interfaces) {
            assert.strictEqual(e.inputs.privateDnsEnabled, true);
            assert.deepStrictEqual(
              (e.inputs.subnetIds as string[]).map(nameOf),
              want.private.map((p) => p[0]),
            );
            assert.deepStrictEqual(e.inputs.securityGroupIds, [idOf(sg)]);
          }
        });

        it("admits only HTTPS from the VPC to the endpoints and strips the default security group", () => {
          const sg = named(resources, "network-endpoints-sg");
          // Standalone rules only: one rule in, none out.
          assert.deepStrictEqual([sg.inputs.ingress, sg.inputs.egress], [undefined, undefined]);
          const onSg = (type: string) =>
            resources
              .filter((r) => r.type === type && r.inputs.securityGroupId === idOf(sg))
              .map((r) => [r.inputs.ipProtocol, r.inputs.fromPort, r.inputs.toPort, r.inputs.cidrIpv4]);
          assert.deepStrictEqual(onSg("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"), [
            ["tcp", 443, 443, config.network.vpcCidr],
          ]);
          assert.deepStrictEqual(onSg("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"), []);
          const def = named(resources, "network-default-sg");
          assert.strictEqual(def.type, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup");
          assert.deepStrictEqual([def.inputs.ingress, def.inputs.egress], [[], []]);
          const acl = named(resources, "network-default-nacl");
          assert.deepStrictEqual([acl.inputs.ingress, acl.inputs.egress], [[], []]);
          assert.strictEqual(
            acl.inputs.defaultNetworkAclId,
            named(resources, "network-vpc").outputs.defaultNetworkAclId,
          );
        });

        it("gives each tier its network ACL with the documented rules", () => {
          const acls = ofType(resources, "aws:ec2/networkAcl:NetworkAcl");
          const tiers =
            want.isolated.length > 0
              ? (["public", "private", "isolated"] as const)
              : (["public", "private"] as const);
          assert.deepStrictEqual(
            acls.map((a) => a.name).sort(),
            tiers.map((t) => `network-${t}-nacl`).sort(),
          );
          for (const tier of tiers) {
            const acl = named(resources, `network-${tier}-nacl`);
            assert.deepStrictEqual(
              (acl.inputs.subnetIds as string[]).map(nameOf),
              subnetsOf(resources, tier).map((s) => s.name),
            );
            const rules = naclRules(tier, config.network.vpcCidr);
            assert.deepStrictEqual(acl.inputs.ingress, rules.ingress);
            assert.deepStrictEqual(acl.inputs.egress, rules.egress);
          }
        });

        it("logs all traffic to a group with the configured retention, through a role scoped to that group", () => {
          const group = named(resources, "network-flow-logs");
          const vpcId = idOf(named(resources, "network-vpc"));
          assert.strictEqual(group.inputs.retentionInDays, want.retention);
          assert.strictEqual(group.inputs.name, `/aws/vpc/flow-logs/${vpcId}`);
          const groupArn = `arn:aws:logs:us-east-1:123456789012:log-group:/aws/vpc/flow-logs/${vpcId}`;
          assert.strictEqual(group.outputs.arn, groupArn);
          // Encrypted with the stack's operations key (Observability admits /aws/vpc/flow-logs/vpc-* groups).
          assert.strictEqual(group.inputs.kmsKeyId, LOGS_KEY_ARN);
          assert.strictEqual(ofType(resources, "aws:kms/key:Key").length, 0);
          const log = named(resources, "network-flow-log");
          assert.strictEqual(log.inputs.trafficType, "ALL");
          assert.strictEqual(log.inputs.logDestinationType, "cloud-watch-logs");
          assert.strictEqual(log.inputs.logDestination, group.outputs.arn);
          assert.strictEqual(log.inputs.vpcId, idOf(named(resources, "network-vpc")));
          const role = named(resources, "network-flow-logs-role");
          assert.strictEqual(log.inputs.iamRoleArn, role.outputs.arn);
          assert.ok(log.dependencies.includes(named(resources, "network-flow-logs-policy").urn));
          assert.deepStrictEqual(policyDocument(role, "assumeRolePolicy").Statement, [
            {
              Effect: "Allow",
              Principal: { Service: "vpc-flow-logs.amazonaws.com" },
              Action: "sts:AssumeRole",
              Condition: {
                StringEquals: { "aws:SourceAccount": "123456789012" },
                ArnLike: { "aws:SourceArn": "arn:aws:ec2:us-east-1:123456789012:vpc-flow-log/*" },
              },
            },
          ]);
          const policy = named(resources, "network-flow-logs-policy");
          assert.strictEqual(policy.inputs.role, idOf(role));
          assert.deepStrictEqual(policyDocument(policy).Statement, [
            {
              Sid: "WriteThisLogGroup",
              Effect: "Allow",
              Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
              Resource: [group.outputs.arn, `${group.outputs.arn}:*`],
            },
          ]);
        });

        it("tags every taggable child with Function=network", () => {
          for (const r of resources.filter((r) => r.custom && r.inputs.tags !== undefined)) {
            assert.strictEqual((r.inputs.tags as Record<string, string>).Function, "network", r.name);
          }
          assert.ok(resources.filter((r) => r.inputs.tags !== undefined).length > 10);
        });
      });
    }
  });

  it("adds the isolated tier, closed to the outside, when a database or cache is on", async () => {
    const { resources } = await networkOf("prod", { [K("cacheEnabled")]: "true" });
    assert.deepStrictEqual(
      subnetsOf(resources, "isolated").map((s) => [s.name, s.cidr, s.az]),
      [
        ["network-isolated-0", "10.30.128.0/20", "us-east-1a"],
        ["network-isolated-1", "10.30.144.0/20", "us-east-1b"],
        ["network-isolated-2", "10.30.160.0/20", "us-east-1c"],
      ],
    );
    const rt = named(resources, "network-isolated-rt");
    const rtId = idOf(rt);
    // No route leaves the table, and the gateway endpoints are not routed from it.
    assert.deepStrictEqual(
      ofType(resources, "aws:ec2/route:Route").filter((r) => r.inputs.routeTableId === rtId),
      [],
    );
    for (const e of ofType(resources, "aws:ec2/vpcEndpoint:VpcEndpoint")) {
      assert.ok(!((e.inputs.routeTableIds as string[] | undefined) ?? []).includes(rtId as string));
    }
    for (let i = 0; i < 3; i++)
      assert.strictEqual(named(resources, `network-isolated-rta-${i}`).inputs.routeTableId, rtId);
    const acl = named(resources, "network-isolated-nacl");
    assert.deepStrictEqual(acl.inputs.ingress, naclRules("isolated", "10.30.0.0/16").ingress);
    assert.strictEqual((acl.inputs.subnetIds as string[]).length, 3);
  });

  it("uses pinned zones when the stack lists them", async () => {
    const { resources } = await networkOf("staging", {
      [K("availabilityZones")]: '["us-east-1c","us-east-1d"]',
    });
    assert.deepStrictEqual(
      subnetsOf(resources, "private").map((s) => s.az),
      ["us-east-1c", "us-east-1d"],
    );
  });

  it("fails with a clear error when the region has fewer zones than azCount", async () => {
    const { values, secretKeys, config } = stackInput("prod", { "aws:region": "us-west-1" });
    const run = evaluateProgram({
      program: () =>
        new Network("network", { ...config.network, flowLogsKeyArn: LOGS_KEY_ARN, isolatedSubnets: false }),
      project: "agent-platform",
      stack: "prod",
      config: values,
      secretKeys,
      region: "us-west-1",
      accountId: DEFAULT_ACCOUNT_ID,
    });
    await assert.rejects(run, {
      name: "ProgramError",
      message:
        "Network network: azCount is 3 but us-west-1 has only 2 available zones (us-west-1a, us-west-1c); " +
        "lower azCount or use another region",
    });
  });

  it("shows the NAT difference between dev and prod in the cost estimate", async () => {
    const natCost = async (stack: string) => {
      const { resources } = await networkOf(stack);
      const items = estimateCost(resources).items.filter((i) =>
        ["aws:ec2/natGateway:NatGateway", "aws:ec2/eip:Eip"].includes(i.type),
      );
      return Math.round(items.reduce((t, i) => t + i.monthlyUsd, 0) * 100) / 100;
    };
    // 730 h x ($0.045 NAT + $0.005 public IPv4) per gateway.
    assert.deepStrictEqual(
      [await natCost("dev"), await natCost("staging"), await natCost("prod")],
      [0, 36.5, 109.5],
    );
  });

  it("tells private workloads what they cannot reach", async () => {
    const { network } = await networkOf("dev");
    assert.deepStrictEqual(network.privateServices, ["s3", "dynamodb"]);
    network.requirePrivateReach("Pipeline", ["s3"]);
    assert.throws(() => network.requirePrivateReach("Pipeline", ["s3", "bedrock-runtime", "internet"]), {
      message:
        "Pipeline: private subnets have no NAT gateway (natStrategy none) and no endpoint for bedrock-runtime, " +
        "internet; they reach only s3, dynamodb. Add the services to interfaceEndpoints, set natStrategy, or run " +
        "the workload outside the VPC",
    });
    assert.strictEqual(privateReachProblem("single", [], ["internet"]), undefined);
  });
});
