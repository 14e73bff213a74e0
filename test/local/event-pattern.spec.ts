import { strict as assert } from "node:assert";
import { matchesPattern, transformInput } from "../../tools/local/event-pattern";

describe("local EventBridge patterns and input transformers", () => {
  const event = {
    source: "agent-platform.agents",
    "detail-type": "agent.task.completed",
    detail: { agent: "qa", round: 1, verdict: "pass", tags: ["a", "b"], name: 'x"y' },
  };

  it("matches literals, lists, nested fields, numeric ranges, prefixes, anything-but and exists", () => {
    const yes = [
      { source: ["agent-platform.agents"] },
      { detail: { agent: ["dev", "qa"] } },
      { detail: { round: [{ numeric: [">=", 1, "<", 3] }] } },
      { detail: { tags: ["b"] } },
      { detail: { agent: [{ prefix: "q" }] } },
      { detail: { agent: [{ "anything-but": ["pm", "dev"] }] } },
      { detail: { reason: [{ exists: false }] } },
    ];
    const no = [
      { source: ["other"] },
      { detail: { agent: ["dev"] } },
      { detail: { round: [{ numeric: ["<", 1] }] } },
      { detail: { agent: [{ "anything-but": "qa" }] } },
      { detail: { verdict: [{ exists: false }] } },
      { detail: { missing: ["x"] } },
      { detail: { round: ["1"] } },
    ];
    for (const p of yes) assert.equal(matchesPattern(p, event), true, JSON.stringify(p));
    for (const p of no) assert.equal(matchesPattern(p, event), false, JSON.stringify(p));
  });

  it("fills placeholders as JSON values, or as text inside a JSON string", () => {
    const out = transformInput(
      {
        inputPaths: {
          agent: "$.detail.agent",
          round: "$.detail.round",
          name: "$.detail.name",
          none: "$.detail.none",
        },
        inputTemplate:
          '{"a":<agent>,"r":<round>,"id":"t-<agent>-r<round>","n":<name>,"s":"<name>","z":<none>}',
      },
      event,
    );
    assert.deepEqual(JSON.parse(out), { a: "qa", r: 1, id: "t-qa-r1", n: 'x"y', s: 'x"y', z: null });
  });
});
