import { strict as assert } from "node:assert";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { NewProjectMessage } from "../../contracts/messages";
import { MAX_APPEND_ATTEMPTS, ProjectLog } from "../../functions/shared/project-log";

/*
 * The replay log's failures that dynalite (project-log.spec.ts) cannot produce on demand, with a scripted
 * client: an error that is not a lost race, and a race lost on every attempt; and the reads' consistency.
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
