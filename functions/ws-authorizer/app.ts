/**
 * The WebSocket API's $connect REQUEST authorizer: allows the connection when the `ticket` query parameter is
 * a valid ticket (functions/shared/ticket.ts) for the `project_id` query parameter, and denies it otherwise, so
 * API Gateway answers 403 and the ws function never runs. The allowed connection carries the ticket's project
 * and client id to the ws function (requestContext.authorizer).
 *
 * No identity sources are configured on the authorizer: API Gateway would answer 401 to a connection without
 * them, without calling the function; this way every refusal is the same 403, with its reason in the log.
 */
import { WS_QUERY } from "../../contracts/websocket";
import { verifyTicket } from "../shared/ticket";

/** The fields of a WebSocket REQUEST authorizer event the function reads. */
export interface AuthorizerEvent {
  readonly type?: string;
  readonly methodArn: string;
  readonly queryStringParameters?: Record<string, string | undefined> | null;
  readonly requestContext?: { readonly connectionId?: string; readonly requestId?: string };
}

export interface AuthorizerResult {
  readonly principalId: string;
  readonly policyDocument: {
    readonly Version: "2012-10-17";
    readonly Statement: readonly { Action: string; Effect: "Allow" | "Deny"; Resource: string }[];
  };
  readonly context?: Readonly<Record<string, string>>;
}

export interface AuthorizerDeps {
  /** The keys a ticket may be signed with (the current and, after a rotation, the previous one). */
  readonly keys: () => Promise<{ readonly accepted: readonly Buffer[] }>;
  readonly now?: () => number;
  readonly log?: (decision: Record<string, unknown>) => void;
}

const policy = (effect: "Allow" | "Deny", resource: string) => ({
  Version: "2012-10-17" as const,
  Statement: [{ Action: "execute-api:Invoke", Effect: effect, Resource: resource }],
});

export function createAuthorizer(deps: AuthorizerDeps) {
  const now = deps.now ?? Date.now;
  return async function authorize(event: AuthorizerEvent): Promise<AuthorizerResult> {
    const query = event.queryStringParameters ?? {};
    const projectId = query[WS_QUERY.projectId];
    let check;
    try {
      check = verifyTicket((await deps.keys()).accepted, query[WS_QUERY.ticket], {
        projectId,
        nowSeconds: Math.floor(now() / 1000),
      });
    } catch (error) {
      // No key yet (before the first rotation) or Secrets Manager failing: nobody gets in.
      check = {
        ok: false as const,
        reason: `ticket key unavailable: ${(error as Error)?.name ?? String(error)}`,
      };
    }
    deps.log?.({
      connectionId: event.requestContext?.connectionId,
      projectId: projectId ?? null,
      allowed: check.ok,
      ...(check.ok ? { clientId: check.claims.clientId } : { reason: check.reason }),
    });
    if (!check.ok) return { principalId: "anonymous", policyDocument: policy("Deny", event.methodArn) };
    return {
      principalId: `ticket:${check.claims.clientId}`,
      policyDocument: policy("Allow", event.methodArn),
      context: { projectId: check.claims.projectId, clientId: check.claims.clientId },
    };
  };
}
