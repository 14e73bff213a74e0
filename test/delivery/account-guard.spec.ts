import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parseYaml } from "../../lib/yaml";
import { awsProviderAccountGuard } from "../../policy/lifecycle";
import type { RegisteredResource } from "../../tools/offline/evaluate";
import { listStacks } from "../../tools/offline/stack-files";
import { loadStack } from "../helpers/config";
import { check, evaluateStack, ofType, REPO_ROOT } from "../helpers/offline";

/*
 * The account guard end to end: each stack's ESC environment names its account, every AWS provider of the
 * program carries it, and the roles the deployers assume (GitHub Actions through `<stack>-aws`, Pulumi
 * Deployments through deploy/Pulumi.settings.yaml) live in that account, so the guard passes the right
 * credential and stops any other.
 */

const ESC = path.join(REPO_ROOT, "deploy", "esc", "agent-platform");
const accountOf = (roleArn: string) => /^arn:aws[\w-]*:iam::(\d{12}):role\//.exec(roleArn)?.[1];

describe("account guard (allowedAccountIds)", function () {
  this.timeout(60_000);
  const stacks = listStacks(REPO_ROOT);

  it("is set for every stack by its ESC environment, not by the stack file", () => {
    for (const stack of stacks) {
      const esc = parseYaml(fs.readFileSync(path.join(ESC, `${stack}.yaml`), "utf8")) as {
        values: { pulumiConfig: Record<string, unknown> };
      };
      assert.deepStrictEqual(
        esc.values.pulumiConfig["agent-platform:allowedAccountIds"],
        loadStack(stack).allowedAccountIds,
        stack,
      );
      const stackFile = fs.readFileSync(path.join(REPO_ROOT, `Pulumi.${stack}.yaml`), "utf8");
      assert.ok(!stackFile.includes("allowedAccountIds"), stack);
    }
  });

  it("admits the accounts of the roles each stack's deployers assume", () => {
    const settings = parseYaml(
      fs.readFileSync(path.join(REPO_ROOT, "deploy", "Pulumi.settings.yaml"), "utf8"),
    ) as {
      config: Record<string, Record<string, { awsRoleArn: string }>>;
    };
    for (const stack of stacks) {
      const allowed = loadStack(stack).allowedAccountIds;
      const login = fs.readFileSync(path.join(ESC, `${stack}-aws.yaml`), "utf8");
      const escRole = /roleArn: (\S+)/.exec(login)![1];
      const deployRole = settings.config["agent-platform-cloud:stacks"][stack].awsRoleArn;
      for (const role of [escRole, deployRole])
        assert.ok(allowed.includes(accountOf(role)!), `${stack}: ${role} is outside ${allowed.join(", ")}`);
    }
  });

  describe("prod program (four AWS providers: the stack's, us-east-1, the backup and replica regions)", () => {
    let resources: RegisteredResource[];
    before(async () => ({ resources } = await evaluateStack("prod")));

    it("guards every AWS provider with the stack's accounts, and the pack passes them", async () => {
      const providers = ofType(resources, "pulumi:providers:aws");
      assert.deepStrictEqual(providers.map((p) => p.name).sort(), [
        "aws",
        "aws-backup-copy",
        "aws-us-east-1",
        "aws-us-west-2",
      ]);
      for (const p of providers)
        assert.deepStrictEqual(JSON.parse(p.inputs.allowedAccountIds as string), ["991551400024"], p.name);
      assert.deepStrictEqual(await check(awsProviderAccountGuard, providers), []);
    });

    it("the pack refuses the same providers without the guard (the program before it)", async () => {
      const unguarded = ofType(resources, "pulumi:providers:aws").map((p) => {
        const { allowedAccountIds: _dropped, ...inputs } = p.inputs;
        return { ...p, inputs, outputs: inputs };
      });
      const found = await check(awsProviderAccountGuard, unguarded);
      assert.deepStrictEqual(found.map((v) => v.name).sort(), [
        "aws",
        "aws-backup-copy",
        "aws-us-east-1",
        "aws-us-west-2",
      ]);
      assert.ok(found.every((v) => v.enforcementLevel === "mandatory"));
    });
  });
});
