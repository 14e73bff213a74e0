/**
 * `npm run -s local` as a child process, as a user starts it: resolves with the endpoints of its one JSON line on
 * stdout (the e2e tests, the web console's browser tests, and the smoke test's offline tests, drive it as they
 * would a stack).
 */
import { ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import type { Endpoints } from "../e2e/client";
import { REPO_ROOT } from "./offline";

/** The runner's JSON line: the client's endpoints and the web console's URL. */
export type Line = Endpoints & { readonly siteUrl: string };

export interface Runner {
  readonly child: ChildProcess;
  readonly endpoints: Line;
  /** Everything the runner printed on stdout. */
  stdout(): string;
  stop(): Promise<{ code: number | null; ms: number }>;
}

export async function startRunner(args: string[] = []): Promise<Runner> {
  const child = spawn("npm", ["run", "-s", "local", ...(args.length > 0 ? ["--", ...args] : [])], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const endpoints = await new Promise<Line>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`npm run -s local printed nothing in 60 s:\n${err}`)),
      60_000,
    );
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const newline = out.indexOf("\n");
      if (newline >= 0) {
        clearTimeout(timer);
        resolve(JSON.parse(out.slice(0, newline)) as Line);
      }
    });
    child.once("exit", (code) => reject(new Error(`npm run -s local exited (${code}):\n${err}`)));
  });
  return {
    child,
    endpoints,
    stdout: () => out,
    stop: () =>
      new Promise((resolve) => {
        // Stopped already (a test stops the API to see the console's message): nothing to wait for.
        if (child.exitCode !== null) return resolve({ code: child.exitCode, ms: 0 });
        const started = Date.now();
        child.once("exit", (code) => resolve({ code, ms: Date.now() - started }));
        child.kill("SIGTERM");
      }),
  };
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
