/**
 * The agents' part in the workflow (contracts/routing.ts): what a step reads, how its answer becomes artifacts,
 * what it tells clients, and the completion event it hands off with. Routing is not here: a step publishes
 * its outcome, and the bus's rules decide who comes next.
 *
 * A step is a task of type `modification` (contracts/agents.ts `stepTaskMessage`) with `modification_id` and
 * `round`; other tasks run as before (the model runner alone, no hand-off).
 */
import { AgentName, STEP_TASK_TYPE } from "../../contracts/agents";
import { interpretAnswer } from "../../contracts/answer-format";
import { AGENT_ARTIFACTS, artifactKeys } from "../../contracts/artifacts";
import { DETAIL_TYPES, EVENT_SOURCE, taskCompletedDetail, TaskCompletedDetail } from "../../contracts/events";
import type { ArtifactStore } from "../shared/artifact-store";
import type { MessagePublisher } from "../shared/project-messages";
import type { TaskResult, TaskRunner } from "./runner";
import type { AgentTask } from "./task";
import type { TaskRecord } from "./task-store";
import type { HandOff, StatusReporter } from "./worker";

export interface Step {
  readonly modificationId: string;
  readonly round: number;
}

/** The step a task is, or undefined for a task outside the workflow. */
export function stepOf(task: AgentTask): Step | undefined {
  const { modification_id: modificationId, round } = task.payload;
  if (task.type !== STEP_TASK_TYPE || typeof modificationId !== "string") return undefined;
  if (!Number.isSafeInteger(round) || (round as number) < 0) return undefined;
  return { modificationId, round: round as number };
}

/** What a step reads from the table. */
export interface WorkflowRecords {
  modification(projectId: string, modificationId: string): Promise<Record<string, unknown> | undefined>;
  project(projectId: string): Promise<Record<string, unknown> | undefined>;
  /** Another agent's record of the same task. */
  record(task: AgentTask, agent: AgentName): Promise<TaskRecord | undefined>;
  /** pending -> running, once (the first step's start). */
  markRunning(projectId: string, modificationId: string): Promise<void>;
}

/** File contents a prompt may carry, in all (the rest is listed by path only). */
export const MAX_CONTEXT_BYTES = 48 * 1024;

async function readFiles(
  artifacts: ArtifactStore,
  keys: readonly { key: string; path: string }[],
): Promise<{ files: Record<string, string>; omitted: string[] }> {
  const files: Record<string, string> = {};
  const omitted: string[] = [];
  let budget = MAX_CONTEXT_BYTES;
  for (const { key, path } of keys) {
    const text = budget > 0 ? await artifacts.getText(key) : undefined;
    const bytes = text === undefined ? 0 : Buffer.byteLength(text, "utf8");
    if (text === undefined || bytes > budget) {
      omitted.push(path);
      continue;
    }
    files[path] = text;
    budget -= bytes;
  }
  return { files, omitted };
}

const parseJson = (text: string | undefined): unknown => {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

/** The project files a step of `round` changed (Dev's artifacts of that round). */
async function devFiles(records: WorkflowRecords, task: AgentTask, projectId: string) {
  const dev = await records.record(task, "dev");
  const keys = ((dev?.result as { artifacts?: unknown } | undefined)?.artifacts ?? []) as string[];
  const prefix = artifactKeys.projectPrefix(projectId);
  return keys.filter((k) => k.startsWith(prefix)).map((key) => ({ key, path: key.slice(prefix.length) }));
}

/**
 * What each agent is given besides the request: PM the project and its file list; Dev the plan, the project's
 * files (and QA's report from the round before); QA the plan and the files Dev changed; Ops the plan, the changed
 * files' paths and QA's report.
 */
export async function stepContext(
  agent: AgentName,
  task: AgentTask,
  step: Step,
  deps: { artifacts: ArtifactStore; records: WorkflowRecords },
): Promise<Record<string, unknown>> {
  const { artifacts, records } = deps;
  const project = await records.project(task.projectId);
  const about = project ? { name: project.name, type: project.type, description: project.description } : {};
  const prefix = artifactKeys.projectPrefix(task.projectId);
  const plan = () => artifacts.getText(artifactKeys.plan(step.modificationId)).then(parseJson);
  if (agent === "pm") {
    const { objects } = await artifacts.list(prefix, 500);
    return { project: about, files: objects.map((o) => o.path) };
  }
  if (agent === "dev") {
    const { objects } = await artifacts.list(prefix, 500);
    const { files, omitted } = await readFiles(artifacts, objects);
    const feedback =
      step.round > 0
        ? parseJson(await artifacts.getText(artifactKeys.qaReport(step.modificationId, step.round - 1)))
        : undefined;
    return {
      project: about,
      plan: await plan(),
      files,
      ...(omitted.length > 0 ? { files_not_shown: omitted } : {}),
      ...(feedback !== undefined ? { qa_feedback: feedback } : {}),
    };
  }
  const changed = await devFiles(records, task, task.projectId);
  if (agent === "qa") {
    const { files, omitted } = await readFiles(artifacts, changed);
    return {
      project: about,
      plan: await plan(),
      changed_files: files,
      ...(omitted.length > 0 ? { files_not_shown: omitted } : {}),
    };
  }
  return {
    project: about,
    plan: await plan(),
    changed_files: changed.map((c) => c.path),
    qa_report: parseJson(await artifacts.getText(artifactKeys.qaReport(step.modificationId, step.round))),
  };
}

/** The artifact key of each file an agent's answer holds (contracts/artifacts.ts layout). */
function keyOf(agent: AgentName, projectId: string, step: Step, path: string): string {
  switch (agent) {
    case "pm":
      return artifactKeys.plan(step.modificationId);
    case "dev":
      return artifactKeys.projectFile(projectId, path);
    case "qa":
      return artifactKeys.qaReport(step.modificationId, step.round);
    default:
      return artifactKeys.deploymentManifest(step.modificationId);
  }
}

/**
 * The runner a workflow agent runs: loads the step's context, lets the model answer, turns the answer into
 * artifacts (or fails the step with what was wrong with it), and returns what the step produced.
 */
export function createWorkflowRunner(deps: {
  agent: AgentName;
  model: TaskRunner;
  artifacts: ArtifactStore;
  records: WorkflowRecords;
}): TaskRunner {
  const { agent, artifacts, records } = deps;
  return {
    async run(task, ctx): Promise<TaskResult> {
      const step = stepOf(task);
      if (!step) return deps.model.run(task, ctx);
      const modification = await records.modification(task.projectId, step.modificationId);
      if (!modification)
        return {
          status: "failed",
          error: `modification ${step.modificationId} of project ${task.projectId} does not exist`,
        };
      if (agent === "pm" && step.round === 0) await records.markRunning(task.projectId, step.modificationId);
      const context = await stepContext(agent, task, step, { artifacts, records });
      const asked: AgentTask = {
        ...task,
        payload: { ...task.payload, agent, request: modification.request, context },
      };
      const result = await deps.model.run(asked, ctx);
      if (result.status !== "succeeded") return result;
      const output = result.output ?? {};
      if (output.truncated === true)
        return {
          status: "failed",
          error: `the ${agent} agent's answer was cut at the output limit; it could not be used`,
        };
      const answer = interpretAnswer(agent, String(output.text ?? ""));
      if (!answer.ok) return { status: "failed", error: answer.problem };
      const written: string[] = [];
      for (const file of answer.files) {
        const key = keyOf(agent, task.projectId, step, file.path);
        if (!key.startsWith(AGENT_ARTIFACTS[agent].writes))
          throw new Error(`${agent} may not write ${key} (only under ${AGENT_ARTIFACTS[agent].writes})`);
        await artifacts.putText(key, file.content);
        written.push(key);
      }
      return {
        status: "succeeded",
        output: {
          agent,
          modelId: output.modelId,
          usage: output.usage,
          artifacts: written,
          summary: answer.summary,
          ...(answer.verdict ? { verdict: answer.verdict } : {}),
        },
      };
    },
  };
}

/** Reports a step's transitions as `agent_status` messages of its project (tasks outside the workflow: none). */
export function createStepReporter(
  agent: AgentName,
  publisher: MessagePublisher,
  now = () => new Date(),
): StatusReporter {
  return async (task, status, detail, once) => {
    const step = stepOf(task);
    if (!step) return;
    await publisher.publish(
      {
        type: "agent_status",
        project_id: task.projectId,
        modification_id: step.modificationId,
        agent,
        round: step.round,
        status,
        at: now().toISOString(),
        detail,
      },
      once ? `${task.taskId}:${agent}:${status}:${task.sequence}` : undefined,
    );
  };
}

export type PutEvents = (
  entries: { source: string; detailType: string; detail: string; bus: string }[],
) => Promise<void>;

/** Hands a finished step off: its completion event on the bus (the rules route it). */
export function createHandOff(agent: AgentName, bus: string, put: PutEvents): HandOff {
  return async (task, status, result) => {
    const step = stepOf(task);
    if (!step) return;
    const detail: TaskCompletedDetail = taskCompletedDetail({
      projectId: task.projectId,
      modificationId: step.modificationId,
      taskId: task.taskId,
      agent,
      round: step.round,
      outcome: status,
      ...(result.verdict === "pass" || result.verdict === "changes_requested"
        ? { verdict: result.verdict }
        : {}),
      artifacts: Array.isArray(result.artifacts) ? (result.artifacts as string[]) : [],
      ...(status === "failed" ? { reason: String(result.error ?? "the step failed") } : {}),
    });
    await put([
      { source: EVENT_SOURCE, detailType: DETAIL_TYPES.taskCompleted, detail: JSON.stringify(detail), bus },
    ]);
  };
}
