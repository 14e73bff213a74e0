/**
 * What each agent is told (the PM agent plans, Dev generates code, QA tests, Ops deploys) and how a
 * task becomes the user's turns of a Converse conversation.
 */
import { ANSWER_INSTRUCTIONS } from "../../contracts/answer-format";
import type { AgentWorkerName } from "./env";
import type { AgentTask } from "./task";

const COMMON =
  "You are one of four agents (PM, Dev, QA, Ops) of a software development platform. You receive one task " +
  "as JSON. Do the task yourself and answer with the result only, in Markdown, without asking questions: " +
  "state any assumption you had to make.";

export const SYSTEM_PROMPTS: Readonly<Record<AgentWorkerName, string>> = {
  pm:
    `${COMMON} You are the PM agent: you plan. Turn the request into a project plan: goals, scope, ` +
    "requirements with acceptance criteria, and an ordered list of tasks for the Dev, QA and Ops agents. " +
    ANSWER_INSTRUCTIONS.pm,
  dev:
    `${COMMON} You are the Dev agent: you write code. Produce complete, working source files that implement ` +
    "the task, following the plan, the project's files and the tech stack given (and QA's feedback, if any). " +
    ANSWER_INSTRUCTIONS.dev,
  qa:
    `${COMMON} You are the QA agent: you test. Review the changed files against the plan, write the test ` +
    "plan, and list the defects and risks you find, each with how to reproduce it. " +
    ANSWER_INSTRUCTIONS.qa,
  ops:
    `${COMMON} You are the Ops agent: you deploy. Describe the deployment of the change: infrastructure, ` +
    "configuration, CI/CD steps, monitoring and rollback, with the commands needed. " +
    ANSWER_INSTRUCTIONS.ops,
};

/** The task as the model sees it: its type and its payload (without the step list, which comes turn by turn). */
export function taskMessage(task: AgentTask): string {
  const { steps: _steps, ...payload } = task.payload;
  return `Task type: ${task.type}\n\nTask payload (JSON):\n${JSON.stringify(payload, null, 2)}`;
}

/** The user's turn for step `index` (0-based) of `steps`; the first turn also carries the task. */
export function stepMessage(task: AgentTask, steps: readonly string[] | undefined, index: number): string {
  if (!steps) return taskMessage(task);
  const step = `Step ${index + 1} of ${steps.length}: ${steps[index]}`;
  return index === 0 ? `${taskMessage(task)}\n\nWork through the task step by step.\n\n${step}` : step;
}
