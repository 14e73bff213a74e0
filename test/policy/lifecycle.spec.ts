import * as assert from "assert";
import * as life from "../../policy/lifecycle";
import { fakeResource } from "../helpers/offline";
import { expectFindings, findings, res, UNKNOWN_STRING } from "./helpers";

const T = {
  db: "aws:rds/instance:Instance",
  cluster: "aws:rds/cluster:Cluster",
};

describe("policy: rds-minor-version-drift", () => {
  it("flags a pinned minor with automatic minor upgrades, explicit or by the provider's default", async () => {
    await expectFindings(
      life.rdsMinorVersionDrift,
      [
        // What components/database.ts declared before the fix.
        res(T.db, "db-postgres", {
          engine: "postgres",
          engineVersion: "16.4",
          autoMinorVersionUpgrade: true,
        }),
        res(T.db, "legacy", { engine: "mysql", engineVersion: "8.0.36" }),
        res(T.cluster, "multi-az", { engine: "postgres", engineVersion: "16.4" }),
      ],
      [
        "RDS instance 'db-postgres' pins postgres 16.4 with autoMinorVersionUpgrade on: once RDS upgrades the " +
          "minor, every `pulumi up` tries to move the database back (a perpetual diff).",
        "RDS instance 'legacy' pins mysql 8.0.36 with autoMinorVersionUpgrade on: once RDS upgrades the minor, " +
          "every `pulumi up` tries to move the database back (a perpetual diff).",
        "RDS cluster 'multi-az' pins postgres 16.4 with autoMinorVersionUpgrade on: once RDS upgrades the minor, " +
          "every `pulumi up` tries to move the database back (a perpetual diff).",
      ],
    );
  });

  it("passes a major version with automatic upgrades, a pinned minor without them, and Aurora clusters", async () => {
    await expectFindings(
      life.rdsMinorVersionDrift,
      [
        res(T.db, "major", { engine: "postgres", engineVersion: "16", autoMinorVersionUpgrade: true }),
        res(T.db, "mysql-major", { engine: "mysql", engineVersion: "8.0" }),
        res(T.db, "pinned", { engine: "postgres", engineVersion: "16.6", autoMinorVersionUpgrade: false }),
        res(T.db, "unknown", { engine: "postgres", engineVersion: UNKNOWN_STRING }),
        res(T.cluster, "aurora", { engine: "aurora-postgresql", engineVersion: "16.4" }),
      ],
      [],
    );
  });

  it("reads versions per engine", () => {
    const cases: Array<[string, string, boolean | undefined]> = [
      ["postgres", "16", false],
      ["postgres", "16.4", true],
      ["postgres", "9.6", false],
      ["postgres", "9.6.24", true],
      ["aurora-postgresql", "15.4", true],
      ["mysql", "8.0", false],
      ["mariadb", "10.11.8", true],
      ["oracle-ee", "19.0.0.0.ru-2024-01.rur-2024-01.r1", undefined],
      ["postgres", "latest", undefined],
    ];
    assert.deepStrictEqual(
      cases.map(([e, v]) => life.pinsMinorVersion(e, v)),
      cases.map((c) => c[2]),
    );
  });
});

describe("policies: eks-version-standard-support and eks-version-support-ending", () => {
  const cluster = (name: string, version: unknown, supportType?: string) =>
    res("aws:eks/cluster:Cluster", name, {
      version,
      ...(supportType ? { upgradePolicy: { supportType } } : {}),
    });
  const mandatory = life.eksVersionStandardSupport;
  const advisory = life.eksVersionSupportEnding;
  /** Pack config judging `policy` at `asOf`. */
  const on = (policy: { name: string }, asOf: string) => ({ [policy.name]: { asOf } });

  it("flags a version past its end of standard support as mandatory (the old prod input: 1.33, STANDARD)", async () => {
    await expectFindings(
      mandatory,
      [
        cluster("eks-cluster", "1.33", "STANDARD"),
        cluster("paid", "1.34"),
        cluster("gone", "1.31", "EXTENDED"),
      ],
      [
        "EKS cluster 'eks-cluster' runs Kubernetes 1.33, whose standard support ended on 2026-07-29: with " +
          "upgradePolicy STANDARD AWS upgrades the control plane, and the next `pulumi up` asks for a downgrade " +
          "AWS refuses. Move eksVersion to a version in standard support.",
        "EKS cluster 'paid' runs Kubernetes 1.34, whose standard support ended on 2026-12-02: the cluster is on " +
          "extended support, billed at six times the standard hourly price. Move eksVersion to a version in " +
          "standard support.",
        "EKS cluster 'gone' runs Kubernetes 1.31, whose standard support ended on 2025-11-26 and extended support " +
          "on 2026-11-26: AWS upgrades the control plane, and the next `pulumi up` asks for a downgrade AWS " +
          "refuses. Move eksVersion to a version in standard support.",
      ],
      on(mandatory, "2026-12-06"),
    );
  });

  it("judges the end day itself as ended, and the day before as within the window", async () => {
    await expectFindings(mandatory, [cluster("c", "1.35", "STANDARD")], [], on(mandatory, "2027-03-26"));
    assert.strictEqual(
      (await findings(mandatory, [cluster("c", "1.35", "STANDARD")], on(mandatory, "2027-03-27"))).length,
      1,
    );
  });

  it("advises within 90 days of the end (a knob), and about a version the dated table does not list", async () => {
    const clusters = [cluster("next", "1.35", "STANDARD"), cluster("new", "1.40", "STANDARD")];
    await expectFindings(
      advisory,
      clusters,
      [
        "EKS cluster 'new' runs Kubernetes 1.40, which the support table (lib/eks-versions.ts, checked " +
          "2026-12-06) does not list: add its end of standard support from the EKS release calendar.",
      ],
      on(advisory, "2026-12-26"),
    );
    await expectFindings(
      advisory,
      clusters.slice(0, 1),
      [
        "EKS cluster 'next' runs Kubernetes 1.35, whose standard support ends on 2027-03-27, in 90 days: plan " +
          "the upgrade to the next version before then.",
      ],
      on(advisory, "2026-12-27"),
    );
    await expectFindings(advisory, clusters.slice(0, 1), [], {
      "eks-version-support-ending": { asOf: "2026-12-27", warnDays: 30 },
    });
    // Past the end the mandatory policy speaks; the advisory one stays quiet.
    await expectFindings(advisory, clusters.slice(0, 1), [], on(advisory, "2027-04-01"));
  });

  it("leaves a version unknown during preview alone, and judges today's date without asOf", async () => {
    await expectFindings(mandatory, [cluster("c", UNKNOWN_STRING)], [], on(mandatory, "2030-01-01"));
    // 1.29's standard support ended in 2025: whatever day the test runs, it is in the past.
    assert.strictEqual((await findings(mandatory, [cluster("c", "1.29")])).length, 1);
  });
});

describe("policy: security-group-standalone-rules", () => {
  const sg = "aws:ec2/securityGroup:SecurityGroup";
  const https = { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] };

  it("flags inline rules, an empty list included (the old web-tasks-sg and db-sg inputs)", async () => {
    await expectFindings(
      life.securityGroupStandaloneRules,
      [
        res(sg, "web-tasks-sg", {
          vpcId: "vpc-1",
          ingress: [{ protocol: "tcp", fromPort: 8080, toPort: 8080, securityGroups: ["sg-alb"] }],
          egress: [https],
        }),
        res(sg, "db-sg", { vpcId: "vpc-1", egress: [] }),
      ],
      [
        "security group 'web-tasks-sg' declares inline ingress and egress rules: standalone rules on it (a " +
          "server admitting this group, another component) would be revoked by the next update after a refresh.",
        "security group 'db-sg' declares inline egress rules: standalone rules on it (a server admitting this " +
          "group, another component) would be revoked by the next update after a refresh.",
      ],
    );
  });

  it("passes a group whose rules are all standalone resources", async () => {
    await expectFindings(
      life.securityGroupStandaloneRules,
      [
        res(sg, "tasks", { vpcId: "vpc-1", description: "d" }),
        res("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "tasks-https", {
          securityGroupId: "sg-1",
          ipProtocol: "tcp",
          fromPort: 443,
          toPort: 443,
          cidrIpv4: "0.0.0.0/0",
        }),
      ],
      [],
    );
  });
});

describe("policy: aws-provider-account-guard", () => {
  const provider = (name: string, inputs: Record<string, unknown>) =>
    fakeResource("pulumi:providers:aws", name, { region: "us-east-1", ...inputs });

  it("flags a provider without allowedAccountIds (the old explicit provider) or with an empty list", async () => {
    await expectFindings(
      life.awsProviderAccountGuard,
      [
        provider("aws", { defaultTags: JSON.stringify({ tags: { Environment: "prod" } }) }),
        provider("default_7_48_0", { allowedAccountIds: "[]" }),
      ],
      [
        "AWS provider 'aws' sets no allowedAccountIds: a credential for another account would deploy the stack there.",
        "AWS provider 'default_7_48_0' sets no allowedAccountIds: a credential for another account would deploy " +
          "the stack there.",
      ],
    );
  });

  it("passes a provider guarded to its accounts, as the engine serializes it (JSON) or as a list", async () => {
    await expectFindings(
      life.awsProviderAccountGuard,
      [
        provider("aws", { allowedAccountIds: '["123456789012"]' }),
        provider("aws-us-east-1", { allowedAccountIds: ["123456789012"] }),
      ],
      [],
    );
  });
});
