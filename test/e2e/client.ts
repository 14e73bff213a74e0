/**
 * A client of the local stack as a browser or a script would be one: the REST API with the API key, and the
 * WebSocket API with a ticket (the `ws` package; Node 20 has no WebSocket client). Messages are acknowledged
 * as they arrive, as the contract asks (docs/websocket.md).
 */
import WebSocket from "ws";
import type { ProjectMessage } from "../../contracts/messages";

export interface Endpoints {
  readonly apiUrl: string;
  readonly wsUrl: string;
  readonly apiKey: string;
}

export interface ApiBody<T = Record<string, unknown>> {
  readonly success: boolean;
  readonly data: T;
  readonly error?: { code: string; message: string; details?: Record<string, unknown> };
  readonly request_id: string;
  readonly timestamp: string;
}

export async function api<T = Record<string, unknown>>(
  e: Endpoints,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: ApiBody<T> }> {
  const res = await fetch(`${e.apiUrl}${path}`, {
    method,
    headers: { "content-type": "application/json", "x-api-key": e.apiKey },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as ApiBody<T> };
}

/** A new project from the seed's template, as the end-to-end test makes it. */
export async function projectFromTemplate(e: Endpoints): Promise<string> {
  const res = await api<{ project: { id: string } }>(e, "POST", "/api/projects/from-template", {
    template_id: "rest-api-fastapi",
    project_name: "My API",
    variables: { db_name: "mydb" },
  });
  if (res.status !== 201)
    throw new Error(`from-template answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.data.project.id;
}

export interface Watcher {
  readonly socket: WebSocket;
  readonly clientId: string;
  /** Every frame received, in order (messages and control frames). */
  readonly frames: Record<string, unknown>[];
  /**
   * The project messages received (frames with an id), each once: delivery is at least once (a redelivered step
   * pushes its message again, with the same id), and clients keep the first copy of an id.
   */
  messages(): ProjectMessage[];
  /** Resolves with the first frame (received already or later) that passes `test`. */
  waitFor(
    test: (frame: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  send(frame: object): void;
  close(): Promise<void>;
}

/** Opens the project's socket with a fresh ticket (for `clientId`, or a new client). */
export async function watch(
  e: Endpoints,
  projectId: string,
  options: { clientId?: string; ack?: boolean } = {},
): Promise<Watcher> {
  const ticket = await api<{ ticket: string; client_id: string }>(
    e,
    "POST",
    `/api/projects/${projectId}/ws-ticket`,
    options.clientId ? { client_id: options.clientId } : {},
  );
  if (ticket.status !== 201) throw new Error(`ws-ticket answered ${ticket.status}`);
  const url = `${e.wsUrl}?project_id=${encodeURIComponent(projectId)}&ticket=${encodeURIComponent(ticket.body.data.ticket)}`;
  const socket = new WebSocket(url);
  const frames: Record<string, unknown>[] = [];
  const waiters: {
    test: (f: Record<string, unknown>) => boolean;
    resolve: (f: Record<string, unknown>) => void;
  }[] = [];
  socket.on("message", (data) => {
    const frame = JSON.parse(String(data)) as Record<string, unknown>;
    frames.push(frame);
    if (options.ack !== false && typeof frame.id === "string")
      socket.send(JSON.stringify({ action: "ack", id: frame.id }));
    for (const w of [...waiters])
      if (w.test(frame)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(frame);
      }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("unexpected-response", (_req, res) =>
      reject(new Error(`WebSocket refused: ${res.statusCode}`)),
    );
    socket.once("error", reject);
  });
  return {
    socket,
    clientId: ticket.body.data.client_id,
    frames,
    messages: () => {
      const seen = new Set<unknown>();
      return frames.filter(
        (f) => typeof f.id === "string" && !seen.has(f.id) && seen.add(f.id),
      ) as unknown as ProjectMessage[];
    },
    waitFor: (test, timeoutMs = 30_000) => {
      const seen = frames.find(test);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `no matching frame within ${timeoutMs} ms; got ${JSON.stringify(frames.map((f) => [f.id, f.type, f.agent, f.status]))}`,
              ),
            ),
          timeoutMs,
        );
        waiters.push({ test, resolve: (f) => (clearTimeout(timer), resolve(f)) });
      });
    },
    send: (frame) => socket.send(JSON.stringify(frame)),
    close: () =>
      new Promise<void>((resolve) => {
        if (socket.readyState === WebSocket.CLOSED) return resolve();
        socket.once("close", () => resolve());
        socket.close();
      }),
  };
}

/** The end of a modification: `modification_complete` or `modification_failed`. */
export const finished = (modificationId: string) => (f: { type?: unknown; modification_id?: unknown }) =>
  (f.type === "modification_complete" || f.type === "modification_failed") &&
  f.modification_id === modificationId;

export async function modify(e: Endpoints, projectId: string, request: string): Promise<string> {
  const res = await api<{ id: string }>(e, "POST", `/api/projects/${projectId}/modify`, { request });
  if (res.status !== 202) throw new Error(`modify answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.data.id;
}
