import * as assert from "assert";
import type { Policies } from "@pulumi/policy";
import { policies as pack } from "../../policy/policies";
import { PackConfig, PackConfigError, resolvePackConfig } from "../../tools/offline/pack-config";

/*
 * The pack config checked as the Pulumi CLI checks it before a run (pkg/resource/analyzer/config.go): every
 * keyword of each property's JSON schema, the reconciled values (defaults included), and names the CLI
 * accepts and ignores reported as warnings.
 */

const POLICIES: Policies = [
  {
    name: "tags",
    description: "Tags.",
    enforcementLevel: "mandatory",
    configSchema: {
      properties: {
        keys: { type: "array", items: { type: "string", minLength: 1 }, minItems: 1, default: ["Owner"] },
        mode: { type: "string", enum: ["strict", "loose"], default: "strict" },
        limits: {
          type: "object",
          properties: { max: { type: "integer", maximum: 50 } },
          required: ["max"],
          additionalProperties: false,
        },
      },
    },
    validateResource: () => undefined,
  },
  {
    name: "plain",
    description: "No schema.",
    validateResource: () => undefined,
  },
];

function resolve(config: PackConfig) {
  return resolvePackConfig(POLICIES, { enforcementLevel: "advisory", config });
}

function problems(config: PackConfig): string[] {
  try {
    resolve(config);
  } catch (e) {
    assert.ok(e instanceof PackConfigError, String(e));
    return e.message
      .split("\n")
      .slice(1)
      .map((l) => l.replace(/^ {2}- /, ""));
  }
  return [];
}

describe("pack config, checked as the CLI checks it", () => {
  it("applies schema defaults, then `all`, then each policy's own level and properties", () => {
    const r = resolve({ all: "disabled", tags: { enforcementLevel: "mandatory", mode: "loose" } });
    assert.deepStrictEqual(
      r.policies.map((p) => [p.policy.name, p.level, p.values]),
      [
        ["tags", "mandatory", { keys: ["Owner"], mode: "loose" }],
        ["plain", "disabled", {}],
      ],
    );
    assert.deepStrictEqual(resolve({}).policies[1].level, "advisory");
  });

  it("refuses what a property's schema refuses, nested keywords included, naming key, value and rule", () => {
    assert.deepStrictEqual(
      problems({ tags: { keys: ["Owner", ""], mode: "lax", limits: { max: 80, min: 1 } } }),
      [
        'tags.keys[1] = "": must NOT have fewer than 1 characters',
        'tags.mode = "lax": must be equal to one of the allowed values ("strict", "loose")',
        'tags.limits = {"max":80,"min":1}: must NOT have additional properties',
        "tags.limits.max = 80: must be <= 50",
      ],
    );
    assert.deepStrictEqual(problems({ tags: { limits: {} } }), [
      "tags.limits.max = (not set): is required by the policy's configSchema",
    ]);
    assert.deepStrictEqual(problems({ tags: { keys: [] } }), [
      "tags.keys = []: must NOT have fewer than 1 items",
    ]);
  });

  it("refuses enforcement levels the CLI does not know, and values that are neither a level nor an object", () => {
    assert.deepStrictEqual(
      problems({ tags: "warn" as never, plain: { enforcementLevel: 1 } as never, all: [] as never }),
      [
        'tags.enforcementLevel = "warn": must be one of advisory, mandatory, remediate, disabled',
        "plain.enforcementLevel = 1: must be one of advisory, mandatory, remediate, disabled",
        "all = []: must be an enforcement level or an object",
      ],
    );
  });

  it("warns, and does not fail, on a policy name the pack does not have and a setting no schema names", () => {
    const r = resolve({ tagz: "mandatory", tags: { colour: "red" } });
    assert.deepStrictEqual(r.warnings, [
      "tagz: no policy of that name in the pack (the CLI accepts the entry and ignores it)",
      "tags.colour: the policy has no such setting (the CLI passes it on unread)",
    ]);
    assert.deepStrictEqual(r.policies[0].values, { keys: ["Owner"], mode: "strict", colour: "red" });
  });

  it("refuses an exemption of the project's pack with an empty reason", () => {
    assert.throws(
      () =>
        resolvePackConfig(pack, {
          enforcementLevel: "mandatory",
          config: { "sns-topic-encryption": { exemptions: [{ resource: "feed", reason: "" }] } },
        }),
      /sns-topic-encryption\.exemptions\[0\]\.reason = "": must NOT have fewer than 1 characters/,
    );
  });
});
