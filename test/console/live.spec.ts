/**
 * The console's live feed (console/src/live.ts) with scripted sockets, timers and API calls: what it sends,
 * when it reconnects, when it polls, and that every message reaches the view once and in order. The feed
 * against the real local stack in a real browser is test/console/browser.spec.ts.
 */
import * as assert from "assert";
import { ConsoleError } from "../../console/src/api";
import {
  backoffMs,
  FAILURES_BEFORE_POLLING,
  LiveFeed,
  type LiveState,
  type SocketLike,
} from "../../console/src/live";
import { messageId, type ProjectMessage } from "../../contracts/messages";

const msg = (n: number): ProjectMessage => ({
  id: messageId(n),
  type: "agent_status",
  project_id: "proj_1",
  modification_id: "mod_1",
  at: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
  agent: "pm",
  round: 0,
  status: "queued",
});

class ScriptedSocket implements SocketLike {
  onopen: ((event: never) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: never) => void) | null = null;
  onerror: ((event: never) => void) | null = null;
  readonly sent: Record<string, unknown>[] = [];
  closed = false;
  constructor(readonly url: string) {}
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.closed = true;
  }
  open() {
    this.onopen?.(undefined as never);
  }
  push(frame: object) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  drop() {
    this.onclose?.(undefined as never);
  }
}

/** A feed with everything scripted; timers run when the test says. */
function harness(options: { wsUrl?: string | undefined; log?: ProjectMessage[]; expiresIn?: number } = {}) {
  const log = [...(options.log ?? [])];
  const sockets: ScriptedSocket[] = [];
  const delivered: ProjectMessage[] = [];
  const states: LiveState[] = [];
  const timers: { fn: () => void; ms: number; cleared: boolean }[] = [];
  const tickets: string[] = [];
  let ticketError: Error | undefined;
  let now = 1_000_000;
  const feed = new LiveFeed(
    "proj_1",
    {
      wsUrl: "wsUrl" in options ? options.wsUrl : "ws://127.0.0.1:9",
      clientId: "console_0123456789",
      ticket: async (projectId, clientId) => {
        if (ticketError) throw ticketError;
        tickets.push(`${projectId}/${clientId}`);
        return {
          ticket: `v1.t${tickets.length}.sig`,
          client_id: clientId,
          expires_in: options.expiresIn ?? 300,
        };
      },
      events: async (_projectId, after) => {
        const items = log.filter((m) => after === undefined || m.id > after).slice(0, 2);
        return {
          items,
          next_cursor: items.at(-1)?.id ?? after ?? null,
          more: log.filter((m) => after === undefined || m.id > after).length > 2,
        };
      },
      openSocket: (url) => {
        const s = new ScriptedSocket(url);
        sockets.push(s);
        return s;
      },
      now: () => now,
      random: () => 1,
      setTimer: (fn, ms) => {
        const t = { fn, ms, cleared: false };
        timers.push(t);
        return t;
      },
      clearTimer: (t) => {
        if (t) (t as { cleared: boolean }).cleared = true;
      },
    },
    (fresh) => delivered.push(...fresh),
    (state) => states.push(state),
  );
  const flush = () => new Promise<void>((resolve) => setImmediate(resolve));
  return {
    feed,
    log,
    sockets,
    delivered,
    states,
    timers,
    tickets,
    flush,
    failTickets: (error: Error) => (ticketError = error),
    /** Starts the feed and lets its first ticket request and socket happen. */
    async begin() {
      await feed.start();
      await flush();
    },
    advance: (ms: number) => (now += ms),
    /** Runs the newest live timer. */
    async fire() {
      const t = timers.filter((x) => !x.cleared).at(-1);
      assert.ok(t, "a timer is set");
      t.cleared = true;
      t.fn();
      await flush();
      return t.ms;
    },
  };
}

describe("console live feed", () => {
  it("loads the log page by page, then connects with a ticket for the project and resumes after what it has", async () => {
    const h = harness({ log: [msg(1), msg(2), msg(3)] });
    await h.begin();
    assert.deepStrictEqual(
      h.delivered.map((m) => m.id),
      ["000000000001", "000000000002", "000000000003"],
    );
    assert.deepStrictEqual(h.tickets, ["proj_1/console_0123456789"]);
    assert.strictEqual(h.sockets[0].url, "ws://127.0.0.1:9?project_id=proj_1&ticket=v1.t1.sig");
    h.sockets[0].open();
    assert.deepStrictEqual(h.sockets[0].sent, [{ action: "resume", after: "000000000003" }]);
    assert.deepStrictEqual(h.states.at(-1), { mode: "live" });
  });

  it("delivers each pushed message once, in order, acknowledging it; a gap asks for a replay instead", async () => {
    const h = harness({ log: [msg(1)] });
    await h.begin();
    const s = h.sockets[0];
    s.open();
    s.push(msg(2));
    s.push(msg(2)); // at least once: the copy is dropped
    s.push(msg(4)); // 3 is missing
    s.push(msg(5));
    assert.deepStrictEqual(
      h.delivered.map((m) => m.id),
      ["000000000001", "000000000002"],
    );
    assert.deepStrictEqual(s.sent.slice(1), [
      { action: "ack", id: "000000000002" },
      { action: "resume", after: "000000000002" },
    ]);
    // The replay: 3, 4, 5 in order, then the control frame.
    for (const n of [3, 4, 5]) s.push(msg(n));
    s.push({ type: "resumed", project_id: "proj_1", replayed: 3, last_id: "000000000005", more: false });
    assert.deepStrictEqual(
      h.delivered.map((m) => Number(m.id)),
      [1, 2, 3, 4, 5],
    );
    assert.deepStrictEqual(s.sent.at(-1), { action: "ack", id: "000000000005" });
  });

  it("asks for the rest when a replay says there is more", async () => {
    const h = harness();
    await h.begin();
    h.sockets[0].open();
    h.sockets[0].push(msg(1));
    h.sockets[0].push({
      type: "resumed",
      project_id: "proj_1",
      replayed: 200,
      last_id: "000000000001",
      more: true,
    });
    assert.deepStrictEqual(h.sockets[0].sent.at(-1), { action: "resume", after: "000000000001" });
  });

  it("reconnects a dropped socket after a backoff, with a new ticket, resuming after the last message", async () => {
    const h = harness();
    await h.begin();
    h.sockets[0].open();
    h.sockets[0].push(msg(1));
    h.sockets[0].drop();
    assert.deepStrictEqual(h.states.at(-1), {
      mode: "reconnecting",
      reason: "the connection dropped",
      retryInMs: 1000,
      attempt: 1,
    });
    assert.strictEqual(await h.fire(), 1000);
    assert.strictEqual(h.tickets.length, 2);
    h.sockets[1].open();
    assert.deepStrictEqual(h.sockets[1].sent, [{ action: "resume", after: "000000000001" }]);
    assert.deepStrictEqual(h.states.at(-1), { mode: "live" });
  });

  it("backs off exponentially with jitter, at most 30 s", () => {
    assert.deepStrictEqual(
      [1, 2, 3, 4, 5, 6, 7].map((n) => backoffMs(n, () => 1)),
      [1000, 2000, 4000, 8000, 16000, 30000, 30000],
    );
    assert.deepStrictEqual(
      [1, 6].map((n) => backoffMs(n, () => 0)),
      [500, 15000],
    );
  });

  it("polls, and says so, after sockets fail to open three times in a row; the socket takes over when it opens", async () => {
    const h = harness({ log: [msg(1)] });
    await h.begin();
    for (let i = 0; i < FAILURES_BEFORE_POLLING - 1; i++) {
      h.sockets[i].drop();
      assert.strictEqual(h.states.at(-1)?.mode, "reconnecting");
      await h.fire();
    }
    h.sockets[FAILURES_BEFORE_POLLING - 1].drop();
    await h.flush();
    assert.deepStrictEqual(h.states.at(-1), { mode: "polling", reason: "the WebSocket could not be opened" });
    // A poll delivers what the log gained.
    h.log.push(msg(2));
    const pollTimer = h.timers.filter((t) => !t.cleared && t.ms === 3000).at(-1)!;
    pollTimer.cleared = true;
    pollTimer.fn();
    await h.flush();
    assert.deepStrictEqual(
      h.delivered.map((m) => Number(m.id)),
      [1, 2],
    );
    // The socket is tried again in the background, every 30 s; when it opens, polling stops.
    const retry = h.timers.filter((t) => !t.cleared && t.ms === 30_000).at(-1)!;
    retry.cleared = true;
    retry.fn();
    await h.flush();
    h.sockets.at(-1)!.open();
    assert.deepStrictEqual(h.states.at(-1), { mode: "live" });
    assert.ok(
      h.timers.filter((t) => t.ms === 3000).every((t) => t.cleared),
      "no poll left",
    );
  });

  it("tells an expired ticket apart from a socket that could not open", async () => {
    const expired = harness({ expiresIn: 0 });
    await expired.begin();
    expired.sockets[0].drop();
    const state = expired.states.at(-1);
    assert.strictEqual(state?.mode, "reconnecting");
    assert.match((state as { reason: string }).reason, /ticket for live updates had expired/);

    const fresh = harness({ expiresIn: 300 });
    await fresh.begin();
    fresh.advance(299_000);
    fresh.sockets[0].drop();
    assert.deepStrictEqual(
      (fresh.states.at(-1) as { reason: string }).reason,
      "the WebSocket could not be opened",
    );
  });

  it("polls from the start where the stack has no WebSocket API or only IAM connections", async () => {
    const none = harness({ wsUrl: undefined });
    await none.feed.start();
    assert.deepStrictEqual(none.states.at(-1), {
      mode: "polling",
      reason: "this stack has no WebSocket API",
    });
    assert.strictEqual(none.sockets.length, 0);

    const iam = harness();
    iam.failTickets(new ConsoleError("api", "IAM", 501, "NOT_IMPLEMENTED"));
    await iam.begin();
    assert.deepStrictEqual(iam.states.at(-1), {
      mode: "polling",
      reason: "this stack's WebSocket API takes only SigV4-signed (IAM) connections",
    });
  });

  it("stops: closes its socket, sets no timer, delivers nothing more", async () => {
    const h = harness();
    await h.begin();
    const s = h.sockets[0];
    s.open();
    h.feed.stop();
    assert.ok(s.closed);
    s.push(msg(1));
    s.drop();
    assert.deepStrictEqual(h.delivered, []);
    assert.deepStrictEqual(h.states.at(-1), { mode: "stopped" });
    assert.ok(h.timers.every((t) => t.cleared));
  });
});
