import { MockAnswer, MockTable, hex } from "./context";

const securityGroupRule: MockAnswer = (c) => {
  const { seed } = c;
  return {
    id: `sgr-${hex(seed, 17)}`,
    securityGroupRuleId: `sgr-${hex(seed, 17)}`,
    arn: c.arn("ec2", `security-group-rule/sgr-${hex(seed, 17)}`),
  };
};

export const EC2_OUTPUTS: MockTable = {
  "aws:ec2/vpc:Vpc": (c) => {
    const { seed } = c;
    return {
      ...c.ec2("vpc", "vpc"),
      defaultSecurityGroupId: `sg-${hex(seed + "sg", 17)}`,
      defaultNetworkAclId: `acl-${hex(seed + "acl", 17)}`,
      defaultRouteTableId: `rtb-${hex(seed + "rtb", 17)}`,
      mainRouteTableId: `rtb-${hex(seed + "rtb", 17)}`,
    };
  },
  "aws:ec2/subnet:Subnet": (c) => {
    return c.ec2("subnet", "subnet");
  },
  "aws:ec2/securityGroup:SecurityGroup": (c) => {
    return c.ec2("sg", "security-group");
  },
  "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": (c) => {
    return { ...c.ec2("sg", "security-group"), name: "default" };
  },
  "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl": (c) => {
    const { inputs, seed } = c;
    return {
      ...c.ec2("acl", "network-acl"),
      id: String(inputs["defaultNetworkAclId"] ?? `acl-${hex(seed, 17)}`),
    };
  },
  "aws:ec2/routeTableAssociation:RouteTableAssociation": (c) => {
    const { seed } = c;
    return { id: `rtbassoc-${hex(seed, 17)}` };
  },
  "aws:ec2/route:Route": (c) => {
    const { inputs } = c;
    return { id: `r-${String(inputs["routeTableId"])}1080289494`, state: "active" };
  },
  "aws:ec2/internetGateway:InternetGateway": (c) => {
    return c.ec2("igw", "internet-gateway");
  },
  "aws:ec2/natGateway:NatGateway": (c) => {
    const { seed } = c;
    return {
      id: `nat-${hex(seed, 17)}`,
      networkInterfaceId: `eni-${hex(seed, 17)}`,
      publicIp: "203.0.113.10",
    };
  },
  "aws:ec2/eip:Eip": (c) => {
    const { seed } = c;
    return {
      id: `eipalloc-${hex(seed, 17)}`,
      allocationId: `eipalloc-${hex(seed, 17)}`,
      publicIp: "203.0.113.10",
    };
  },
  "aws:ec2/routeTable:RouteTable": (c) => {
    return c.ec2("rtb", "route-table");
  },
  "aws:ec2/networkAcl:NetworkAcl": (c) => {
    return c.ec2("acl", "network-acl");
  },
  "aws:ec2/vpcEndpoint:VpcEndpoint": (c) => {
    const { seed } = c;
    return { ...c.ec2("vpce", "vpc-endpoint"), prefixListId: `pl-${hex(seed, 8)}`, dnsEntries: [] };
  },
  "aws:ec2/flowLog:FlowLog": (c) => {
    const { seed } = c;
    return { id: `fl-${hex(seed, 17)}`, arn: c.arn("ec2", `vpc-flow-log/fl-${hex(seed, 17)}`) };
  },
  "aws:ec2/launchTemplate:LaunchTemplate": (c) => {
    return { ...c.ec2("lt", "launch-template"), latestVersion: 1, defaultVersion: 1 };
  },
  "aws:vpc/securityGroupRule:SecurityGroupIngressRule": securityGroupRule,
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": securityGroupRule,
};
