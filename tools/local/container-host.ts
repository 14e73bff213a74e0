/**
 * An agent in the container's loop mode, for the local runner: the agent container's entry
 * (functions/agent-worker/container.ts, the image's CMD runs its bundle) in a child process of its own, with
 * the environment the FargateWorker gives it and the SDK's endpoint variables pointing at the local services.
 * It long-polls its queue on the local SQS server itself, as a Fargate task does; there is no event source.
 * `close()` sends SIGTERM (as ECS does) and waits for the process to continue its task and exit; a process that
 * dies otherwise (a crash) is started again, as the ECS service replaces a stopped task.
 */
import { ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { AGENT_CONTAINER_HEALTH } from "../../contracts/agent-container";

const ROOT = resolve(__dirname, "..", "..");
export const CONTAINER_ENTRY = "functions/agent-worker/container.ts";

export interface ContainerSpec {
  readonly name: string;
  readonly env: Record<string, string>;
  /** The health endpoint's port (HEALTH_PORT in env). */
  readonly healthPort: number;
}

export class ContainerHost {
  private child: ChildProcess | undefined;
  private closing = false;
  /** Processes started so far (1 + the replacements after crashes). */
  starts = 0;

  constructor(
    readonly spec: ContainerSpec,
    private readonly logs: NodeJS.WritableStream,
  ) {}

  /** Starts the process and resolves once GET /health answers 200. */
  async start(timeoutMs = 30_000): Promise<void> {
    const child = spawn(
      process.execPath,
      ["-r", join(ROOT, "tools", "register-ts.js"), join(ROOT, CONTAINER_ENTRY)],
      {
        cwd: ROOT,
        env: this.spec.env,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    this.child = child;
    this.starts++;
    child.once("exit", (code, signal) => {
      if (this.closing || this.child !== child) return;
      this.logs.write(`[local] ${this.spec.name} stopped (${signal ?? code}): starting a replacement\n`);
      this.start(timeoutMs).catch((error: unknown) =>
        this.logs.write(`[local] ${this.spec.name} could not be replaced: ${(error as Error).message}\n`),
      );
    });
    // Its log lines (Powertools JSON) go where the functions' go.
    child.stdout!.pipe(this.logs, { end: false });
    child.stderr!.pipe(this.logs, { end: false });
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null)
        throw new Error(`${this.spec.name} exited (${child.exitCode}) while starting`);
      try {
        const res = await fetch(`http://127.0.0.1:${this.spec.healthPort}${AGENT_CONTAINER_HEALTH.path}`);
        if (res.ok) return;
      } catch {
        // Not listening yet.
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${this.spec.name} did not answer ${AGENT_CONTAINER_HEALTH.path} in ${timeoutMs} ms`);
  }

  /** A crash: the process dies at once, as a Spot task reclaimed without notice would. */
  kill(): void {
    this.child?.kill("SIGKILL");
  }

  /** SIGTERM, as ECS stops a task; SIGKILL if it has not exited within `graceMs`. Resolves with its exit code. */
  close(graceMs = 10_000): Promise<number | null> {
    this.closing = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null)
      return Promise.resolve(child?.exitCode ?? null);
    return new Promise((done) => {
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      child.once("exit", (code) => {
        clearTimeout(timer);
        done(code);
      });
      child.kill("SIGTERM");
    });
  }
}

/** A port free on loopback now (the container's health endpoint listens on it). */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address() as { port: number };
  await new Promise<void>((ok) => server.close(() => ok()));
  return port;
}
