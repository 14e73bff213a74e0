import * as assert from "assert";
import type { RegisteredResource } from "../../tools/offline/evaluate";
import { evaluateStack, named, ofType } from "../helpers/offline";

/*
 * Which application tiers reach the database and the cache, per stack, from the whole program (index.ts) as
 * the offline preview evaluates it: a server's standalone ingress rules name the client groups it admits.
 */

const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";

/** The tier each security group id belongs to: the platform's groups by name, EKS's cluster group as "eks". */
function tiers(resources: RegisteredResource[]): Map<string, string> {
  const byId = new Map<string, string>();
  const names: Record<string, string> = {
    "web-tasks-sg": "web",
    "agent-worker-tasks-sg": "worker",
    "db-migrate-sg": "migrate",
  };
  for (const sg of ofType(resources, "aws:ec2/securityGroup:SecurityGroup"))
    if (names[sg.name]) byId.set(String(sg.id), names[sg.name]);
  for (const c of ofType(resources, "aws:eks/cluster:Cluster"))
    byId.set(
      String((c.outputs.vpcConfig as { clusterSecurityGroupId: string }).clusterSecurityGroupId),
      "eks",
    );
  return byId;
}

/** The tiers admitted into `server` (a security group's logical name) on `port`; undefined without it. */
function admitted(resources: RegisteredResource[], server: string, port: number): string[] | undefined {
  const sg = resources.find((r) => r.name === server && r.type === "aws:ec2/securityGroup:SecurityGroup");
  if (!sg) return undefined;
  const tier = tiers(resources);
  return ofType(resources, INGRESS)
    .filter((r) => r.inputs.securityGroupId === sg.id)
    .map((r) => {
      assert.deepStrictEqual([r.inputs.ipProtocol, r.inputs.fromPort, r.inputs.toPort], ["tcp", port, port]);
      return tier.get(String(r.inputs.referencedSecurityGroupId)) ?? `unknown ${r.name}`;
    })
    .sort();
}

const EXPECTED: Record<string, { db?: string[]; cache?: string[] }> = {
  dev: {},
  staging: { db: ["migrate", "web"], cache: ["web"] },
  prod: { db: ["eks", "migrate", "web"], cache: ["eks", "web"] },
};

describe("data stores admit the application tiers that use them, by security group, per stack", function () {
  this.timeout(60_000);

  for (const [stack, want] of Object.entries(EXPECTED)) {
    describe(stack, () => {
      let resources: RegisteredResource[];
      before(async () => ({ resources } = await evaluateStack(stack)));

      it(`the database admits ${want.db?.join(", ") ?? "nothing (there is none)"}`, () => {
        assert.deepStrictEqual(admitted(resources, "db-sg", 5432), want.db);
      });

      it(`the cache admits ${want.cache?.join(", ") ?? "nothing (there is none)"}`, () => {
        assert.deepStrictEqual(admitted(resources, "cache-sg", 6379), want.cache);
      });

      it("every admitted group whose egress the program manages has its way out to the server", () => {
        for (const [server, port] of [
          ["db-sg", 5432],
          ["cache-sg", 6379],
        ] as const) {
          const sg = resources.find((r) => r.name === server);
          if (!sg) continue;
          const tier = tiers(resources);
          const out = ofType(resources, EGRESS)
            .filter((r) => r.inputs.referencedSecurityGroupId === sg.id && r.inputs.fromPort === port)
            .map((r) => tier.get(String(r.inputs.securityGroupId)))
            .sort();
          // EKS's cluster security group lets everything out already.
          assert.deepStrictEqual(
            out,
            admitted(resources, server, port)!.filter((t) => t !== "eks"),
            server,
          );
        }
      });

      if (stack === "prod")
        it("admits the EKS cluster's own security group (the one its managed nodes and pods use)", () => {
          const cluster = named(resources, "eks-cluster");
          // No launch template of the node groups names security groups: EKS puts the cluster group on nodes.
          for (const lt of ofType(resources, "aws:ec2/launchTemplate:LaunchTemplate"))
            assert.strictEqual(lt.inputs.vpcSecurityGroupIds, undefined, lt.name);
          assert.match(
            String((cluster.outputs.vpcConfig as { clusterSecurityGroupId: string }).clusterSecurityGroupId),
            /^sg-/,
          );
        });
    });
  }
});
