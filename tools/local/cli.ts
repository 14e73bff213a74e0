/**
 * `npm run -s local [-- --port <n> --ws-port <n> --site-port <n> --container-agents <agent,...>]`: starts the
 * local stack (tools/local/stack.ts)
 * and, when it is ready, prints exactly one JSON line on stdout, {"apiUrl","wsUrl","apiKey","siteUrl"};
 * everything else goes to stderr. SIGINT and SIGTERM stop it. Options are parsed from one table.
 */
import { AGENT_NAMES, AgentName } from "../../contracts/agents";
import { LocalEndpoints, startLocalStack } from "./stack";

// Handlers and libraries may print to stdout (Powertools logs in the function threads go to stderr already);
// the one line of the contract is written with the real stdout, everything else is moved to stderr.
const stdout = process.stdout.write.bind(process.stdout);
process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;

const OPTIONS = {
  "--port": "port",
  "--ws-port": "wsPort",
  "--site-port": "sitePort",
} as const;
type OptionName = (typeof OPTIONS)[keyof typeof OPTIONS];

/** Agents to run in the container's loop mode (as on Fargate) instead of as Lambda functions. */
const CONTAINER_AGENTS = "--container-agents";

function parse(
  argv: readonly string[],
): Partial<Record<OptionName, number>> & { containerAgents?: AgentName[] } {
  const out: Partial<Record<OptionName, number>> & { containerAgents?: AgentName[] } = {};
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i] as keyof typeof OPTIONS;
    const value = argv[i + 1];
    if (argv[i] === CONTAINER_AGENTS) {
      const agents = (value ?? "").split(",");
      if (!value || agents.some((a) => !(AGENT_NAMES as readonly string[]).includes(a)))
        throw new Error(
          `${CONTAINER_AGENTS} ${value ?? "(missing)"}: must list agents of ${AGENT_NAMES.join(", ")}, comma-separated`,
        );
      out.containerAgents = agents as AgentName[];
      continue;
    }
    if (!(flag in OPTIONS))
      throw new Error(
        `unknown option ${argv[i]} (allowed: ${[...Object.keys(OPTIONS), CONTAINER_AGENTS].join(", ")})`,
      );
    if (value === undefined || !/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 65535)
      throw new Error(`${flag} ${value ?? "(missing)"}: must be a port number from 1 to 65535`);
    out[OPTIONS[flag]] = Number(value);
  }
  return out;
}

async function main() {
  let options: ReturnType<typeof parse>;
  try {
    options = parse(process.argv.slice(2));
  } catch (error) {
    console.error(`local: ${(error as Error).message}`);
    process.exit(2);
  }
  const stack = await startLocalStack(options);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`[local] ${signal}: stopping\n`);
    // Stopping waits for nothing longer than a poll; a hung stop still ends within seconds.
    setTimeout(() => process.exit(1), 5000).unref();
    void stack.stop().then(() => process.exit(0));
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  const line: LocalEndpoints = {
    apiUrl: stack.apiUrl,
    wsUrl: stack.wsUrl,
    apiKey: stack.apiKey,
    siteUrl: stack.siteUrl,
  };
  stdout(`${JSON.stringify(line)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`local: could not start: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
