import { strict as assert } from "node:assert";
import { GetCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { NewProjectMessage } from "../../contracts/messages";
import { EVENT_TTL_SECONDS, MAX_APPEND_ATTEMPTS, ProjectLog } from "../../functions/shared/project-log";
import { LocalDynamo, startDynamo } from "./api/local-aws";

/*
 * The replay log's stored items and pages against dynalite (what a reader and DynamoDB's TTL see), and the two
 * failures dynalite cannot produce on demand, with a scripted client: an error that is not a lost race, and a
 * race lost on every attempt.
 */

const message = (project: string): NewProjectMessage => ({
  type: "agent_status",
  project_id: project,
  modification_id: "mod_1",
  agent: "dev",
  round: 0,
  status: "running",
  at: "2026-01-01T00:00:00.000Z",
});

describe("project message log: stored items and pages", function () {
  this.timeout(30_000);
  let dynamo: LocalDynamo;
  const NOW = new Date("2026-03-01T12:00:00.900Z");
  before(async () => {
    dynamo = await startDynamo("project-log-rules");
  });
  after(() => dynamo?.close());

  it("keeps each message a week from its append, as a ProjectEvent, under its project and id", async () => {
    const log = new ProjectLog(dynamo.doc, dynamo.tableName, () => NOW);
    const result = await log.append(message("proj_ttl"));
    assert.equal(result.appended, true);
    assert.equal(EVENT_TTL_SECONDS, 7 * 24 * 60 * 60);
    const { Item } = await dynamo.doc.send(
      new GetCommand({
        TableName: dynamo.tableName,
        Key: { PK: "PROJECT#proj_ttl", SK: `EVENT#${result.message.id}` },
      }),
    );
    assert.equal(Item?.ttl, Math.floor(NOW.getTime() / 1000) + 604_800);
    assert.equal(Item?.EntityType, "ProjectEvent");
    assert.equal(Item?.dedupe_key, undefined);
    assert.deepEqual(Item?.message, result.message);
    const keyed = await log.append(message("proj_ttl"), "key-1");
    assert.deepEqual([keyed.appended, keyed.message.id], [true, "000000000002"]);
  });

  it("says there is more only when a page stops short of the end", async () => {
    const log = new ProjectLog(dynamo.doc, dynamo.tableName);
    for (let i = 0; i < 3; i++) await log.append(message("proj_more"));
    const all = await log.after("proj_more", undefined, 10);
    assert.deepEqual([all.items.length, all.more], [3, false]);
    const rest = await log.after("proj_more", "000000000001", 10);
    assert.deepEqual([rest.items.map((m) => m.id), rest.more], [["000000000002", "000000000003"], false]);
    const none = await log.after("proj_empty", undefined, 10);
    assert.deepEqual(none, { items: [], more: false });
    const one = await log.after("proj_more", undefined, 0);
    assert.equal(one.items.length, 1, "a limit below 1 reads one");
  });
});

/** A document client whose queries return `newest` and whose puts fail with `putError`, recording commands. */
function scripted(putError: () => unknown) {
  const commands: Array<{ name: string; input: Record<string, unknown> }> = [];
  const doc = {
    async send(command: { constructor: { name: string }; input: Record<string, unknown> }) {
      commands.push({ name: command.constructor.name, input: command.input });
      if (command.constructor.name === "QueryCommand") return {};
      throw putError();
    },
  } as unknown as DynamoDBDocumentClient;
  return { doc, commands };
}

describe("project message log: failures", () => {
  it("passes on an error that is not a lost race at once, without trying again", async () => {
    const boom = Object.assign(new Error("throughput exceeded"), {
      name: "ProvisionedThroughputExceededException",
    });
    const { doc, commands } = scripted(() => boom);
    await assert.rejects(new ProjectLog(doc, "t").append(message("p")), (e) => e === boom);
    assert.deepEqual(
      commands.map((c) => c.name),
      ["QueryCommand", "PutCommand"],
    );
  });

  it("gives up after losing the race MAX_APPEND_ATTEMPTS times, naming the project", async () => {
    const lost = () => Object.assign(new Error("taken"), { name: "ConditionalCheckFailedException" });
    const { doc, commands } = scripted(lost);
    const random = Math.random;
    Math.random = () => 0;
    try {
      await assert.rejects(
        new ProjectLog(doc, "t").append(message("proj_busy")),
        new RegExp(`^Error: project proj_busy: no free message id after ${MAX_APPEND_ATTEMPTS} attempts`),
      );
    } finally {
      Math.random = random;
    }
    const puts = commands.filter((c) => c.name === "PutCommand");
    assert.equal(puts.length, MAX_APPEND_ATTEMPTS);
    assert.ok(MAX_APPEND_ATTEMPTS > 1);
    // Every attempt read the newest id consistently, and claimed id 1 on condition that it was free.
    for (const c of commands.filter((x) => x.name === "QueryCommand"))
      assert.equal(c.input.ConsistentRead, true);
    for (const p of puts) {
      assert.equal(p.input.ConditionExpression, "attribute_not_exists(PK)");
      assert.equal((p.input.Item as { SK: string }).SK, "EVENT#000000000001");
    }
  });

  it("reads pages consistently", async () => {
    const { doc, commands } = scripted(() => new Error("unused"));
    assert.deepEqual(await new ProjectLog(doc, "t").after("p", "000000000003", 5), {
      items: [],
      more: false,
    });
    assert.equal(commands[0].input.ConsistentRead, true);
    assert.equal(commands[0].input.Limit, 5);
  });
});
