/**
 * The smoke test's checks of the REST and WebSocket APIs, as a client uses them (docs/api.md, docs/websocket.md):
 * the health route without a key; a project created, read back, and deleted with the key; a WebSocket opened
 * with a ticket for that project, answering `resume`; and a tampered ticket refused at $connect.
 */
import { APIGatewayClient, GetApiKeyCommand } from "@aws-sdk/client-api-gateway";
import WebSocket from "ws";
import { WS_QUERY } from "../../contracts/websocket";
import { Check, Log, SmokeFailure } from "./run";

const REQUEST_TIMEOUT_MS = 15_000;

export interface ApiSession {
  readonly apiUrl: string;
  /** Resolves the key (the api-key check fetches it by id; the local runner gives it). */
  apiKey(): string;
}

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown> | undefined;
  readonly text: string;
}

/** A short, single-line rendering of a body for the log (never a key or a ticket: see redact). */
export function brief(text: string, max = 160): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

/** The ticket's signature, shortened: enough to tell tickets apart in a log, not enough to use one. */
export function redactTicket(ticket: string): string {
  return ticket.length > 16 ? `${ticket.slice(0, 12)}…(${ticket.length} chars)` : "…";
}

async function call(
  session: ApiSession,
  log: Log,
  method: string,
  path: string,
  options: { body?: unknown; key?: boolean; show?: (a: Answer) => string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.key !== false) headers["x-api-key"] = session.apiKey();
  let response: Response;
  try {
    response = await fetch(`${session.apiUrl}${path}`, {
      method,
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    const cause = (error as { cause?: Error }).cause;
    throw new SmokeFailure(
      `${method} ${path} got no answer: ${(error as Error).message}${cause ? ` (${cause.message})` : ""}`,
    );
  }
  const text = await response.text();
  let body: Record<string, unknown> | undefined;
  try {
    const parsed = JSON.parse(text) as unknown;
    body = typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    body = undefined;
  }
  const answer = { status: response.status, body, text };
  const sent = options.body === undefined ? "" : ` ${JSON.stringify(options.body)}`;
  log(`${method} ${path}${sent} -> ${response.status} ${options.show ? options.show(answer) : brief(text)}`);
  return answer;
}

function expectStatus(answer: Answer, expected: number, what: string, hint = ""): Record<string, unknown> {
  if (answer.status !== expected)
    throw new SmokeFailure(
      `${what} answered ${answer.status} ${brief(answer.text)}, expected ${expected}${hint ? `: ${hint}` : ""}`,
    );
  const data = answer.body?.data;
  if (typeof data !== "object" || data === null)
    throw new SmokeFailure(
      `${what} answered ${answer.status} without a {data} object: ${brief(answer.text)}`,
    );
  return data as Record<string, unknown>;
}

const KEY_HINT = "is the API key the stack's (output apiKeyId) and enabled in its usage plan?";

export function healthCheck(session: ApiSession): Check {
  return {
    name: "health",
    group: "health",
    async run(log) {
      const answer = await call(session, log, "GET", "/health", { key: false });
      const data = expectStatus(answer, 200, "GET /health (no key)");
      if (data.status !== "ok")
        throw new SmokeFailure(`GET /health answered data.status ${JSON.stringify(data.status)}, not "ok"`);
      return `GET /health without a key: 200 {"status":"ok"}`;
    },
  };
}

/** Shared by the project and WebSocket checks: the project they work on. */
export interface ProjectState {
  id?: string;
}

/**
 * The stack's API key, by the id the stack exports (GetApiKey with includeValue: the deploy role needs
 * apigateway:GET on the key, docs/deployment.md#smoke-test). `onKey` gets the value (to mask it in CI logs).
 */
export function apiKeyCheck(keyId: string, region: string | undefined, onKey: (key: string) => void): Check {
  return {
    name: "api-key",
    group: "project",
    async run(log) {
      const client = new APIGatewayClient(region ? { region } : {});
      try {
        const key = await client
          .send(new GetApiKeyCommand({ apiKey: keyId, includeValue: true }))
          .catch((error: Error) => {
            throw new SmokeFailure(`GetApiKey ${keyId} failed: ${error.name}: ${error.message}`);
          });
        log(
          `GetApiKey ${keyId} (includeValue) -> ${key.name ?? "(no name)"}, enabled ${String(key.enabled)}, ` +
            `a value of ${key.value?.length ?? 0} characters`,
        );
        if (!key.value) throw new SmokeFailure(`GetApiKey ${keyId} returned no value`);
        if (key.enabled === false) throw new SmokeFailure(`the API key ${keyId} is disabled`);
        onKey(key.value);
        return `the stack's API key ${keyId}, enabled`;
      } finally {
        client.destroy();
      }
    },
  };
}

export function projectChecks(
  session: ApiSession,
  state: ProjectState,
  runId: string,
  needs: readonly string[] = [],
): Check[] {
  const name = `smoke test ${runId}`;
  return [
    {
      name: "project-create",
      group: "project",
      needs,
      async run(log) {
        const body = {
          name,
          type: "api",
          owner_id: "smoke-test",
          description: "Created and deleted by tools/smoke-test.ts after a deploy",
        };
        const created = expectStatus(
          await call(session, log, "POST", "/api/projects", { body }),
          201,
          "POST /api/projects",
          KEY_HINT,
        );
        if (typeof created.id !== "string" || !created.id)
          throw new SmokeFailure(`POST /api/projects answered 201 without data.id`);
        state.id = created.id;
        const read = expectStatus(
          await call(session, log, "GET", `/api/projects/${encodeURIComponent(state.id)}`),
          200,
          `GET /api/projects/${state.id}`,
        );
        if (read.name !== name || read.status !== "active")
          throw new SmokeFailure(
            `GET /api/projects/${state.id} answered name ${JSON.stringify(read.name)}, status ${JSON.stringify(read.status)}; expected ${JSON.stringify(name)}, "active"`,
          );
        return `created ${state.id} and read it back (201, 200)`;
      },
    },
    {
      name: "project-delete",
      group: "project",
      needs: ["project-create"],
      async run(log) {
        const path = `/api/projects/${encodeURIComponent(state.id!)}`;
        const deleted = expectStatus(await call(session, log, "DELETE", path), 200, `DELETE ${path}`);
        if (deleted.deleted !== true)
          throw new SmokeFailure(`DELETE ${path} answered 200 without data.deleted: true`);
        const gone = await call(session, log, "GET", path);
        if (gone.status !== 404)
          throw new SmokeFailure(`GET ${path} after the delete answered ${gone.status}, expected 404`);
        return `deleted ${state.id}; reading it again answers 404`;
      },
    },
  ];
}

/** The WebSocket checks; they run between creating and deleting the project. */
export function websocketChecks(session: ApiSession, wsUrl: string, state: ProjectState): Check[] {
  let ticket: string | undefined;
  const connectUrl = (t: string) =>
    `${wsUrl}?${WS_QUERY.projectId}=${encodeURIComponent(state.id!)}&${WS_QUERY.ticket}=${encodeURIComponent(t)}`;
  return [
    {
      name: "websocket-ticket",
      group: "websocket",
      needs: ["project-create"],
      async run(log) {
        const path = `/api/projects/${encodeURIComponent(state.id!)}/ws-ticket`;
        const data = expectStatus(
          await call(session, log, "POST", path, {
            body: {},
            show: (a) =>
              a.status === 201
                ? `{ticket: ${redactTicket(String((a.body?.data as { ticket?: unknown })?.ticket ?? ""))}, ...}`
                : brief(a.text),
          }),
          201,
          `POST ${path}`,
        );
        if (typeof data.ticket !== "string" || data.project_id !== state.id)
          throw new SmokeFailure(`POST ${path} answered 201 without a ticket for project ${state.id}`);
        ticket = data.ticket;
        const socket = await open(connectUrl(ticket), log);
        try {
          if (socket.refused !== undefined)
            throw new SmokeFailure(
              `$connect with the ticket was refused with ${socket.refused}: the ticket authorizer or the ws function failed`,
            );
          log(`connected to ${wsUrl} with the ticket; sending {"action":"resume"}`);
          const reply = await nextFrame(socket.ws!, JSON.stringify({ action: "resume" }));
          log(`<- ${brief(JSON.stringify(reply))}`);
          if (reply.type !== "resumed" || reply.project_id !== state.id)
            throw new SmokeFailure(
              `the socket answered resume with ${brief(JSON.stringify(reply))}, expected {"type":"resumed","project_id":"${state.id}",...}`,
            );
        } finally {
          await close(socket.ws);
        }
        return 'ticket issued (201); $connect accepted; resume answered "resumed"';
      },
    },
    {
      name: "websocket-bad-ticket",
      group: "websocket",
      needs: ["websocket-ticket"],
      async run(log) {
        const forged = tamperedSignature(ticket!);
        const socket = await open(connectUrl(forged), log);
        await close(socket.ws);
        if (socket.refused === undefined)
          throw new SmokeFailure("$connect accepted a ticket with a tampered signature");
        if (socket.refused !== 403)
          throw new SmokeFailure(`$connect refused the tampered ticket with ${socket.refused}, expected 403`);
        return "$connect with a tampered ticket: refused with 403";
      },
    },
  ];
}

/**
 * The same ticket with the first character of its signature changed, so only the signature is wrong. (Not the
 * last character: in base64url its low bits are padding, and the decoded signature could stay the same.)
 */
export function tamperedSignature(ticket: string): string {
  const at = ticket.lastIndexOf(".") + 1;
  return `${ticket.slice(0, at)}${ticket[at] === "A" ? "B" : "A"}${ticket.slice(at + 1)}`;
}

async function open(url: string, log: Log): Promise<{ ws?: WebSocket; refused?: number }> {
  const printable = url.replace(/([?&]ticket=)[^&]*/, "$1…");
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { handshakeTimeout: REQUEST_TIMEOUT_MS });
    ws.once("open", () => {
      log(`open ${printable} -> 101 Switching Protocols`);
      resolve({ ws });
    });
    ws.once("unexpected-response", (_req, res) => {
      log(`open ${printable} -> ${res.statusCode} (refused)`);
      res.resume();
      ws.terminate();
      resolve({ refused: res.statusCode ?? 0 });
    });
    ws.once("error", (error) =>
      reject(new SmokeFailure(`open ${printable} failed: ${(error as Error).message}`)),
    );
  });
}

/** Sends `frame` and resolves with the next frame the server sends. */
function nextFrame(ws: WebSocket, frame: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new SmokeFailure(`no answer to ${frame} within ${REQUEST_TIMEOUT_MS / 1000} s`)),
      REQUEST_TIMEOUT_MS,
    );
    ws.once("message", (data) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(String(data)) as Record<string, unknown>);
      } catch {
        reject(new SmokeFailure(`the socket answered ${brief(String(data))}, not JSON`));
      }
    });
    ws.once("close", (code) => {
      clearTimeout(timer);
      reject(new SmokeFailure(`the socket closed (${code}) before answering ${frame}`));
    });
    ws.send(frame);
  });
}

function close(ws: WebSocket | undefined): Promise<void> {
  if (!ws || ws.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => (ws.terminate(), resolve()), 5_000);
    ws.once("close", () => (clearTimeout(timer), resolve()));
    ws.close();
  });
}
