import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { BUDGET_TAG_KEY } from "../../components/observability-args";
import { parseYaml } from "../../lib/yaml";
import { listStacks } from "../../tools/offline/stack-files";
import { configIssues, K, loadStack } from "../helpers/config";
import { REPO_ROOT } from "../helpers/offline";

/*
 * Settings AWS keeps once per account (cost allocation tags) or per account and region (API Gateway's
 * CloudWatch role): exactly one stack owns each, or stacks overwrite each other and destroying one breaks the
 * rest. A stack's config cannot see the others, so these rules are checked across the stack files, grouped
 * by the accounts each stack may deploy to (allowedAccountIds).
 */

const stacks = listStacks(REPO_ROOT).map((name) => ({ name, config: loadStack(name) }));

/** Stack names per account (and region, when given), of the stacks for which `owns` holds. */
function owners(owns: (c: (typeof stacks)[number]["config"]) => boolean, byRegion: boolean) {
  const groups = new Map<string, { all: string[]; owners: string[] }>();
  for (const { name, config } of stacks)
    for (const account of config.allowedAccountIds) {
      const key = byRegion ? `${account} ${config.region}` : account;
      const g = groups.get(key) ?? { all: [], owners: [] };
      g.all.push(name);
      if (owns(config)) g.owners.push(name);
      groups.set(key, g);
    }
  return Object.fromEntries([...groups].map(([k, g]) => [k, g.owners]));
}

describe("account-wide settings: one owning stack each", () => {
  it("API Gateway's CloudWatch role: exactly one stack per account and region (staging) manages it", () => {
    assert.deepStrictEqual(
      owners((c) => c.api.manageAccountLogsRole, true),
      { "991551400024 us-east-1": ["staging"] },
    );
  });

  it("cost allocation tags: exactly one stack per account (staging) activates them", () => {
    assert.deepStrictEqual(
      owners((c) => c.observability.activateCostAllocationTags, false),
      { "991551400024": ["staging"] },
    );
  });

  it("every stack declares the same activated keys, and they hold the budget's filter key", () => {
    for (const { name, config } of stacks) {
      assert.deepStrictEqual(
        config.observability.costAllocationTagKeys,
        ["Environment", "Project", "Owner", "Function"],
        name,
      );
      assert.ok(config.observability.costAllocationTagKeys.includes(BUDGET_TAG_KEY), name);
    }
  });

  it("the review stack template owns neither: every review stack copies its config", () => {
    const deploy = parseYaml(fs.readFileSync(path.join(REPO_ROOT, "deploy", "Pulumi.yaml"), "utf8")) as {
      config: Record<string, { default?: unknown }>;
    };
    const settings = parseYaml(
      fs.readFileSync(path.join(REPO_ROOT, "deploy", "Pulumi.settings.yaml"), "utf8"),
    ) as {
      config: Record<string, unknown>;
    };
    const template = String(
      settings.config["agent-platform-cloud:reviewStackTemplate"] ??
        deploy.config.reviewStackTemplate.default,
    );
    const config = loadStack(template);
    assert.deepStrictEqual(
      [template, config.api.manageAccountLogsRole, config.observability.activateCostAllocationTags],
      ["dev", false, false],
    );
  });

  it("refuses a budget whose tag filter is not among the activated keys", () => {
    assert.deepStrictEqual(configIssues("dev", { [K("costAllocationTagKeys")]: '["Project","Owner"]' }), [
      'agent-platform:costAllocationTagKeys = ["Project","Owner"]: must include Environment: the budget and the ' +
        "cost anomaly monitor filter on the Environment tag, and AWS filters only on activated cost allocation " +
        "tags (without it the budget sees $0 and never alerts)",
    ]);
    assert.deepStrictEqual(configIssues("dev", { [K("costAllocationTagKeys")]: "[]" }).length, 1);
  });
});
