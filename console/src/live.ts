/**
 * A project's live updates (docs/websocket.md): first what the log already holds (GET /events), then the
 * WebSocket with a ticket, acknowledging each message and asking for a replay (`resume`) after every
 * (re)connect and at every gap in the ids. A dropped socket reconnects with exponential backoff and jitter;
 * when a socket cannot be opened three times in a row the feed polls GET /events instead, says so, and keeps
 * trying the socket in the background. Each message reaches `onMessages` once, in id order, whichever way it
 * came. No DOM here: the feed runs in the browser and, in the tests, in Node.
 */
import { isMessageId, messageId, type ProjectMessage } from "../../contracts/messages";
import { WS_QUERY } from "../../contracts/websocket";
import { ConsoleError } from "./api";

/** What the browser's WebSocket (and the `ws` package) offer that the feed uses. */
export interface SocketLike {
  onopen: ((event: never) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
  send(data: string): void;
  close(): void;
}

export interface Ticket {
  readonly ticket: string;
  readonly client_id: string;
  /** Seconds the ticket stays valid from when it was issued. */
  readonly expires_in: number;
}

export interface EventsPage {
  readonly items: ProjectMessage[];
  readonly next_cursor: string | null;
  readonly more: boolean;
}

export type LiveState =
  | { readonly mode: "connecting" }
  | { readonly mode: "live" }
  | {
      readonly mode: "reconnecting";
      readonly reason: string;
      readonly retryInMs: number;
      readonly attempt: number;
    }
  | { readonly mode: "polling"; readonly reason: string }
  | { readonly mode: "stopped" };

export interface FeedDeps {
  /** Absent where the stack has no WebSocket API: the feed polls. */
  readonly wsUrl?: string;
  /** The key acknowledgements are kept under, the same for every reconnect of this tab. */
  readonly clientId: string;
  ticket(projectId: string, clientId: string): Promise<Ticket>;
  events(projectId: string, after: string | undefined): Promise<EventsPage>;
  openSocket(url: string): SocketLike;
  readonly now?: () => number;
  readonly random?: () => number;
  readonly setTimer?: (fn: () => void, ms: number) => unknown;
  readonly clearTimer?: (handle: unknown) => void;
  /** Between two polls. Default 3 s. */
  readonly pollMs?: number;
  /** Between two tries of the socket while polling. Default 30 s. */
  readonly socketRetryMs?: number;
}

/** Sockets that fail to open in a row before the feed polls instead. */
export const FAILURES_BEFORE_POLLING = 3;
const MAX_BACKOFF_MS = 30_000;

/** Attempt n (1, 2, ...) waits about 1, 2, 4, ... s, at most 30 s, each with up to half of it as jitter. */
export function backoffMs(attempt: number, random: () => number): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling * (0.5 + random() / 2));
}

export class LiveFeed {
  private cursor: string | undefined;
  private socket: SocketLike | undefined;
  /** Sockets in a row that never opened. */
  private failures = 0;
  private attempt = 0;
  private polling = false;
  private stopped = false;
  private resumeAsked = false;
  private pollTimer: unknown;
  private retryTimer: unknown;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;

  constructor(
    readonly projectId: string,
    private readonly deps: FeedDeps,
    private readonly onMessages: (messages: ProjectMessage[]) => void,
    private readonly onState: (state: LiveState) => void,
  ) {
    this.now = deps.now ?? (() => Date.now());
    this.random = deps.random ?? Math.random;
    this.setTimer = deps.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = deps.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  }

  /** Loads what the log holds (errors reach the caller), then goes live. */
  async start(): Promise<void> {
    await this.catchUp();
    if (this.stopped) return;
    if (!this.deps.wsUrl) this.startPolling("this stack has no WebSocket API");
    else void this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimer(this.pollTimer);
    this.clearTimer(this.retryTimer);
    const socket = this.socket;
    this.socket = undefined;
    socket?.close();
    this.onState({ mode: "stopped" });
  }

  /** The id of the last message delivered. */
  get lastId(): string | undefined {
    return this.cursor;
  }

  private async catchUp(): Promise<void> {
    for (;;) {
      const page = await this.deps.events(this.projectId, this.cursor);
      if (this.stopped) return;
      this.deliver(page.items);
      if (!page.more || page.items.length === 0) return;
    }
  }

  /** Delivers the messages after the cursor, in order; returns those delivered. */
  private deliver(items: readonly ProjectMessage[]): ProjectMessage[] {
    const fresh = items
      .filter((m) => this.cursor === undefined || m.id > this.cursor)
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .filter((m, i, all) => i === 0 || m.id !== all[i - 1].id);
    if (fresh.length === 0) return [];
    this.cursor = fresh[fresh.length - 1].id;
    this.onMessages(fresh);
    return fresh;
  }

  private async connect(): Promise<void> {
    if (this.stopped || !this.deps.wsUrl) return;
    if (!this.polling) this.onState({ mode: "connecting" });
    let ticket: Ticket;
    try {
      ticket = await this.deps.ticket(this.projectId, this.deps.clientId);
    } catch (error) {
      if (this.stopped) return;
      if (error instanceof ConsoleError && error.code === "NOT_IMPLEMENTED") {
        this.startPolling("this stack's WebSocket API takes only SigV4-signed (IAM) connections");
        return;
      }
      this.failed(`no ticket for the WebSocket: ${(error as Error).message}`, false);
      return;
    }
    if (this.stopped) return;
    const receivedAt = this.now();
    const url =
      `${this.deps.wsUrl}?${WS_QUERY.projectId}=${encodeURIComponent(this.projectId)}` +
      `&${WS_QUERY.ticket}=${encodeURIComponent(ticket.ticket)}`;
    let socket: SocketLike;
    try {
      socket = this.deps.openSocket(url);
    } catch (error) {
      this.failed(`the browser would not open the WebSocket (${(error as Error).message})`, false);
      return;
    }
    this.socket = socket;
    let opened = false;
    let ended = false;
    const end = () => {
      if (ended || this.socket !== socket || this.stopped) return;
      ended = true;
      this.socket = undefined;
      if (opened) {
        this.failed("the connection dropped", true);
        return;
      }
      // The browser does not say why a socket was refused; a ticket past its lifetime is the one cause the
      // console can tell apart (the authorizer refuses it with 403).
      const expired = this.now() >= receivedAt + ticket.expires_in * 1000;
      this.failed(
        expired
          ? "the ticket for live updates had expired, so the connection was refused; getting a new one"
          : "the WebSocket could not be opened",
        false,
      );
    };
    socket.onopen = () => {
      if (this.socket !== socket) return;
      opened = true;
      this.failures = 0;
      this.attempt = 0;
      this.stopPolling();
      this.resumeAsked = false;
      this.resume();
      this.onState({ mode: "live" });
    };
    socket.onmessage = (event) => this.frame(socket, event.data);
    socket.onclose = end;
    socket.onerror = end;
  }

  private resume(): void {
    this.send({ action: "resume", ...(this.cursor ? { after: this.cursor } : {}) });
  }

  private send(frame: Record<string, unknown>): void {
    try {
      this.socket?.send(JSON.stringify(frame));
    } catch {
      // A socket closing as we send: its close event takes over.
    }
  }

  private frame(socket: SocketLike, data: unknown): void {
    if (this.socket !== socket || typeof data !== "string") return;
    let frame: Record<string, unknown>;
    try {
      frame = JSON.parse(data) as Record<string, unknown>;
    } catch {
      return;
    }
    if (frame.type === "resumed") {
      this.resumeAsked = false;
      if (frame.more === true) {
        this.resumeAsked = true;
        this.send({ action: "resume", after: frame.last_id });
      }
      return;
    }
    if (!isMessageId(frame.id) || typeof frame.modification_id !== "string") return;
    const message = frame as unknown as ProjectMessage;
    const expected = messageId(this.cursor === undefined ? 1 : Number(this.cursor) + 1);
    if (message.id < expected) return; // a copy of one delivered already (delivery is at least once)
    if (message.id > expected) {
      // A gap: the missed messages (and this one) come again in order after the cursor.
      if (!this.resumeAsked) {
        this.resumeAsked = true;
        this.resume();
      }
      return;
    }
    this.deliver([message]);
    this.send({ action: "ack", id: message.id });
  }

  private failed(reason: string, wasOpen: boolean): void {
    if (this.stopped) return;
    if (!wasOpen) this.failures += 1;
    if (this.polling || this.failures >= FAILURES_BEFORE_POLLING) {
      this.startPolling(reason);
      this.clearTimer(this.retryTimer);
      this.retryTimer = this.setTimer(() => void this.connect(), this.deps.socketRetryMs ?? 30_000);
      return;
    }
    this.attempt += 1;
    const retryInMs = backoffMs(this.attempt, this.random);
    this.onState({ mode: "reconnecting", reason, retryInMs, attempt: this.attempt });
    this.clearTimer(this.retryTimer);
    this.retryTimer = this.setTimer(() => void this.connect(), retryInMs);
  }

  private startPolling(reason: string): void {
    this.onState({ mode: "polling", reason });
    if (this.polling) return;
    this.polling = true;
    const tick = async () => {
      if (!this.polling || this.stopped) return;
      try {
        await this.catchUp();
      } catch (error) {
        if (this.polling && !this.stopped)
          this.onState({
            mode: "polling",
            reason: `${reason}; the last poll failed: ${(error as Error).message}`,
          });
      }
      if (this.polling && !this.stopped)
        this.pollTimer = this.setTimer(() => void tick(), this.deps.pollMs ?? 3000);
    };
    void tick();
  }

  private stopPolling(): void {
    this.polling = false;
    this.clearTimer(this.pollTimer);
  }
}
