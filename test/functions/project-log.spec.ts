import { strict as assert } from "node:assert";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { NewProjectMessage } from "../../contracts/messages";
import { EVENT_TTL_SECONDS, ProjectLog } from "../../functions/shared/project-log";
import { LocalDynamo, startDynamo } from "./api/local-aws";

const message = (project: string, status: string): NewProjectMessage => ({
  type: "agent_status",
  project_id: project,
  modification_id: "mod_1",
  agent: "dev",
  round: 0,
  status: status as "running",
  at: "2026-01-01T00:00:00.000Z",
});

describe("project message log against dynalite", function () {
  this.timeout(30_000);
  let dynamo: LocalDynamo;
  let log: ProjectLog;
  before(async () => {
    dynamo = await startDynamo("project-log");
    log = new ProjectLog(dynamo.doc, dynamo.tableName);
  });
  after(() => dynamo?.close());

  it("gives concurrent appends gapless, unique ids in one order", async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => log.append(message("proj_race", `s${i}`))),
    );
    const ids = results.map((r) => r.message.id).sort();
    assert.deepEqual(
      ids,
      Array.from({ length: 12 }, (_, i) => String(i + 1).padStart(12, "0")),
    );
    const stored = await log.after("proj_race", undefined, 100);
    assert.deepEqual(
      stored.items.map((m) => m.id),
      ids,
    );
    // Another project's ids start at 1.
    assert.equal((await log.append(message("proj_other", "queued"))).message.id, "000000000001");
  });

  it("appends a message with a dedupe key once, returning the first copy", async () => {
    const first = await log.append(message("proj_dedupe", "succeeded"), "mod_1-r0:dev:succeeded:0");
    await log.append(message("proj_dedupe", "running"));
    const again = await log.append(message("proj_dedupe", "succeeded"), "mod_1-r0:dev:succeeded:0");
    assert.deepEqual(again, { message: first.message, appended: false });
    assert.equal((await log.after("proj_dedupe", undefined, 100)).items.length, 2);
  });

  it("reads after a cursor, at most a page, saying when there is more", async () => {
    for (const s of ["a", "b", "c", "d"]) await log.append(message("proj_page", s));
    for (const SK of ["METADATA", "MOD#mod_1", "TASK#mod_1-r0#dev", "DEV#z"])
      await dynamo.doc.send(
        new PutCommand({ TableName: dynamo.tableName, Item: { PK: "PROJECT#proj_page", SK } }),
      );
    const page = await log.after("proj_page", "000000000001", 2);
    assert.deepEqual(
      page.items.map((m) => [m.id, (m as { status: string }).status]),
      [
        ["000000000002", "b"],
        ["000000000003", "c"],
      ],
    );
    assert.equal(page.more, true);
    assert.deepEqual((await log.after("proj_page", "000000000004", 10)).items, []);
    // Items of the project that are not messages (its record, tasks) never show up.
    const all = await log.after("proj_page", undefined, 10);
    assert.deepEqual(
      all.items.map((m) => m.type),
      Array(4).fill("agent_status"),
    );
    assert.equal((await log.after("proj_page", "000000000002", 10)).items.length, 2);
  });

  it("keeps each message a week from its append, as a ProjectEvent, under its project and id", async () => {
    const now = new Date("2026-03-01T12:00:00.900Z");
    const timed = new ProjectLog(dynamo.doc, dynamo.tableName, () => now);
    const result = await timed.append(message("proj_ttl", "running"));
    assert.equal(result.appended, true);
    assert.equal(EVENT_TTL_SECONDS, 7 * 24 * 60 * 60);
    const { Item } = await dynamo.doc.send(
      new GetCommand({
        TableName: dynamo.tableName,
        Key: { PK: "PROJECT#proj_ttl", SK: `EVENT#${result.message.id}` },
      }),
    );
    assert.equal(Item?.ttl, Math.floor(now.getTime() / 1000) + 604_800);
    assert.equal(Item?.EntityType, "ProjectEvent");
    assert.equal(Item?.dedupe_key, undefined);
    assert.deepEqual(Item?.message, result.message);
    const keyed = await timed.append(message("proj_ttl", "done"), "key-1");
    assert.deepEqual([keyed.appended, keyed.message.id], [true, "000000000002"]);
  });

  it("says there is more only when a page stops short of the end", async () => {
    for (const s of ["a", "b", "c"]) await log.append(message("proj_more", s));
    const all = await log.after("proj_more", undefined, 10);
    assert.deepEqual([all.items.length, all.more], [3, false]);
    const rest = await log.after("proj_more", "000000000001", 10);
    assert.deepEqual([rest.items.map((m) => m.id), rest.more], [["000000000002", "000000000003"], false]);
    assert.deepEqual(await log.after("proj_empty", undefined, 10), { items: [], more: false });
    assert.equal((await log.after("proj_more", undefined, 0)).items.length, 1, "a limit below 1 reads one");
  });
});
