import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Policies, ResourceValidationPolicy } from "@pulumi/policy";
import { APPLIES_TO, META } from "../../policy/lib/framework";
import { policies } from "../../policy/policies";
import { TAGGABLE } from "../../policy/tagging";
import { fakeProvider, fakeResource, REPO_ROOT, withProvider } from "../helpers/offline";
import { loadPack } from "../../tools/offline/preview";
import { runPolicies } from "../../tools/offline/policy-harness";

/**
 * A project root whose policy/ has its own node_modules/@pulumi/policy (a copy, as `npm ci --prefix policy`
 * installs one) and one policy that stops on a value unknown during preview, as the pack's checks do: by
 * throwing the UnknownValueError of the @pulumi/policy it imports.
 */
function projectWithOwnPolicySdk(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "own-policy-sdk-"));
  const modules = path.join(root, "policy", "node_modules");
  fs.cpSync(
    path.join(REPO_ROOT, "node_modules", "@pulumi", "policy"),
    path.join(modules, "@pulumi", "policy"),
    {
      recursive: true,
    },
  );
  for (const dep of ["@pulumi/pulumi", "@grpc/grpc-js", "google-protobuf"]) {
    fs.mkdirSync(path.dirname(path.join(modules, dep)), { recursive: true });
    fs.symlinkSync(path.join(REPO_ROOT, "node_modules", dep), path.join(modules, dep));
  }
  const write = (file: string, text: string) => fs.writeFileSync(path.join(root, "policy", file), text);
  write("package.json", JSON.stringify({ name: "own-sdk-pack", version: "0.0.2" }));
  write("pack.js", 'exports.PACK_NAME = "own-sdk-pack"; exports.PACK_ENFORCEMENT_LEVEL = "mandatory";');
  write(
    "policies.js",
    `const { UnknownValueError } = require("@pulumi/policy");
exports.policies = [{
  name: "reads-arn",
  description: "Reads an ARN.",
  validateResource: (args) => {
    throw new UnknownValueError("04da6b54-80e4-46f7-96ec-b56ff0331ba9", ["arn"]);
  },
}];`,
  );
  return root;
}

const PACK = { name: "agent-platform-guard", version: "0.0.1", enforcementLevel: "mandatory" as const };

/** The pack with every validateResource unmarked: the harness then calls each policy for every resource. */
function unmarked(list: Policies): Policies {
  return list.map((p) => {
    if (!("validateResource" in p) || !p.validateResource) return p;
    const v = p.validateResource;
    const strip = (fn: typeof v & object) =>
      ((args: never, report: never) =>
        (fn as never as (a: never, r: never) => unknown)(args, report)) as never;
    return { ...p, validateResource: Array.isArray(v) ? v.map(strip) : strip(v) } as ResourceValidationPolicy;
  });
}

describe("offline policy harness", () => {
  it("runs a pack with its own @pulumi/policy on that copy: its unknown values become the SDK's advisory", async () => {
    const root = projectWithOwnPolicySdk();
    try {
      const pack = loadPack(root);
      const violations = await runPolicies(
        pack.policies,
        [fakeResource("aws:sns/topic:Topic", "t", {})],
        pack,
      );
      assert.deepStrictEqual(
        violations.map((v) => [v.policy, v.enforcementLevel, v.name, v.message]),
        [
          [
            "reads-arn",
            "advisory",
            "t",
            "can't run policy 'reads-arn' from policy pack 'own-sdk-pack@v0.0.2' during preview: string value at .arn can't be known during preview",
          ],
        ],
      );
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it("marks every resource policy of the pack with the types it examines", () => {
    for (const p of policies) {
      if (!("validateResource" in p)) continue;
      const appliesTo = (p.validateResource as unknown as Record<string, unknown>)[APPLIES_TO];
      assert.strictEqual(typeof appliesTo, "function", p.name);
    }
  });

  it("reports the same findings calling each policy only for its types as calling every policy for all", async function () {
    this.timeout(20000);
    // One bare resource of every type a policy examines (the taggable set aside: it is every taggable type),
    // and types none examines: bare inputs break most checks, so both runs have many findings to compare.
    const types = new Set<string>();
    for (const meta of META.values())
      for (const k of meta.kinds) if (k !== TAGGABLE) for (const t of k.types) types.add(t);
    types.add("aws:ssm/parameter:Parameter");
    types.add("random:index/randomId:RandomId");
    const provider = fakeProvider({ region: "us-east-1" });
    const resources = [
      provider,
      ...[...types].map((t, i) => withProvider(fakeResource(t, `r${i}`, {}), provider)),
    ];
    const filtered = await runPolicies(policies, resources, PACK);
    const everyPolicy = await runPolicies(unmarked(policies), resources, PACK);
    assert.ok(filtered.length > 100, `only ${filtered.length} findings`);
    assert.ok(new Set(filtered.map((v) => v.policy)).size > 30);
    assert.deepStrictEqual(filtered, everyPolicy);
  });
});
