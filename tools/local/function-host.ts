/**
 * Local Lambda functions: each function runs its bundle (.build/functions/<name>/index.js, the code archive
 * Lambda runs) in a worker thread of its own, with its own environment (as Lambda gives each function), so the
 * same handler code runs here and in AWS. An invocation that outlives the function's timeout fails and its
 * thread is stopped, as Lambda stops a sandbox; `kill` stops it at any moment (a crash). The next invocation
 * starts a new thread (a cold start). Threads write their logs to the runner's stderr, each line prefixed with
 * the function name.
 */
import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import { Writable } from "node:stream";
import { Worker } from "node:worker_threads";

export interface FunctionSpec {
  readonly name: string;
  /**
   * The entry module, absolute or relative to the repository root: a function's bundle, or a TypeScript module
   * (a test's fixture), which the thread loads through the project's loader.
   */
  readonly entry: string;
  readonly handler?: string;
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
}

export class InvocationError extends Error {
  constructor(
    readonly functionName: string,
    readonly errorName: string,
    message: string,
  ) {
    super(`${functionName}: ${errorName}: ${message}`);
    this.name = "InvocationError";
  }
}

const ROOT = resolve(__dirname, "..", "..");

/** Each line of a thread's output, prefixed with the function's name, written to `out` (not piped: many threads share it). */
function prefixed(name: string, out: NodeJS.WritableStream): Writable {
  let rest = "";
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      const lines = (rest + chunk.toString("utf8")).split("\n");
      rest = lines.pop() ?? "";
      if (lines.length > 0) out.write(lines.map((l) => `[${name}] ${l}\n`).join(""));
      done();
    },
    final(done) {
      if (rest) out.write(`[${name}] ${rest}\n`);
      done();
    },
  });
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export class FunctionHost {
  private worker: Worker | undefined;
  private ready: Promise<Worker> | undefined;
  private readonly pending = new Map<string, Pending>();
  /** Closed with the runner: no invocation starts a thread again (a late event would keep the process alive). */
  private closed = false;
  /** Invocations started, and threads started (cold starts). */
  invocations = 0;
  coldStarts = 0;

  constructor(
    readonly spec: FunctionSpec,
    private readonly logs: NodeJS.WritableStream = process.stderr,
  ) {}

  /** Starts the thread now (the runner warms every function before it says it is ready). */
  async start(): Promise<void> {
    await this.thread();
  }

  private thread(): Promise<Worker> {
    if (this.ready) return this.ready;
    this.coldStarts++;
    const worker = new Worker(resolve(__dirname, "function-thread.js"), {
      env: { ...this.spec.env },
      workerData: {
        register: resolve(ROOT, "tools", "register-ts.js"),
        entry: resolve(ROOT, this.spec.entry),
        handler: this.spec.handler ?? "handler",
        functionName: this.spec.name,
      },
      stdout: true,
      stderr: true,
    });
    worker.stdout.pipe(prefixed(this.spec.name, this.logs));
    worker.stderr.pipe(prefixed(this.spec.name, this.logs));
    this.worker = worker;
    this.ready = new Promise<Worker>((resolveReady, rejectReady) => {
      worker.on(
        "message",
        (message: {
          ready?: true;
          id?: string;
          result?: unknown;
          error?: { name: string; message: string };
        }) => {
          if (message.ready) return resolveReady(worker);
          const call = message.id ? this.pending.get(message.id) : undefined;
          if (!call) return;
          this.pending.delete(message.id!);
          clearTimeout(call.timer);
          if (message.error)
            call.reject(new InvocationError(this.spec.name, message.error.name, message.error.message));
          else call.resolve(message.result);
        },
      );
      worker.on("error", (error) => {
        rejectReady(error);
        this.stopped(worker, `${error.name}: ${error.message}`);
      });
      worker.on("exit", (code) => this.stopped(worker, `the sandbox exited (code ${code})`));
    });
    this.ready.catch(() => undefined);
    return this.ready;
  }

  /** The thread ended (crash, kill, timeout): its invocations fail, and the next one starts a new thread. */
  private stopped(worker: Worker, why: string) {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.ready = undefined;
    for (const [id, call] of this.pending) {
      clearTimeout(call.timer);
      call.reject(new InvocationError(this.spec.name, "Runtime.ExitError", why));
      this.pending.delete(id);
    }
  }

  async invoke(event: unknown): Promise<unknown> {
    this.invocations++;
    if (this.closed) throw new InvocationError(this.spec.name, "Runtime.ExitError", "the runner stopped");
    const worker = await this.thread();
    const id = randomUUID();
    const timeoutMs = this.spec.timeoutSeconds * 1000;
    return new Promise((resolvePromise, rejectPromise) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        rejectPromise(
          new InvocationError(
            this.spec.name,
            "Sandbox.Timedout",
            `Task timed out after ${this.spec.timeoutSeconds} seconds`,
          ),
        );
        void this.kill("timed out");
      }, timeoutMs);
      this.pending.set(id, { resolve: resolvePromise, reject: rejectPromise, timer });
      worker.postMessage({ id, event, timeoutMs, requestId: randomUUID() });
    });
  }

  /** Stops the thread now: what a crashed (or timed-out) sandbox does to its invocations in flight. */
  async kill(why = "killed"): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.stopped(worker, why);
    await worker.terminate();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.kill("the runner stopped");
  }
}
