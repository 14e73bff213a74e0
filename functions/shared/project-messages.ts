/**
 * Publishing a project message: append it to the project's log (which gives it its id), then push it to the
 * project's WebSocket subscribers. The log is the truth: a push that fails is logged and the message waits
 * there for the client's `resume` or poll. A message deduplicated by the log is pushed again with its
 * original id (its first push may not have happened), which clients recognise by the id.
 */
import type { NewProjectMessage, ProjectMessage } from "../../contracts/messages";
import type { ProjectLog } from "./project-log";
import type { Pusher } from "./status-push";

export interface MessagePublisher {
  publish(message: NewProjectMessage, dedupeKey?: string): Promise<ProjectMessage>;
}

export function createMessagePublisher(deps: {
  log: ProjectLog;
  /** Absent where the stack has no WebSocket API: messages are then only polled. */
  pusher?: Pusher;
  warn: (message: string, attributes: Record<string, unknown>) => void;
}): MessagePublisher {
  return {
    async publish(message, dedupeKey) {
      const { message: stored } = await deps.log.append(message, dedupeKey);
      if (deps.pusher) {
        try {
          await deps.pusher.push(stored.project_id, stored);
        } catch (error) {
          deps.warn("push of a project message failed; it stays in the log for resume and polling", {
            projectId: stored.project_id,
            id: stored.id,
            type: stored.type,
            error,
          });
        }
      }
      return stored;
    },
  };
}
