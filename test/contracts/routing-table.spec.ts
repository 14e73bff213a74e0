import { strict as assert } from "node:assert";
import { AGENT_NAMES } from "../../contracts/agents";
import { inputTransformer, ROUTING_RULES } from "../../contracts/routing";

/*
 * The routing table as data: every field a deployed EventBridge rule or target is built from holds a value
 * the builders accept (a kebab-case name, a known agent and round, a finish outcome), and only a failed finish
 * without a fixed reason passes the event's reason on.
 */

describe("the routing table's values", () => {
  it("names each rule in kebab-case", () => {
    for (const rule of ROUTING_RULES)
      assert.match(rule.name, /^[a-z]+(-[a-z]+)+$/, JSON.stringify(rule.name));
  });

  it("targets a known agent in the same or the next round, or finishes complete or failed", () => {
    for (const { name, then } of ROUTING_RULES) {
      if (then.kind === "agent") {
        assert.ok((AGENT_NAMES as readonly string[]).includes(then.agent), name);
        assert.ok(
          then.round === "same" || then.round === "next",
          `${name}: round ${JSON.stringify(then.round)}`,
        );
      } else {
        assert.strictEqual(then.kind, "finish", name);
        assert.ok(then.outcome === "complete" || then.outcome === "failed", name);
        if (then.reason !== undefined) assert.ok(then.reason.length > 0, name);
      }
    }
  });

  it("passes the event's reason on only from a failed finish without a fixed reason", () => {
    const transformer = (then: (typeof ROUTING_RULES)[number]["then"]) =>
      inputTransformer({ name: "x-y", description: "", when: { outcome: "failed" }, then });
    const fromEvent = transformer({ kind: "finish", outcome: "failed" });
    assert.strictEqual(fromEvent.inputPaths.reason, "$.detail.reason");
    assert.match(fromEvent.inputTemplate, /,"reason":<reason>\}$/);
    const fixed = transformer({ kind: "finish", outcome: "failed", reason: "too many rounds" });
    assert.strictEqual(fixed.inputPaths.reason, undefined);
    assert.match(fixed.inputTemplate, /,"reason":"too many rounds"\}$/);
    const complete = transformer({ kind: "finish", outcome: "complete" });
    assert.strictEqual(complete.inputPaths.reason, undefined);
    assert.doesNotMatch(complete.inputTemplate, /reason/);
  });
});
