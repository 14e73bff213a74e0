/**
 * What clients receive about a project: over the WebSocket API (pushed, replayed on `resume`) and from
 * `GET /api/projects/{id}/events?after=<cursor>` (polled). Both carry the same messages with the same ids.
 *
 * A message id is the message's position in its project's log: 12 decimal digits, one more than the previous
 * message of the same project (so ids sort as strings, and a gap shows a missed message). Ids are per
 * project; the cursor of `?after=` and the id of `ack` are message ids.
 */
import type { AgentName } from "./agents";

/** A step's status, as the agent's task record moves: queued -> running -> succeeded | failed, or continued. */
export const STEP_STATUSES = ["queued", "running", "succeeded", "failed", "continued"] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

interface Base {
  /** The message's id in its project's log. */
  readonly id: string;
  readonly project_id: string;
  readonly modification_id: string;
  /** ISO 8601. */
  readonly at: string;
}

export interface AgentStatusMessage extends Base {
  readonly type: "agent_status";
  readonly agent: AgentName;
  readonly round: number;
  readonly status: StepStatus;
  /** Status-specific: progress ({step, of}), the result ({artifacts, usage, verdict, summary}), the error. */
  readonly detail?: Readonly<Record<string, unknown>>;
}

export interface ModificationCompleteMessage extends Base {
  readonly type: "modification_complete";
  /** The artifacts of the modification by kind: plan, files, qa_reports, manifest (artifact keys). */
  readonly artifacts: Readonly<Record<string, unknown>>;
}

export interface ModificationFailedMessage extends Base {
  readonly type: "modification_failed";
  readonly reason: string;
  /** The agent whose step ended the modification. */
  readonly agent?: AgentName;
}

export type ProjectMessage = AgentStatusMessage | ModificationCompleteMessage | ModificationFailedMessage;
export type ProjectMessageType = ProjectMessage["type"];

type WithoutId<T> = T extends unknown ? Omit<T, "id"> : never;
/** A message before the project log gives it its id. */
export type NewProjectMessage = WithoutId<ProjectMessage>;

export const MESSAGE_ID_DIGITS = 12;
const MESSAGE_ID = new RegExp(`^\\d{${MESSAGE_ID_DIGITS}}$`);

export function messageId(sequence: number): string {
  return String(sequence).padStart(MESSAGE_ID_DIGITS, "0");
}

export function isMessageId(value: unknown): value is string {
  return typeof value === "string" && MESSAGE_ID.test(value);
}

/** The actions a client sends (`{"action": ...}` frames on the $default route). */
export const CLIENT_ACTIONS = ["subscribe", "unsubscribe", "ack", "resume"] as const;
export type ClientAction = (typeof CLIENT_ACTIONS)[number];

export type ControlErrorCode =
  | "BAD_JSON"
  | "UNKNOWN_ACTION"
  | "VALIDATION_ERROR"
  | "NOT_CONNECTED"
  | "FORBIDDEN"
  | "LIMIT_EXCEEDED"
  | "INTERNAL";

/** Replies to a client's frame; they are not logged and carry no id. */
export type ControlFrame =
  | { readonly type: "subscribed" | "unsubscribed"; readonly project_id: string }
  | {
      readonly type: "resumed";
      readonly project_id: string;
      /** How many messages were sent again. */
      readonly replayed: number;
      /** The id of the last message sent, or the cursor the replay started after. */
      readonly last_id: string | null;
      /** More messages are in the log than one resume sends: resume again (or poll) from last_id. */
      readonly more: boolean;
    }
  | {
      readonly type: "error";
      readonly error: {
        readonly code: ControlErrorCode;
        readonly message: string;
        readonly details?: Record<string, unknown>;
      };
    };
