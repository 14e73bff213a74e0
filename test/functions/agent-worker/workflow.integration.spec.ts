import { strict as assert } from "node:assert";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { stepTaskMessage } from "../../../contracts/agents";
import { formatFileBlock } from "../../../contracts/answer-format";
import { EVENT_SOURCE } from "../../../contracts/events";
import { tableRecords } from "../../../functions/agent-worker/records";
import type { TaskContext, TaskResult, TaskRunner } from "../../../functions/agent-worker/runner";
import { AgentTask, parseTask } from "../../../functions/agent-worker/task";
import { TaskStore } from "../../../functions/agent-worker/task-store";
import { createHandOff, createWorkflowRunner, stepContext } from "../../../functions/agent-worker/workflow";
import { ArtifactStore, createArtifactStore } from "../../../functions/shared/artifact-store";
import { LocalS3, startLocalS3 } from "../../../tools/local/s3";
import { LocalDynamo, startDynamo } from "../api/local-aws";

const BUCKET = "artifacts";
const P = "proj_w";

/** A model that answers `text` and records what it was asked. */
function model(text: string | (() => string), extra: Record<string, unknown> = {}) {
  const asked: AgentTask[] = [];
  const runner: TaskRunner = {
    run: async (task) => {
      asked.push(task);
      return {
        status: "succeeded",
        output: {
          text: typeof text === "string" ? text : text(),
          modelId: "m",
          usage: { totalTokens: 7 },
          ...extra,
        },
      };
    },
  };
  return { runner, asked };
}

const ctx = {} as TaskContext;

describe("agent workflow steps against dynalite and s3rver", function () {
  this.timeout(30_000);
  let dynamo: LocalDynamo;
  let s3: LocalS3;
  let artifacts: ArtifactStore;
  before(async () => {
    [dynamo, s3] = await Promise.all([startDynamo("workflow-steps"), startLocalS3([BUCKET])]);
    artifacts = createArtifactStore(s3.client, BUCKET);
    const put = (Item: Record<string, unknown>) =>
      dynamo.doc.send(new PutCommand({ TableName: dynamo.tableName, Item }));
    await put({ PK: `PROJECT#${P}`, SK: "METADATA", name: "My API", type: "api", description: "d" });
    await put({ PK: `PROJECT#${P}`, SK: "MOD#mod_1", request: "Add auth", status: "pending" });
    await artifacts.putText(`projects/${P}/main.py`, "app = 1\n");
    await artifacts.putText("plans/mod_1.json", '{"summary":"s"}');
  });
  after(() => Promise.all([dynamo?.close(), s3?.close()]));

  const task = (round = 0) => parseTask(JSON.stringify(stepTaskMessage(P, "mod_1", round)));
  const records = (agent: string) =>
    tableRecords(dynamo.doc, dynamo.tableName, new TaskStore(dynamo.doc, dynamo.tableName, agent));
  const runner = (agent: "pm" | "dev" | "qa" | "ops", m: TaskRunner) =>
    createWorkflowRunner({ agent, model: m, artifacts, records: records(agent) });

  it("gives the PM the request and the project's files, stores its plan, and marks the modification running", async () => {
    const m = model(
      `Planned.\n${formatFileBlock("plan.json", JSON.stringify({ summary: "Add auth", tasks: [{ title: "t" }] }))}`,
    );
    const result = await runner("pm", m.runner).run(task(), ctx);
    assert.deepEqual(result, {
      status: "succeeded",
      output: {
        agent: "pm",
        modelId: "m",
        usage: { totalTokens: 7 },
        artifacts: ["plans/mod_1.json"],
        summary: "Planned.",
      },
    });
    assert.deepEqual(m.asked[0].payload.request, "Add auth");
    assert.deepEqual(m.asked[0].payload.context, {
      project: { name: "My API", type: "api", description: "d" },
      files: ["main.py"],
    });
    assert.deepEqual(JSON.parse((await artifacts.getText("plans/mod_1.json"))!), {
      summary: "Add auth",
      tasks: [{ title: "t" }],
    });
    assert.equal((await records("pm").modification(P, "mod_1"))!.status, "running");
  });

  it("writes Dev's files into the project, and QA's report and Ops' manifest under their own prefixes", async () => {
    const dev = await runner(
      "dev",
      model(formatFileBlock("main.py", "app = 2\n") + formatFileBlock("auth.py", "x")).runner,
    ).run(task(), ctx);
    assert.deepEqual((dev as unknown as { output: { artifacts: string[] } }).output.artifacts, [
      `projects/${P}/main.py`,
      `projects/${P}/auth.py`,
    ]);
    assert.equal(await artifacts.getText(`projects/${P}/main.py`), "app = 2\n");
    const qa = await runner(
      "qa",
      model(formatFileBlock("qa-report.json", '{"verdict":"pass","findings":[]}')).runner,
    ).run(task(1), ctx);
    assert.deepEqual(qa, {
      status: "succeeded",
      output: {
        agent: "qa",
        modelId: "m",
        usage: { totalTokens: 7 },
        artifacts: ["reports/mod_1/qa-r1.json"],
        summary: "",
        verdict: "pass",
      },
    });
    const ops = await runner(
      "ops",
      model(formatFileBlock("deployment.json", '{"steps":[{"name":"go"}]}')).runner,
    ).run(task(), ctx);
    assert.deepEqual((ops as unknown as { output: { artifacts: string[] } }).output.artifacts, [
      "deployments/mod_1.json",
    ]);
  });

  it("gives QA the files Dev changed in the step, and Dev QA's report of the round before", async () => {
    await dynamo.doc.send(
      new PutCommand({
        TableName: dynamo.tableName,
        Item: {
          PK: `PROJECT#${P}`,
          SK: "TASK#mod_1-r0#dev",
          status: "succeeded",
          result: { artifacts: [`projects/${P}/auth.py`] },
        },
      }),
    );
    const deps = { artifacts, records: records("qa") };
    const qa = await stepContext("qa", task(0), { modificationId: "mod_1", round: 0 }, deps);
    assert.deepEqual(qa.changed_files, { "auth.py": "x\n" });
    assert.deepEqual(
      qa.plan,
      { summary: "Add auth", tasks: [{ title: "t" }] },
      "the PM's plan of the first test",
    );
    const dev = await stepContext("dev", task(2), { modificationId: "mod_1", round: 2 }, deps);
    assert.deepEqual(dev.qa_feedback, { verdict: "pass", findings: [] });
    assert.deepEqual(Object.keys(dev.files as object).sort(), ["auth.py", "main.py"]);
  });

  it("fails a step, writing nothing, when the answer is cut off or does not parse; passes other tasks through", async () => {
    const before = (await artifacts.list(`projects/${P}/`)).objects.length;
    const cut = await runner("dev", model(formatFileBlock("new.py", "x"), { truncated: true }).runner).run(
      task(),
      ctx,
    );
    assert.deepEqual(cut, {
      status: "failed",
      error: "the dev agent's answer was cut at the output limit; it could not be used",
    });
    const garbage = await runner("dev", model("no files here").runner).run(task(), ctx);
    assert.equal(
      (garbage as { error: string }).error,
      "the dev agent's answer could not be used: it has no file blocks (```<language> path=<file> ... ```)",
    );
    assert.equal((await artifacts.list(`projects/${P}/`)).objects.length, before);
    const other: TaskResult = await runner("dev", model("free text").runner).run(
      parseTask('{"type":"chat","task_id":"t1","project_id":"p"}'),
      ctx,
    );
    assert.equal((other as unknown as { output: { text: string } }).output.text, "free text");
    const missing = await runner("pm", model("x").runner).run(
      parseTask(JSON.stringify(stepTaskMessage(P, "mod_nope", 0))),
      ctx,
    );
    assert.deepEqual(missing, {
      status: "failed",
      error: `modification mod_nope of project ${P} does not exist`,
    });
  });

  it("hands a step off with a completion event that carries the outcome, verdict and artifacts", async () => {
    const put: unknown[] = [];
    const handOff = createHandOff("qa", "agents-bus", async (entries) => {
      put.push(...entries);
    });
    await handOff(task(1), "succeeded", {
      verdict: "changes_requested",
      artifacts: ["reports/mod_1/qa-r1.json"],
    });
    await handOff(task(1), "failed", { error: "refused" });
    await handOff(parseTask('{"type":"chat","task_id":"t1","project_id":"p"}'), "succeeded", {});
    assert.equal(put.length, 2, "a task outside the workflow hands off nothing");
    const [ok, failed] = put as { source: string; detailType: string; bus: string; detail: string }[];
    assert.deepEqual(
      [ok.source, ok.detailType, ok.bus],
      [EVENT_SOURCE, "agent.task.completed", "agents-bus"],
    );
    assert.deepEqual(JSON.parse(ok.detail), {
      version: 1,
      project_id: P,
      modification_id: "mod_1",
      task_id: "mod_1-r1",
      agent: "qa",
      round: 1,
      next_round: 2,
      outcome: "succeeded",
      verdict: "changes_requested",
      artifacts: ["reports/mod_1/qa-r1.json"],
    });
    assert.deepEqual(
      [
        JSON.parse(failed.detail).outcome,
        JSON.parse(failed.detail).reason,
        JSON.parse(failed.detail).verdict,
      ],
      ["failed", "refused", undefined],
    );
  });
});
