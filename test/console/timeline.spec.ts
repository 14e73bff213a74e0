import * as assert from "assert";
import { formatDuration, timeline } from "../../console/src/timeline";
import { fileTree } from "../../console/src/files";
import type { AgentName } from "../../contracts/agents";
import { messageId, type ProjectMessage, type StepStatus } from "../../contracts/messages";

let n = 0;
const at = (ms: number) => new Date(Date.UTC(2026, 11, 6, 12, 0, 0, ms)).toISOString();
const step = (
  mod: string,
  agent: AgentName,
  status: StepStatus,
  ms: number,
  detail?: Record<string, unknown>,
  round = 0,
): ProjectMessage => ({
  id: messageId(++n),
  type: "agent_status",
  project_id: "proj_1",
  modification_id: mod,
  at: at(ms),
  agent,
  round,
  status,
  ...(detail ? { detail } : {}),
});
const usage = (input: number, output: number) => ({
  usage: { inputTokens: input, outputTokens: output, totalTokens: input + output },
});

describe("console timeline", () => {
  it("makes one row per step with status, time from running to the end, tokens and notes, and the outcome", () => {
    n = 0;
    const messages: ProjectMessage[] = [
      step("mod_a", "pm", "queued", 0),
      step("mod_a", "pm", "running", 10),
      step("mod_a", "pm", "succeeded", 120, {
        ...usage(268, 148),
        summary: "The plan has three tasks.",
        artifacts: ["plans/mod_a.json"],
      }),
      step("mod_a", "dev", "queued", 130),
      step("mod_a", "dev", "running", 140),
      step("mod_a", "dev", "succeeded", 300, usage(559, 155)),
      step("mod_a", "qa", "running", 310),
      step("mod_a", "qa", "succeeded", 400, { ...usage(10, 5), verdict: "pass" }),
      step("mod_a", "ops", "running", 410),
      step("mod_a", "ops", "succeeded", 500, usage(1, 1)),
      {
        id: messageId(++n),
        type: "modification_complete",
        project_id: "proj_1",
        modification_id: "mod_a",
        at: at(510),
        artifacts: { plan: "plans/mod_a.json" },
      },
    ];
    const [mod] = timeline(messages);
    assert.deepStrictEqual(
      mod.steps.map((s) => [s.agent, s.status, s.durationMs, s.tokens?.total]),
      [
        ["pm", "succeeded", 110, 416],
        ["dev", "succeeded", 160, 714],
        ["qa", "succeeded", 90, 15],
        ["ops", "succeeded", 90, 2],
      ],
    );
    assert.deepStrictEqual(
      [mod.steps[0].summary, mod.steps[0].artifacts, mod.steps[2].verdict],
      ["The plan has three tasks.", ["plans/mod_a.json"], "pass"],
    );
    assert.deepStrictEqual([mod.outcome?.type, mod.tokens], ["modification_complete", 416 + 714 + 15 + 2]);
    // However the messages arrived, the view is the same.
    assert.deepStrictEqual(timeline([...messages].reverse()), [mod]);
  });

  it("keeps QA's send-back rounds apart, a failure's reason, and the newest modification first", () => {
    n = 0;
    const messages: ProjectMessage[] = [
      step("mod_a", "dev", "succeeded", 0),
      step("mod_a", "qa", "succeeded", 10, { verdict: "changes_requested" }),
      step("mod_a", "dev", "running", 20, undefined, 1),
      step("mod_a", "dev", "failed", 50, { error: "the dev agent's answer could not be used" }, 1),
      {
        id: messageId(++n),
        type: "modification_failed",
        project_id: "proj_1",
        modification_id: "mod_a",
        at: at(60),
        reason: "the dev agent's answer could not be used",
        agent: "dev",
      },
      step("mod_b", "pm", "queued", 1000),
    ];
    const [b, a] = timeline(messages);
    assert.deepStrictEqual([b.id, a.id], ["mod_b", "mod_a"]);
    assert.deepStrictEqual(
      a.steps.map((s) => `${s.agent}@${s.round}:${s.status}`),
      ["dev@0:succeeded", "qa@0:succeeded", "dev@1:failed"],
    );
    assert.strictEqual(a.steps[2].error, "the dev agent's answer could not be used");
    assert.deepStrictEqual([a.outcome?.type, a.outcome?.agent], ["modification_failed", "dev"]);
    assert.strictEqual(b.outcome, undefined);
  });

  it("formats durations for people", () => {
    assert.deepStrictEqual([850, 2400, 185_000].map(formatDuration), ["850 ms", "2.4 s", "3 min 5 s"]);
  });

  it("turns the flat file list into folders first, then files, by name", () => {
    const f = (path: string) => ({ path, size: 1, url: `https://s3/${path}` });
    const tree = fileTree([f("main.py"), f("app/routes/users.py"), f("README.md"), f("app/__init__.py")]);
    assert.deepStrictEqual(
      [tree.folders.map((x) => x.name), tree.files.map((x) => x.name)],
      [["app"], ["main.py", "README.md"]],
    );
    assert.deepStrictEqual(
      [tree.folders[0].folders[0].name, tree.folders[0].files.map((x) => x.path)],
      ["routes", ["app/__init__.py"]],
    );
  });
});
