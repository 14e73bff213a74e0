import * as assert from "assert";
import type { RegisteredResource } from "../../tools/offline/evaluate";
import { named, ofType } from "../helpers/offline";
import { STACKS, stackEvaluation } from "../helpers/stacks";

/*
 * Observability holds in every stack, whatever components it switches on. The whole program is
 * evaluated for each stack file, and then:
 *  - every CloudWatch log group has a retention (none keeps logs forever);
 *  - every Lambda function traces to X-Ray (tracingConfig.mode Active), and so does every API Gateway REST
 *    stage (xrayTracingEnabled); HTTP and WebSocket stages (apigatewayv2) cannot trace, AWS offers no X-Ray
 *    for them, so they are not asked to. Stages are checked wherever they exist, so an API added later is
 *    covered the day it lands;
 *  - every metric or composite alarm notifies the stack's alerts topic (observability-alerts) on ALARM.
 * Counts are asserted too, so a stack that registered nothing cannot pass by having nothing to check.
 */

const list = (r: RegisteredResource, what: string) => `${what}: ${r.name} (${r.type.split(":").pop()})`;

describe("observability coverage in every stack", function () {
  this.timeout(180000);
  const evaluations = new Map<string, RegisteredResource[]>();

  before(async () => {
    for (const stack of STACKS) evaluations.set(stack, (await stackEvaluation(stack)).resources);
  });

  for (const stack of STACKS) {
    describe(stack, () => {
      const resources = () => evaluations.get(stack)!;

      it("keeps every log group for a limited number of days", () => {
        const groups = ofType(resources(), "aws:cloudwatch/logGroup:LogGroup");
        assert.ok(groups.length >= 3, `${stack} has only ${groups.length} log groups`);
        const forever = groups.filter(
          (g) => typeof g.inputs.retentionInDays !== "number" || (g.inputs.retentionInDays as number) <= 0,
        );
        assert.deepStrictEqual(
          forever.map((g) => list(g, "no retention")),
          [],
        );
      });

      it("traces every Lambda function and every REST API stage with X-Ray", () => {
        const functions = ofType(resources(), "aws:lambda/function:Function");
        assert.ok(functions.length >= 2, `${stack} has only ${functions.length} functions`);
        const untraced = [
          ...functions.filter(
            (f) => (f.inputs.tracingConfig as { mode?: string } | undefined)?.mode !== "Active",
          ),
          ...ofType(resources(), "aws:apigateway/stage:Stage").filter(
            (s) => s.inputs.xrayTracingEnabled !== true,
          ),
        ];
        assert.deepStrictEqual(
          untraced.map((r) => list(r, "not traced")),
          [],
        );
      });

      it("sends every alarm to the alerts topic", () => {
        const topicArn = named(resources(), "observability-alerts").outputs.arn;
        assert.match(String(topicArn), /^arn:aws:sns:us-east-1:\d{12}:/);
        const alarms = [
          ...ofType(resources(), "aws:cloudwatch/metricAlarm:MetricAlarm"),
          ...ofType(resources(), "aws:cloudwatch/compositeAlarm:CompositeAlarm"),
        ];
        assert.ok(alarms.length >= 10, `${stack} has only ${alarms.length} alarms`);
        // Alarms whose only actions are this stack's Auto Scaling policies trigger scaling (the agent worker's
        // backlog, from zero); they are not pages.
        const policies = ofType(resources(), "aws:appautoscaling/policy:Policy").map((p) => p.outputs.arn);
        const scaling = (a: RegisteredResource) => {
          const actions = (a.inputs.alarmActions as unknown[] | undefined) ?? [];
          return actions.length > 0 && actions.every((x) => policies.includes(x));
        };
        const silent = alarms.filter(
          (a) =>
            !scaling(a) &&
            (!Array.isArray(a.inputs.alarmActions) ||
              !(a.inputs.alarmActions as unknown[]).includes(topicArn)),
        );
        assert.deepStrictEqual(
          silent.map((a) => list(a, "does not notify the alerts topic")),
          [],
        );
      });
    });
  }
});
