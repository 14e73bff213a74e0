import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { scanAliasGroups } from "../../policy/lib/aliases";
import { META } from "../../policy/lib/framework";
import { K } from "../../policy/lib/kinds";
import { policies } from "../../policy/policies";
import { withTables } from "../../policy/lib/readme";
import { resolvePackConfig } from "../../tools/offline/policy-harness";
import { expectFindings, res } from "./helpers";
import { lbAccessLogs } from "../../policy/logging";
import { s3BucketEncryption } from "../../policy/encryption";

const README = fs.readFileSync(path.join(__dirname, "..", "..", "policy", "README.md"), "utf8");

describe("policy pack: metadata", () => {
  it("registers every policy built with the framework, once, under a kebab-case name", () => {
    assert.deepStrictEqual([...META.keys()].sort(), policies.map((p) => p.name).sort());
    assert.strictEqual(new Set(policies.map((p) => p.name)).size, policies.length);
    for (const p of policies) assert.match(p.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it("gives every policy a description, level, severity, remediation, tags and a valid configSchema", () => {
    for (const p of policies) {
      const meta = META.get(p.name)!;
      assert.match(p.description, /^[A-Z].*\.$/, p.name);
      assert.ok(p.enforcementLevel === "mandatory" || p.enforcementLevel === "advisory", p.name);
      assert.ok(p.severity, p.name);
      assert.ok((p.remediationSteps ?? "").length > 20, p.name);
      assert.ok(p.tags?.includes(meta.domain), p.name);
      assert.ok(!("enforcementLevel" in (p.configSchema?.properties ?? {})), p.name);
      assert.ok(p.configSchema?.properties.exemptions, `${p.name} has no exemptions knob`);
    }
    // The defaults satisfy the schemas, as the CLI checks before a run.
    resolvePackConfig(policies, { enforcementLevel: "mandatory", config: {} });
  });

  it("names each anchor id once in the policy's tags (checkov / cdk-nag / CIS / AWSGuard / Pulumi)", () => {
    for (const p of policies) {
      const refs = (p.tags ?? []).filter((t) => t.includes(":"));
      assert.strictEqual(new Set(refs).size, refs.length, p.name);
    }
  });

  it("policy/README.md holds the generated policy and knob tables (npx ts-node policy/lib/readme.ts)", () => {
    // Compared cell by cell, so a Markdown formatter's column alignment does not matter.
    const norm = (s: string) => s.replace(/[ \t]*\|[ \t]*/g, "|").replace(/\|-{3,}/g, "|---");
    assert.strictEqual(norm(README), norm(withTables(README, policies)));
  });

  it("says in policy/README.md what every policy checks beyond its anchors, and only for the pack's policies", () => {
    const section = README.slice(
      README.indexOf("## Beyond the anchors"),
      README.indexOf("## Accepted advisories"),
    );
    const entries = [...section.matchAll(/^- \*\*`([a-z0-9-]+)`\*\*: (.+)$/gm)];
    assert.deepStrictEqual(
      entries.map((m) => m[1]),
      policies.map((p) => p.name),
    );
    for (const m of entries)
      assert.ok(m[2].trim().length > 20, `${m[1]}: say what it checks beyond the anchors`);
  });

  it("lists every policy in policy/README.md with its level and domain", () => {
    for (const p of policies) {
      const row = README.split("\n")
        .map((l) => l.replace(/[ \t]*\|[ \t]*/g, " | ").trim())
        .find((l) => l.startsWith(`| \`${p.name}\` |`));
      assert.ok(row, `${p.name} is missing from the README table`);
      assert.ok(row!.includes(`| ${p.enforcementLevel} |`), `${p.name}: README level differs`);
      assert.ok(row!.includes(`| ${META.get(p.name)!.domain} |`), `${p.name}: README domain differs`);
    }
  });
});

describe("policy pack: type aliases", () => {
  const groups = scanAliasGroups();

  it("finds the alias groups @pulumi/aws declares (load balancers, v7 S3)", () => {
    const lb = groups.find((g) => g.includes("aws:lb/loadBalancer:LoadBalancer"));
    assert.deepStrictEqual(lb, [
      "aws:alb/loadBalancer:LoadBalancer",
      "aws:applicationloadbalancing/loadBalancer:LoadBalancer",
      "aws:elasticloadbalancingv2/loadBalancer:LoadBalancer",
      "aws:lb/loadBalancer:LoadBalancer",
    ]);
    assert.ok(groups.some((g) => g.join() === "aws:s3/bucket:Bucket,aws:s3/bucketV2:BucketV2"));
    assert.ok(
      groups.some(
        (g) =>
          g.join() ===
          "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration," +
            "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
      ),
    );
  });

  it("every policy that checks one token of a resource checks all its aliases", () => {
    const gaps: string[] = [];
    for (const [name, meta] of META) {
      const covered = new Set(meta.kinds.flatMap((k) => [...k.types]));
      for (const g of groups) {
        const hit = g.filter((t) => covered.has(t));
        if (hit.length > 0 && hit.length < g.length)
          gaps.push(
            `${name} checks ${hit.join(", ")} but not ${g.filter((t) => !covered.has(t)).join(", ")}`,
          );
      }
    }
    assert.deepStrictEqual(gaps, []);
  });

  it("every kind's classes exist in @pulumi/aws under the expected tokens", () => {
    assert.deepStrictEqual([...K.listener.types].sort(), [
      "aws:alb/listener:Listener",
      "aws:applicationloadbalancing/listener:Listener",
      "aws:elasticloadbalancingv2/listener:Listener",
      "aws:lb/listener:Listener",
    ]);
  });

  it("really checks each alias token (not only declares it)", async () => {
    for (const type of K.loadBalancer.types) {
      await expectFindings(
        lbAccessLogs,
        [res(type, "lb", {})],
        ["load balancer 'lb' does not write access logs (accessLogs.enabled with a bucket)."],
      );
    }
    for (const type of K.bucket.types) {
      await expectFindings(
        s3BucketEncryption,
        [res(type, "b", { bucket: "b-1" })],
        ["S3 bucket 'b' declares no default encryption (add a BucketServerSideEncryptionConfiguration)."],
      );
    }
  });
});
