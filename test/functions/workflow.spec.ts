import { strict as assert } from "node:assert";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { createWorkflowApp, parseFinishInput } from "../../functions/workflow/app";
import { ProjectLog } from "../../functions/shared/project-log";
import { createMessagePublisher } from "../../functions/shared/project-messages";
import { LocalDynamo, startDynamo } from "./api/local-aws";

const NOW = new Date("2026-02-02T12:00:00.000Z");

describe("the workflow function (finish rules' target) against dynalite", function () {
  this.timeout(30_000);
  let dynamo: LocalDynamo;
  let finish: ReturnType<typeof createWorkflowApp>;
  let log: ProjectLog;
  before(async () => {
    dynamo = await startDynamo("workflow-fn");
    log = new ProjectLog(dynamo.doc, dynamo.tableName, () => NOW);
    finish = createWorkflowApp({
      doc: dynamo.doc,
      tableName: dynamo.tableName,
      publisher: createMessagePublisher({ log, warn: () => undefined }),
      now: () => NOW,
    });
    const put = (Item: Record<string, unknown>) =>
      dynamo.doc.send(new PutCommand({ TableName: dynamo.tableName, Item }));
    for (const mod of ["mod_ok", "mod_bad"])
      await put({ PK: "PROJECT#p1", SK: `MOD#${mod}`, id: mod, status: "running" });
    const task = (agent: string, round: number, artifacts: string[]) =>
      put({
        PK: "PROJECT#p1",
        SK: `TASK#mod_ok-r${round}#${agent}`,
        agent,
        status: "succeeded",
        result: { artifacts },
      });
    await task("pm", 0, ["plans/mod_ok.json"]);
    await task("dev", 0, ["projects/p1/main.py"]);
    await task("qa", 0, ["reports/mod_ok/qa-r0.json"]);
    await task("dev", 1, ["projects/p1/main.py", "projects/p1/auth.py"]);
    await task("qa", 1, ["reports/mod_ok/qa-r1.json"]);
    await task("ops", 1, ["deployments/mod_ok.json"]);
  });
  after(() => dynamo?.close());

  const modification = async (id: string) =>
    (
      await dynamo.doc.send(
        new GetCommand({ TableName: dynamo.tableName, Key: { PK: "PROJECT#p1", SK: `MOD#${id}` } }),
      )
    ).Item!;

  it("completes a modification once and tells its clients, with every step's artifacts", async () => {
    const input = {
      project_id: "p1",
      modification_id: "mod_ok",
      outcome: "complete",
      agent: "ops",
      round: 1,
    };
    assert.deepEqual(await finish(input), { finished: true });
    assert.deepEqual(await finish(input), { finished: false }, "a duplicated event changes nothing");
    const mod = await modification("mod_ok");
    assert.deepEqual(
      [mod.status, mod.finished_at, mod.finished_by, mod.rounds],
      ["complete", NOW.toISOString(), "ops", 2],
    );
    const { items } = await log.after("p1", undefined, 10);
    assert.deepEqual(items, [
      {
        id: "000000000001",
        type: "modification_complete",
        project_id: "p1",
        modification_id: "mod_ok",
        at: NOW.toISOString(),
        artifacts: {
          plan: "plans/mod_ok.json",
          files: ["projects/p1/auth.py", "projects/p1/main.py"],
          qa_reports: ["reports/mod_ok/qa-r0.json", "reports/mod_ok/qa-r1.json"],
          manifest: "deployments/mod_ok.json",
        },
      },
    ]);
  });

  it("fails a modification with the reason and the agent, and never turns a finished one around", async () => {
    await finish({
      project_id: "p1",
      modification_id: "mod_bad",
      outcome: "failed",
      agent: "dev",
      round: 0,
      reason: "refused",
    });
    await finish({
      project_id: "p1",
      modification_id: "mod_bad",
      outcome: "complete",
      agent: "ops",
      round: 0,
    });
    const mod = await modification("mod_bad");
    assert.deepEqual([mod.status, mod.reason], ["failed", "refused"]);
    const last = (await log.after("p1", "000000000001", 10)).items;
    assert.deepEqual(
      last.map((m) => [m.type, (m as { reason?: string }).reason]),
      [["modification_failed", "refused"]],
    );
  });

  it("refuses input that is not a finish, naming the fields, and ignores an unknown modification", async () => {
    assert.throws(() => parseFinishInput({ project_id: "p 1", outcome: "done", agent: "boss", round: "1" }), {
      message:
        "not a finish input: bad project_id, modification_id, outcome (complete or failed), agent, round",
    });
    assert.deepEqual(
      await finish({
        project_id: "p1",
        modification_id: "mod_none",
        outcome: "complete",
        agent: "ops",
        round: 0,
      }),
      { finished: false },
    );
  });
});
