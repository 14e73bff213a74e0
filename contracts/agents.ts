/**
 * The platform's agents and the shape of the workflow they run. Contracts are plain data shared by the
 * infrastructure program (components/), the functions (functions/) and the local runner (tools/local/); they
 * import neither side.
 */

/** Seed 003's agents, in workflow order; each has a queue of the same name. */
export const AGENT_NAMES = ["pm", "dev", "qa", "ops"] as const;
export type AgentName = (typeof AGENT_NAMES)[number];

export function isAgentName(value: unknown): value is AgentName {
  return (AGENT_NAMES as readonly unknown[]).includes(value);
}

/** The agent whose queue `POST /api/projects/{id}/modify` sends a new modification to. */
export const FIRST_AGENT: AgentName = "pm";

/**
 * Rounds of Dev and QA one modification may take: QA may send the work back to Dev this many times minus one
 * (round 0 is the first). When QA still asks for changes in the last round, the modification fails.
 */
export const MAX_ROUNDS = 3;

/** The task type of a workflow step on the agent queues (other task types run without the workflow). */
export const STEP_TASK_TYPE = "modification";

/** Ids as the REST API makes them (proj_<hex>, mod_<hex>) and any id of the same alphabet. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,100}$/;

/**
 * The task id of one step: one per modification and round. An agent's task record is keyed by it and the agent,
 * so a duplicated message or event for the same step finds the record and runs nothing.
 */
export function stepTaskId(modificationId: string, round: number): string {
  return `${modificationId}-r${round}`;
}

/** The message an agent queue carries for one step (what the api-handler and the routing rules send). */
export interface StepTaskMessage {
  readonly type: typeof STEP_TASK_TYPE;
  readonly task_id: string;
  readonly project_id: string;
  readonly modification_id: string;
  readonly round: number;
}

export function stepTaskMessage(projectId: string, modificationId: string, round: number): StepTaskMessage {
  return {
    type: STEP_TASK_TYPE,
    task_id: stepTaskId(modificationId, round),
    project_id: projectId,
    modification_id: modificationId,
    round,
  };
}
