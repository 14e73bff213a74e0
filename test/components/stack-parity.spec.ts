import * as assert from "assert";
import * as path from "path";
import type { RegisteredResource } from "../../tools/offline/evaluate";
import { readStack } from "../../tools/offline/stack-files";
import { stackAccount } from "../../tools/offline/preview";
import { evaluate, REPO_ROOT } from "../helpers/offline";
import { stackEvaluation } from "../helpers/stacks";

/*
 * "dev and prod differ only where config says".
 *
 * The program's inputs are its config and its stack name; nothing else differs between two stacks. So if the
 * stack name changes nothing, every difference between dev and prod comes from a config key. This spec
 * evaluates the whole program (index.ts, under the offline mocks) for each real stack with its own config,
 * then again under a stand-in stack name with exactly that config, and asserts that every resource (type,
 * logical name, parent, provider, protect, and every input) is identical once the stand-in name is written
 * back as the real one. A `stack === "prod"` (or "dev") branch anywhere in the program, a component or a
 * config reader makes the real stack differ from its stand-in and fails here, naming the resources.
 *
 * The stand-in names have the real names' length (pr0d, d3v, st4ging), so names built from the stack keep
 * their length limits, and occur nowhere else, so writing them back is exact. The mocks derive ids from
 * types and logical names, never from the stack, so outputs that feed other inputs are comparable. One
 * thing cannot be written back: a `triggers` value that is a SHA-256 of other inputs (the API deployment
 * hashes its OpenAPI body, which names stack-scoped functions). Such a hash is compared as "a hash": what it
 * hashes is itself an input of the same or another resource, and compared there.
 */

const STAND_INS: Record<string, string> = { dev: "d3v", staging: "st4ging", prod: "pr0d" };

function withoutTriggerHashes(inputs: Record<string, unknown>): Record<string, unknown> {
  const triggers = inputs.triggers as Record<string, unknown> | undefined;
  if (!triggers || typeof triggers !== "object") return inputs;
  const hashed = (v: unknown) => (typeof v === "string" && /^[0-9a-f]{64}$/.test(v) ? "<sha256>" : v);
  return {
    ...inputs,
    triggers: Object.fromEntries(Object.entries(triggers).map(([k, v]) => [k, hashed(v)])),
  };
}

/** Every resource as "type name (parent)" -> what must not depend on the stack name. */
function fingerprint(resources: RegisteredResource[], from?: { standIn: string; stack: string }) {
  const write = (s: string) => (from ? s.split(from.standIn).join(from.stack) : s);
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const shapes = new Map<string, string>();
  for (const r of resources) {
    const parent = r.parent ? byUrn.get(r.parent)?.name : undefined;
    const key = write(`${r.type} ${r.name}${parent ? ` (${parent})` : ""}`);
    const value = write(
      JSON.stringify({
        inputs: withoutTriggerHashes(r.inputs),
        protect: r.options.protect,
        provider: r.provider ? r.provider.split("::").slice(-2, -1)[0] : undefined,
      }),
    );
    assert.ok(!shapes.has(key), `two resources share ${key}`);
    shapes.set(key, value);
  }
  return shapes;
}

function differences(a: Map<string, string>, b: Map<string, string>): string[] {
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  return keys
    .filter((k) => a.get(k) !== b.get(k))
    .map((k) => (!a.has(k) || !b.has(k) ? `only in one: ${k}` : k));
}

describe("stacks differ only where config says", function () {
  this.timeout(240000);
  const program = path.join(REPO_ROOT, "index.ts");

  for (const stack of Object.keys(STAND_INS)) {
    it(`${stack}: the program under another stack name, with ${stack}'s config, registers the same resources`, async () => {
      const input = readStack(REPO_ROOT, stack);
      const run = (name: string) =>
        evaluate(program, {
          stack: name,
          config: input.config,
          secretKeys: input.secretKeys,
          region: input.region,
          accountId: stackAccount(input.config),
        });
      const real = fingerprint((await stackEvaluation(stack)).resources);
      const standIn = STAND_INS[stack];
      const other = fingerprint((await run(standIn)).resources, { standIn, stack });
      assert.ok(real.size > 50, `${stack} registered only ${real.size} resources`);
      assert.deepStrictEqual(differences(real, other), []);
    });
  }

  it("the comparison sees a difference the stack name makes (a stack-name branch would fail above)", () => {
    const r = (name: string, inputs: Record<string, unknown>) =>
      ({
        urn: `u-${name}`,
        type: "aws:s3/bucket:Bucket",
        name,
        inputs,
        options: { protect: false },
      }) as RegisteredResource;
    const prod = fingerprint([r("site", { forceDestroy: false, bucket: "agent-platform-prod-site" })]);
    const same = fingerprint([r("site", { forceDestroy: false, bucket: "agent-platform-pr0d-site" })], {
      standIn: "pr0d",
      stack: "prod",
    });
    const branched = fingerprint([r("site", { forceDestroy: true, bucket: "agent-platform-pr0d-site" })], {
      standIn: "pr0d",
      stack: "prod",
    });
    assert.deepStrictEqual(differences(prod, same), []);
    assert.deepStrictEqual(differences(prod, branched), ["aws:s3/bucket:Bucket site"]);
  });
});
