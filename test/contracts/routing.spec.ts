import { strict as assert } from "node:assert";
import { AGENT_NAMES, MAX_ROUNDS, stepTaskMessage } from "../../contracts/agents";
import {
  DETAIL_TYPES,
  EVENT_SOURCE,
  QaVerdict,
  StepOutcome,
  taskCompletedDetail,
} from "../../contracts/events";
import {
  eventPattern,
  FinishInput,
  inputTransformer,
  ROUTING_RULES,
  RoutingRule,
} from "../../contracts/routing";
import { matchesPattern, transformInput } from "../../tools/local/event-pattern";

const eventOf = (detail: object) => ({
  source: EVENT_SOURCE,
  "detail-type": DETAIL_TYPES.taskCompleted,
  detail,
});

/** Which rules an EventBridge bus would run for a completion (patterns evaluated as the bus does). */
function routed(
  agent: (typeof AGENT_NAMES)[number],
  outcome: StepOutcome,
  round: number,
  verdict?: QaVerdict,
) {
  const detail = taskCompletedDetail({
    projectId: "proj_1",
    modificationId: "mod_1",
    taskId: `mod_1-r${round}`,
    agent,
    round,
    outcome,
    ...(verdict ? { verdict } : {}),
    ...(outcome === "failed" ? { reason: "the model refused" } : {}),
  });
  const event = eventOf(detail);
  return ROUTING_RULES.filter((r) => matchesPattern(eventPattern(r), event)).map((r) => ({
    rule: r,
    input: JSON.parse(transformInput(inputTransformer(r), event)),
  }));
}

describe("the routing table", () => {
  it("sends every possible completion to exactly one rule", () => {
    for (const agent of AGENT_NAMES)
      for (const outcome of ["succeeded", "failed"] as const)
        for (let round = 0; round < MAX_ROUNDS; round++)
          for (const verdict of agent === "qa" && outcome === "succeeded"
            ? (["pass", "changes_requested"] as const)
            : [undefined]) {
            const rules = routed(agent, outcome, round, verdict).map((r) => r.rule.name);
            assert.equal(
              rules.length,
              1,
              `${agent} ${outcome} round ${round} ${verdict ?? ""}: ${rules.join(", ")}`,
            );
          }
  });

  it("hands the step on PM -> Dev -> QA -> Ops with the next agent's task message, field for field", () => {
    const next = (agent: (typeof AGENT_NAMES)[number], verdict?: QaVerdict, round = 0) => {
      const [{ rule, input }] = routed(agent, "succeeded", round, verdict);
      return [(rule.then as { agent?: string }).agent ?? rule.then.kind, input];
    };
    assert.deepEqual(next("pm"), ["dev", stepTaskMessage("proj_1", "mod_1", 0)]);
    assert.deepEqual(next("dev"), ["qa", stepTaskMessage("proj_1", "mod_1", 0)]);
    assert.deepEqual(next("qa", "pass"), ["ops", stepTaskMessage("proj_1", "mod_1", 0)]);
    assert.deepEqual(next("qa", "changes_requested", 0), ["dev", stepTaskMessage("proj_1", "mod_1", 1)]);
    assert.deepEqual(next("qa", "pass", 1), ["ops", stepTaskMessage("proj_1", "mod_1", 1)]);
  });

  it("sends QA's work back to Dev a bounded number of times, then fails the modification", () => {
    const last = MAX_ROUNDS - 1;
    assert.equal(routed("qa", "succeeded", last - 1, "changes_requested")[0].rule.name, "qa-back-to-dev");
    const [{ rule, input }] = routed("qa", "succeeded", last, "changes_requested");
    assert.equal(rule.name, "qa-rounds-exhausted");
    assert.deepEqual(input, {
      project_id: "proj_1",
      modification_id: "mod_1",
      outcome: "failed",
      agent: "qa",
      round: last,
      reason: `QA still requested changes after ${MAX_ROUNDS} rounds of Dev and QA`,
    } satisfies FinishInput);
  });

  it("ends the modification complete after Ops, and failed with the step's reason after any failure", () => {
    assert.deepEqual(routed("ops", "succeeded", 0)[0].input, {
      project_id: "proj_1",
      modification_id: "mod_1",
      outcome: "complete",
      agent: "ops",
      round: 0,
    });
    for (const agent of AGENT_NAMES)
      assert.deepEqual(routed(agent, "failed", 0)[0].input, {
        project_id: "proj_1",
        modification_id: "mod_1",
        outcome: "failed",
        agent,
        round: 0,
        reason: "the model refused",
      });
  });

  it("matches only completion events of this source and schema version", () => {
    const detail = taskCompletedDetail({
      projectId: "p",
      modificationId: "m",
      taskId: "m-r0",
      agent: "pm",
      round: 0,
      outcome: "succeeded",
    });
    const matching = (e: object) =>
      ROUTING_RULES.filter((r: RoutingRule) => matchesPattern(eventPattern(r), e));
    assert.equal(matching(eventOf(detail)).length, 1);
    assert.equal(matching({ ...eventOf(detail), source: "someone.else" }).length, 0);
    assert.equal(matching(eventOf({ ...detail, version: 2 })).length, 0);
    assert.equal(matching({ ...eventOf(detail), "detail-type": "agent.task.started" }).length, 0);
  });

  it("names rules uniquely, short enough for EventBridge's 64 characters with the stack prefix", () => {
    const names = ROUTING_RULES.map((r) => r.name);
    assert.equal(new Set(names).size, names.length);
    for (const name of names) assert.ok(`agent-platform-staging-agents-${name}`.length <= 64, name);
  });
});
