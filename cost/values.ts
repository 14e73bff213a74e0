/* Reading serialized resource inputs for the cost estimate: numbers that may arrive as strings, lists that may be absent. */

export type Props = Record<string, unknown>;

export const num = (v: unknown, fallback = 0): number =>
  typeof v === "number" ? v : typeof v === "string" && v !== "" && !isNaN(Number(v)) ? Number(v) : fallback;

export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export const SUBNET = "aws:ec2/subnet:Subnet";
export const TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition";

/** Cents, as every item is rounded before the totals are summed. */
export const round = (n: number) => Math.round(n * 100) / 100;
