import * as assert from "assert";
import type { Policies, ResourceValidationPolicy } from "@pulumi/policy";
import { APPLIES_TO, META } from "../../policy/lib/framework";
import { policies } from "../../policy/policies";
import { TAGGABLE } from "../../policy/tagging";
import { fakeProvider, fakeResource, withProvider } from "../helpers/offline";
import { runPolicies } from "../../tools/offline/policy-harness";

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
