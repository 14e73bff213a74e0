import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { deployRun, deploySummary, putMetricDataInput } from "../../tools/deploy-time";
import { REPO_ROOT } from "../helpers/offline";

/*
 * The deploy workflow's clock: the job summary line and the metric the deploy-time alarm watches, from the
 * times around `pulumi up` and the stack output that says where to record them.
 */

const metric = {
  namespace: "agent-platform/deploys",
  metricName: "UpdateDuration",
  dimensions: { Stack: "dev" },
  targetSeconds: 300,
};
const args = (over: Record<string, string> = {}) => ({
  stack: "dev",
  started: "1796500000",
  finished: "1796500192",
  outcome: "success",
  metric: JSON.stringify(metric),
  "metric-data": "x",
  ...over,
});

describe("tools/deploy-time", () => {
  it("summarises an update against its target, for the job summary", () => {
    assert.strictEqual(
      deploySummary(deployRun(args())),
      "### Deploy time: dev\n\n| pulumi up | outcome | target | within target |\n| --- | --- | --- | --- |\n" +
        "| 3 min 12 s | success | 5 min 0 s | yes |\n",
    );
    assert.match(
      deploySummary(deployRun(args({ finished: "1796500420" }))),
      /\| 7 min 0 s \| success \| 5 min 0 s \| \*\*no\*\* \|/,
    );
    // A failed first update has no stack output yet: the time is still reported.
    assert.match(
      deploySummary(deployRun(args({ outcome: "failure", metric: "null", finished: "1796500045" }))),
      /\| 45 s \| failure \| unknown \| — \|/,
    );
  });

  it("records a successful update's seconds where the stack output says, and nothing for a failed one", () => {
    assert.deepStrictEqual(putMetricDataInput(deployRun(args())), {
      Namespace: "agent-platform/deploys",
      MetricData: [
        {
          MetricName: "UpdateDuration",
          Dimensions: [{ Name: "Stack", Value: "dev" }],
          Timestamp: "2026-12-05T19:49:52.000Z",
          Value: 192,
          Unit: "Seconds",
        },
      ],
    });
    assert.strictEqual(putMetricDataInput(deployRun(args({ outcome: "failure" }))), undefined);
    assert.strictEqual(putMetricDataInput(deployRun(args({ metric: "null" }))), undefined);
  });

  it("names every bad argument", () => {
    assert.throws(
      () => deployRun(args({ started: "soon", outcome: "maybe", metric: '{"namespace":"x"}' })),
      new RegExp(
        "^Error: --started soon is not epoch seconds; --outcome maybe is not one of success, failure, cancelled, " +
          'skipped; --metric \\{"namespace":"x"\\} is not the deployTimeMetric stack output',
      ),
    );
    assert.throws(
      () => deployRun(args({ finished: "1796499999" })),
      /--finished 1796499999 is before --started 1796500000/,
    );
    assert.throws(() => deployRun(args({ stack: "prod" })), /--metric is stack dev's output, not prod's/);
  });

  it("runs as the workflow runs it: summary on stdout, PutMetricData input in the file, exit 2 on bad input", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "deploy-time-"));
    const file = path.join(dir, "deploy-time.json");
    const run = (a: Record<string, string>) =>
      spawnSync(
        process.execPath,
        [
          "-r",
          "./tools/register-ts.js",
          "tools/deploy-time.ts",
          ...Object.entries(a).flatMap(([k, v]) => [`--${k}`, v]),
        ],
        { cwd: REPO_ROOT, encoding: "utf8" },
      );
    const ok = run(args({ "metric-data": file }));
    assert.strictEqual(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /^### Deploy time: dev/);
    assert.strictEqual(JSON.parse(fs.readFileSync(file, "utf8")).MetricData[0].Value, 192);
    const failed = run(args({ "metric-data": file, outcome: "failure" }));
    assert.strictEqual(failed.status, 0, failed.stderr);
    assert.strictEqual(fs.readFileSync(file, "utf8"), "", "no metric for a failed update");
    const bad = run(args({ "metric-data": file, started: "x" }));
    assert.strictEqual(bad.status, 2);
    assert.match(bad.stderr, /^deploy-time: --started x is not epoch seconds/);
    fs.rmSync(dir, { recursive: true });
  });
});
