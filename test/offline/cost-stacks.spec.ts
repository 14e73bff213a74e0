import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import type { CostEstimate, CostItem } from "../../cost/estimate";
import { StackReport, toJson } from "../../tools/offline/preview";
import { REPO_ROOT } from "../helpers/offline";
import { STACKS, stackReport } from "../helpers/stacks";

/*
 * The project's own stacks: each cost the estimate now counts shows up in exactly the stacks that create it,
 * and each stack's total equals the hand-computed fixture (test/fixtures/cost/stack-totals.json), which is
 * worked out from the price table and the resources each stack declares, not from the estimator.
 */

interface FixtureLine {
  what: string;
  type: string;
  count: number;
  min: string;
  max: string;
  each: [number, number];
}
interface Fixture {
  stacks: Record<string, { minMonthlyUsd: number; maxMonthlyUsd: number; lines: FixtureLine[] }>;
}

const FIXTURE = JSON.parse(
  fs.readFileSync(path.join(REPO_ROOT, "test", "fixtures", "cost", "stack-totals.json"), "utf8"),
) as Fixture;

/** An arithmetic expression of the fixture (numbers, + - * / and parentheses only). */
function arithmetic(expr: string): number {
  assert.match(expr, /^[\d.+\-*/() ]+$/, `not plain arithmetic: ${expr}`);
  return Function(`"use strict"; return (${expr});`)() as number;
}
/** Half up to the cent; the epsilon keeps 27.375 from reading as 27.37499999. */
const cents = (n: number) => Math.round((n + 1e-9) * 100) / 100;
const sum = (ns: number[]) => cents(ns.reduce((t, n) => t + n, 0));

/** Each kind of cost this estimate added, and the stacks that create it (from their Pulumi.<stack>.yaml). */
const NEW_ITEMS: Array<{ kind: string; is: (i: CostItem) => boolean; stacks: string[] }> = [
  {
    kind: "ECS Container Insights metrics",
    is: (i) => i.type === "aws:ecs/cluster:Cluster",
    stacks: ["staging", "prod"], // dev sets serviceContainerInsights: disabled
  },
  {
    kind: "EKS observability add-on (enhanced Container Insights)",
    is: (i) => i.type === "aws:eks/addon:Addon",
    stacks: ["prod"], // the only stack with eksEnabled
  },
  {
    kind: "alarms AWS creates for target-tracking policies",
    is: (i) => i.type === "aws:appautoscaling/policy:Policy" && i.basis === "created-by-aws",
    stacks: ["dev", "staging", "prod"], // every stack runs the web service with CPU and memory tracking
  },
  {
    kind: "the master user secret RDS manages",
    is: (i) => i.type === "aws:rds/instance:Instance" && i.basis === "created-by-aws",
    stacks: ["staging", "prod"], // databaseEnabled
  },
  {
    kind: "Route 53 HTTPS health check, AWS-endpoint to other-endpoint rate",
    is: (i) => i.type === "aws:route53/healthCheck:HealthCheck" && i.maxMonthlyUsd > i.minMonthlyUsd,
    stacks: ["staging", "prod"], // uptimeProbe: route53 (both), dnsHealthCheckEnabled (prod)
  },
  {
    kind: "hosted zone the stack uses but does not create",
    is: (i) => i.basis === "used-not-created",
    stacks: ["prod"], // hostedZoneId
  },
  {
    kind: "KMS key priced by rotation year",
    is: (i) => i.type === "aws:kms/key:Key" && i.maxMonthlyUsd > i.minMonthlyUsd,
    stacks: ["dev", "staging", "prod"],
  },
  {
    kind: "Fargate task on either provider",
    is: (i) => i.type === "aws:ecs/service:Service" && i.maxMonthlyUsd > i.minMonthlyUsd,
    stacks: ["staging"], // dev is all Spot; prod's two tasks are its on-demand base
  },
];

describe("cost estimate of the project's stacks", function () {
  this.timeout(60000);
  const estimates = new Map<string, CostEstimate>();
  const reports: StackReport[] = [];

  before(async () => {
    // The stacks' shared previews (one per test process): the estimate is the one preview:offline prints.
    for (const stack of STACKS) {
      const report = await stackReport(stack);
      reports.push(report);
      estimates.set(stack, report.costEstimate);
    }
  });

  it("keeps the --json contract (costEstimate.monthlyUsd, items) and adds the ends, what moves them and whose cost it is", () => {
    for (const s of toJson(reports).stacks) {
      const e = s.costEstimate;
      assert.deepStrictEqual(
        [typeof e.monthlyUsd, typeof e.minMonthlyUsd, typeof e.maxMonthlyUsd],
        ["number", "number", "number"],
      );
      assert.ok(e.maxMonthlyUsd >= e.monthlyUsd, s.stack);
      for (const i of e.items) {
        for (const field of ["urn", "type", "name", "description", "basis"] as const)
          assert.strictEqual(typeof i[field], "string", `${s.stack} ${i.name} ${field}`);
        assert.deepStrictEqual([i.monthlyUsd, i.minMonthlyUsd <= i.maxMonthlyUsd], [i.minMonthlyUsd, true]);
      }
    }
  });

  for (const item of NEW_ITEMS) {
    it(`counts ${item.kind} in ${item.stacks.join(", ")} only`, () => {
      const found = STACKS.filter((s) => estimates.get(s)!.items.some(item.is));
      assert.deepStrictEqual(found, item.stacks);
    });
  }

  it("says what moves every range, and nothing on fixed items", () => {
    for (const stack of STACKS)
      for (const i of estimates.get(stack)!.items)
        assert.strictEqual(
          i.maxMonthlyUsd > i.minMonthlyUsd,
          i.dependsOn !== undefined,
          `${stack} ${i.name}`,
        );
  });

  it("leaves no type of the stacks without a price model", () => {
    // A new type shows here first: price it, or list it as usage-priced or free in cost/prices.json.
    for (const stack of STACKS)
      assert.deepStrictEqual(
        estimates
          .get(stack)!
          .notEstimated.filter((n) => n.reason.startsWith("no price model"))
          .map((n) => `${n.type} ${n.name}`),
        [],
        stack,
      );
  });

  describe("the hand-computed fixture", () => {
    for (const stack of STACKS) {
      const fixture = FIXTURE.stacks[stack];

      it(`${stack}: each line's expression gives its stated figure, and the lines add up to the stated total`, () => {
        for (const l of fixture.lines) {
          assert.deepStrictEqual([cents(arithmetic(l.min)), cents(arithmetic(l.max))], l.each, l.what);
        }
        assert.deepStrictEqual(
          [
            sum(fixture.lines.map((l) => l.count * l.each[0])),
            sum(fixture.lines.map((l) => l.count * l.each[1])),
          ],
          [fixture.minMonthlyUsd, fixture.maxMonthlyUsd],
        );
      });

      it(`${stack}: the estimate's low and high end match it, type by type`, () => {
        const estimate = estimates.get(stack)!;
        const byType = (rows: Array<{ type: string; min: number; max: number }>) => {
          const totals = new Map<string, [number, number]>();
          for (const r of rows) {
            const [min, max] = totals.get(r.type) ?? [0, 0];
            totals.set(r.type, [cents(min + r.min), cents(max + r.max)]);
          }
          return Object.fromEntries([...totals].sort((a, b) => a[0].localeCompare(b[0])));
        };
        assert.deepStrictEqual(
          byType(estimate.items.map((i) => ({ type: i.type, min: i.minMonthlyUsd, max: i.maxMonthlyUsd }))),
          byType(
            fixture.lines.map((l) => ({ type: l.type, min: l.count * l.each[0], max: l.count * l.each[1] })),
          ),
        );
        assert.deepStrictEqual(
          [estimate.monthlyUsd, estimate.minMonthlyUsd, estimate.maxMonthlyUsd],
          [fixture.minMonthlyUsd, fixture.minMonthlyUsd, fixture.maxMonthlyUsd],
        );
      });
    }
  });
});
