import * as assert from "assert";
import { backlogSteps, MAX_STEPS } from "../../components/fargate/scaling-zero";
import { checkFargateWorkerArgs, FargateWorkerArgs } from "../../components/fargate/worker";

/** The task count a step policy sets for `backlog` (the alarm's threshold is a backlog of 1). */
function tasksFor(steps: ReturnType<typeof backlogSteps>, backlog: number): number | undefined {
  const x = backlog - 1;
  return steps.find(
    (s) =>
      x >= Number(s.metricIntervalLowerBound) &&
      (s.metricIntervalUpperBound === undefined || x < Number(s.metricIntervalUpperBound)),
  )?.scalingAdjustment;
}

describe("scaling from zero on the queue's backlog", () => {
  it("sets ceil(backlog / backlogPerTask) tasks, at most the maximum, for every backlog", () => {
    for (const [max, per] of [
      [1, 1],
      [2, 1],
      [4, 3],
      [MAX_STEPS, 5],
    ])
      for (let backlog = 1; backlog <= 200; backlog++)
        assert.strictEqual(
          tasksFor(backlogSteps(max, per), backlog),
          Math.min(max, Math.ceil(backlog / per)),
          `max ${max}, ${per} per task, backlog ${backlog}`,
        );
  });

  it("leaves no gap and no overlap between steps, the last one open", () => {
    const steps = backlogSteps(4, 3);
    for (let i = 1; i < steps.length; i++)
      assert.strictEqual(steps[i].metricIntervalLowerBound, steps[i - 1].metricIntervalUpperBound);
    assert.strictEqual(steps[0].metricIntervalLowerBound, "0");
    assert.strictEqual(steps.at(-1)!.metricIntervalUpperBound, undefined);
  });

  it("is refused past the steps a policy can hold, and for an agent given an image of its own", () => {
    const base = {
      cpu: 256,
      memory: 512,
      minTasks: 0,
      maxTasks: MAX_STEPS,
      backlogPerTask: 1,
      onDemandBase: 0,
      architecture: "X86_64",
      user: "1000:1000",
      secrets: [],
      containerInsights: "enabled",
      image: { kind: "uri", uri: "public.ecr.aws/nginx/nginx-unprivileged:1.28-alpine" },
    } as unknown as FargateWorkerArgs;
    assert.doesNotThrow(() => checkFargateWorkerArgs("agent-worker", base));
    // Scaling from zero needs no Container Insights metric (target tracking on backlog per task does).
    assert.doesNotThrow(() =>
      checkFargateWorkerArgs("agent-worker", { ...base, containerInsights: "disabled" }),
    );
    assert.throws(() => checkFargateWorkerArgs("agent-worker", { ...base, maxTasks: MAX_STEPS + 1 }), {
      message: `FargateWorker agent-worker: maxTasks = ${MAX_STEPS + 1}: must be at most ${MAX_STEPS} with minTasks 0: scaling from zero sets the task count in steps`,
    });
    const agent = { agent: "dev" } as unknown as FargateWorkerArgs["agent"];
    // The program builds an agent's image: no tag to name.
    assert.doesNotThrow(() =>
      checkFargateWorkerArgs("agent-worker", { ...base, agent, image: { kind: "repository", tag: "" } }),
    );
    assert.throws(
      () =>
        checkFargateWorkerArgs("agent-worker", {
          ...base,
          agent,
          image: { kind: "repository", tag: "1.0.0" },
        }),
      {
        message:
          'FargateWorker agent-worker: imageTag = "1.0.0": must be empty with the dev agent on Fargate: the program ' +
          "builds its image and pins the task to its digest",
      },
    );
  });
});
