import * as assert from "assert";
import { asList, plain, rolePolicies, RolePolicies } from "../../tools/iam-roles";
import type { RegisteredResource } from "../../tools/offline/evaluate";
import type { StackReport } from "../../tools/offline/preview";
import { actionFacts, expandAction } from "../../policy/lib/aws-actions";
import { Decision, evaluateRequest, Request } from "../helpers/iam-evaluator";
import { allPreviews } from "../helpers/previews";

/*
 * Concrete requests against the roles each stack really builds (the offline evaluation of the program), decided
 * by the identity-policy evaluator in test/helpers. Only identity policies the program writes are evaluated: each
 * role asked about here must attach no AWS managed policy, whose text is AWS's.
 */

let reports: StackReport[];

const arnOf = (r: RegisteredResource) => String(plain(r.outputs.arn));
const byName = (report: StackReport, name: string) => {
  const found = report.resources.filter((r) => r.name === name && r.custom);
  assert.strictEqual(found.length, 1, `one resource named ${name} in ${report.stack}`);
  return found[0];
};

function roleOf(report: StackReport, name: string): RolePolicies {
  const role = rolePolicies(report.resources).find((r) => r.role.name === name);
  assert.ok(role, `${report.stack} has role ${name}`);
  assert.deepStrictEqual(
    role.awsManaged,
    [],
    `${name} attaches AWS managed policies the evaluator cannot read`,
  );
  return role;
}

function decide(role: RolePolicies, req: Request): Decision {
  return evaluateRequest(
    role.documents.flatMap((d) => d.statements),
    req,
  ).decision;
}

/** The request context a resource's own tags give: aws:ResourceTag/<key> for each tag. */
function resourceTags(r: RegisteredResource): Record<string, string> {
  const tags = (plain(r.inputs.tags) ?? {}) as Record<string, string>;
  return Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:ResourceTag/${k}`, String(v)]));
}

describe("IAM on concrete requests, per stack (offline evaluation of the program)", function () {
  this.timeout(120000);
  // The stacks' shared previews (one per test process), as preview:offline makes them.
  before(async () => (reports = await allPreviews()));

  it("the process function writes processed documents and reads raw uploads, but never writes raw", () => {
    for (const report of reports) {
      const role = roleOf(report, "pipeline-process-role");
      const raw = arnOf(byName(report, "pipeline-raw"));
      const processed = arnOf(byName(report, "pipeline-processed"));
      const asked = [
        ["s3:PutObject", `${processed}/documents/report.json`],
        ["s3:GetObject", `${raw}/uploads/report.pdf`],
        ["s3:PutObject", `${raw}/uploads/report.pdf`],
        ["s3:PutObject", `${raw}/documents/report.json`],
        ["s3:DeleteObject", `${raw}/uploads/report.pdf`],
        ["s3:DeleteObject", `${processed}/documents/report.json`],
        ["s3:PutBucketPolicy", raw],
      ].map(([action, resource]) => `${action} ${resource}: ${decide(role, { action, resource })}`);
      assert.deepStrictEqual(
        asked,
        [
          `s3:PutObject ${processed}/documents/report.json: allow`,
          `s3:GetObject ${raw}/uploads/report.pdf: allow`,
          `s3:PutObject ${raw}/uploads/report.pdf: implicit-deny`,
          `s3:PutObject ${raw}/documents/report.json: implicit-deny`,
          `s3:DeleteObject ${raw}/uploads/report.pdf: implicit-deny`,
          `s3:DeleteObject ${processed}/documents/report.json: implicit-deny`,
          `s3:PutBucketPolicy ${raw}: implicit-deny`,
        ],
        report.stack,
      );
    }
  });

  it("each agent worker consumes and re-enqueues on its own queue only", () => {
    for (const report of reports) {
      const queues = report.resources.filter(
        (r) => r.type === "aws:sqs/queue:Queue" && /^agents-[a-z]+(-dlq)?$/.test(r.name),
      );
      const agents = queues
        .filter((q) => !q.name.endsWith("-dlq"))
        .map((q) => q.name.slice("agents-".length));
      assert.ok(agents.length >= 4, `${report.stack}: agents ${agents.join(", ")}`);
      for (const agent of agents) {
        // staging and prod run the dev agent on Fargate (agentRuntime): its container's task role.
        const onFargate = report.stack !== "dev" && agent === "dev";
        const role = roleOf(report, onFargate ? "agent-worker-task-role" : `agent-workers-${agent}-role`);
        for (const queue of queues) {
          const own = queue.name === `agents-${agent}`;
          for (const action of ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:SendMessage"])
            assert.strictEqual(
              decide(role, { action, resource: arnOf(queue) }),
              own ? "allow" : "implicit-deny",
              `${report.stack}: ${agent} ${action} on ${queue.name}`,
            );
        }
        assert.strictEqual(
          decide(role, { action: "sqs:PurgeQueue", resource: arnOf(byName(report, `agents-${agent}`)) }),
          "implicit-deny",
        );
      }
    }
  });

  it("the load balancer controller may change nothing of the web load balancer, only what it created", () => {
    const withCluster = reports.filter((r) => r.resources.some((x) => x.type === "aws:eks/cluster:Cluster"));
    assert.deepStrictEqual(
      withCluster.map((r) => r.stack),
      ["prod"],
      "the stacks with EKS",
    );
    for (const report of withCluster) {
      const role = roleOf(report, "eks-load-balancer-controller-role");
      const cluster = String(byName(report, "eks-cluster").inputs.name);
      const vpc = report.resources.find((r) => r.type === "aws:ec2/vpc:Vpc")!;
      const vpcArn = arnOf(vpc);
      const lb = byName(report, "web-alb");
      const lbArn = arnOf(lb);
      const [, , , region, account] = lbArn.split(":");
      const elb = `arn:aws:elasticloadbalancing:${region}:${account}`;
      // The web ALB's listeners and rules, in the ARN form ELB gives them (load balancer name and id, then ids).
      const lbPath = lbArn.split(":loadbalancer/")[1];
      const webSg = report.resources.find(
        (r) => r.type === "aws:ec2/securityGroup:SecurityGroup" && r.name === "web-alb-sg",
      );
      assert.ok(webSg, "the web ALB's security group");
      const web: Array<{ resource: string; context: Record<string, string> }> = [
        { resource: lbArn, context: resourceTags(lb) },
        {
          resource: `${elb}:listener/${lbPath}/5f2f66d11c38f9ee`,
          context: resourceTags(byName(report, "web-https")),
        },
        {
          resource: `${elb}:listener-rule/${lbPath}/5f2f66d11c38f9ee/0123456789abcdef`,
          context: resourceTags(byName(report, "web-from-cloudfront")),
        },
        { resource: arnOf(byName(report, "web-tg")), context: resourceTags(byName(report, "web-tg")) },
        {
          resource: `arn:aws:ec2:${region}:${account}:security-group/${String(plain(webSg.outputs.id))}`,
          context: { ...resourceTags(webSg), "ec2:Vpc": vpcArn },
        },
      ];
      // Every action the role names, wildcards expanded, except those AWS lets take only "*" (reads).
      const actions = [
        ...new Set(
          role.documents
            .flatMap((d) => d.statements)
            .flatMap((s) => asList(s.Action))
            .flatMap(expandAction)
            .filter((a) => actionFacts(a)?.wildcardOnly !== true),
        ),
      ].sort();
      assert.ok(
        actions.includes("elasticloadbalancing:RegisterTargets") && actions.length > 20,
        actions.join(" "),
      );
      const allowedOnWeb = web.flatMap(({ resource, context }) =>
        actions
          .filter((action) => decide(role, { action, resource, context }) === "allow")
          .map((action) => `${action} on ${resource}`),
      );
      assert.deepStrictEqual(allowedOnWeb, []);

      // The same requests on what the controller created for the cluster (tagged, named k8s-...) are allowed.
      const own = { "aws:ResourceTag/elbv2.k8s.aws/cluster": cluster };
      const mine = `loadbalancer/app/k8s-shop-web-0a1b2c3d4e/50dc6c495c0c9188`;
      const allowedOnOwn = [
        ["elasticloadbalancing:CreateListener", `${elb}:${mine}`],
        ["elasticloadbalancing:DeleteLoadBalancer", `${elb}:${mine}`],
        [
          "elasticloadbalancing:ModifyListener",
          `${elb}:listener/app/k8s-shop-web-0a1b2c3d4e/50dc6c495c0c9188/f2f7dc8efc522ab2`,
        ],
        [
          "elasticloadbalancing:RegisterTargets",
          `${elb}:targetgroup/k8s-shop-web-6b4a2f1c9e/73e2d6bc24d8a067`,
        ],
        [
          "ec2:AuthorizeSecurityGroupIngress",
          `arn:aws:ec2:${region}:${account}:security-group/sg-0123456789abcdef0`,
        ],
      ].map(([action, resource]) =>
        decide(role, { action, resource, context: { ...own, "ec2:Vpc": vpcArn } }),
      );
      assert.deepStrictEqual(allowedOnOwn, ["allow", "allow", "allow", "allow", "allow"]);
      // The nodes' security group (EKS's cluster security group) may be opened to the load balancers, in this VPC.
      const clusterSg = {
        action: "ec2:AuthorizeSecurityGroupIngress",
        resource: `arn:aws:ec2:${region}:${account}:security-group/sg-0fedcba9876543210`,
      };
      const nodeTag = { [`aws:ResourceTag/kubernetes.io/cluster/${cluster}`]: "owned" };
      assert.strictEqual(decide(role, { ...clusterSg, context: { ...nodeTag, "ec2:Vpc": vpcArn } }), "allow");
      assert.strictEqual(
        decide(role, { ...clusterSg, context: { ...nodeTag, "ec2:Vpc": `${vpcArn}-other` } }),
        "implicit-deny",
      );
    }
  });
});
