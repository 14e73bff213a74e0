/**
 * The local model: a deterministic, scripted stand-in for Amazon Bedrock's Converse API, served on loopback
 * over cleartext HTTP/2 (as the Bedrock Runtime client speaks it). The agent workers' Bedrock runner calls it
 * unchanged (AWS_ENDPOINT_URL_BEDROCK_RUNTIME), with the model id `local.scripted-agent-v1`.
 *
 * It answers each agent in the answer format (contracts/answer-format.ts) from the task the runner sends: the
 * PM a plan, Dev the request implemented in the project's files, QA a passing report, Ops a manifest. Markers
 * in the modification request script faults, for tests and demos:
 *   [local-model:refuse:<agent>]    the agent's call is refused (ValidationException, HTTP 400)
 *   [local-model:garbage:<agent>]   the agent answers without the files it must give
 *   [local-model:qa-reject:<n>]     QA asks for changes in rounds below n
 *   [local-model:crash:<agent>]     the agent's function crashes during its first call (once)
 */
import { createServer, Http2Server, Http2ServerRequest, Http2ServerResponse, Http2Session } from "node:http2";
import { listenOnLoopback } from "./loopback";
import { AgentName, isAgentName } from "../../contracts/agents";
import { formatFileBlock } from "../../contracts/answer-format";

export const LOCAL_MODEL_ID = "local.scripted-agent-v1";

interface ConverseBody {
  system?: { text: string }[];
  messages: { role: string; content: { text?: string }[] }[];
}

interface Task {
  agent: AgentName;
  request: string;
  round: number;
  modificationId: string;
  context: {
    files?: Record<string, string> | string[];
    changed_files?: Record<string, string> | string[];
    qa_feedback?: unknown;
    plan?: unknown;
  };
}

type Answer = { text: string } | { refuse: string } | { crash: true };

const PAYLOAD_MARKER = "Task payload (JSON):\n";

/** The task the runner put in the user's turn (functions/agent-worker/prompts.ts `taskMessage`). */
function taskOf(body: ConverseBody): Task | undefined {
  const text = body.messages[body.messages.length - 1]?.content.map((c) => c.text ?? "").join("") ?? "";
  const at = text.indexOf(PAYLOAD_MARKER);
  if (at < 0) return undefined;
  let payload: Record<string, unknown>;
  try {
    payload = JSON.parse(text.slice(at + PAYLOAD_MARKER.length).split("\n\nWork through")[0]);
  } catch {
    return undefined;
  }
  if (!isAgentName(payload.agent)) return undefined;
  return {
    agent: payload.agent,
    request: String(payload.request ?? ""),
    round: Number(payload.round ?? 0),
    modificationId: String(payload.modification_id ?? ""),
    context: (payload.context ?? {}) as Task["context"],
  };
}

const slug = (text: string) =>
  text
    .replace(/\[local-model:[^\]]*\]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 40) || "change";

const marker = (request: string, kind: string, value: string) =>
  request.includes(`[local-model:${kind}:${value}]`);
const fileNames = (files: Task["context"]["files"]) =>
  Array.isArray(files) ? files : Object.keys(files ?? {});

/** The scripted answer of `task` (deterministic: the same task gets the same answer). */
export function scriptedAnswer(task: Task): string {
  const name = slug(task.request);
  const title = task.request.replace(/\[local-model:[^\]]*\]/g, "").trim();
  switch (task.agent) {
    case "pm": {
      const files = fileNames(task.context.files);
      const touched = [files.includes("main.py") ? "main.py" : (files[0] ?? "README.md"), "CHANGES.md"];
      const plan = {
        summary: `Plan for: ${title}`,
        tasks: [
          { agent: "dev", title: `Implement ${title}`, details: `Change ${touched.join(" and ")}` },
          { agent: "qa", title: `Test ${title}`, details: "Review the changed files against the plan" },
          { agent: "ops", title: `Deploy ${title}`, details: "Build, deploy and check the service" },
        ],
        files: touched,
      };
      return `The plan has three tasks.\n\n${formatFileBlock("plan.json", JSON.stringify(plan, null, 2), "json")}`;
    }
    case "dev": {
      const files = task.context.files && !Array.isArray(task.context.files) ? task.context.files : {};
      const note = task.round > 0 ? ` (round ${task.round}, after QA's feedback)` : "";
      const changes = `${files["CHANGES.md"] ?? "# Changes\n"}\n- ${title}${note}\n`;
      const blocks = [formatFileBlock("CHANGES.md", changes, "markdown")];
      if (files["main.py"] !== undefined) {
        const route =
          `\n\n@app.get("/${name.replace(/_/g, "-")}")\ndef ${name}() -> dict:\n` +
          `    """${title}${note}."""\n    return {"feature": ${JSON.stringify(title)}, "round": ${task.round}}\n`;
        blocks.push(formatFileBlock("main.py", `${files["main.py"].replace(/\s+$/, "")}${route}`, "python"));
      }
      return `Implemented ${title}${note}.\n\n${blocks.join("\n")}`;
    }
    case "qa": {
      const changed = fileNames(task.context.changed_files);
      const reject = /\[local-model:qa-reject:(\d+)\]/.exec(task.request);
      const changesRequested = reject !== null && task.round < Number(reject[1]);
      const report = {
        verdict: changesRequested ? "changes_requested" : "pass",
        findings: changesRequested
          ? [{ severity: "medium", description: `Round ${task.round}: ${title} needs input validation` }]
          : [],
        tests: changed.map((f) => `Review of ${f}`),
      };
      return `Reviewed ${changed.length} file(s).\n\n${formatFileBlock("qa-report.json", JSON.stringify(report, null, 2), "json")}`;
    }
    default: {
      const manifest = {
        environment: "local",
        steps: [
          { name: "build", command: "docker build -t app ." },
          { name: "deploy", command: "docker run -d -p 8000:8000 app" },
          { name: "smoke test", command: "curl -f http://127.0.0.1:8000/health" },
        ],
        rollback: "docker stop the new container and start the previous image",
      };
      return `Deployment planned.\n\n${formatFileBlock("deployment.json", JSON.stringify(manifest, null, 2), "json")}`;
    }
  }
}

export class LocalModel {
  private server: Http2Server | undefined;
  private readonly sessions = new Set<Http2Session>();
  endpoint = "";
  /** Calls per agent (tests count how often an agent ran). */
  readonly calls: Record<string, number> = {};
  private readonly crashed = new Set<string>();

  /** `crash(agent)` stops the agent's function (the runner's hook). */
  constructor(private readonly crash: (agent: AgentName) => void = () => undefined) {}

  answer(body: ConverseBody): Answer {
    const task = taskOf(body);
    if (!task) return { text: "I can only answer workflow tasks." };
    this.calls[task.agent] = (this.calls[task.agent] ?? 0) + 1;
    const once = `${task.agent}:${task.modificationId}:${task.round}`;
    if (marker(task.request, "crash", task.agent) && !this.crashed.has(once)) {
      this.crashed.add(once);
      return { crash: true };
    }
    if (marker(task.request, "refuse", task.agent))
      return { refuse: `The ${task.agent} task was refused by the local model's script` };
    if (marker(task.request, "garbage", task.agent)) return { text: "Here are some thoughts, and no files." };
    return { text: scriptedAnswer(task) };
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.on("session", (session) => {
      this.sessions.add(session);
      session.on("close", () => this.sessions.delete(session));
    });
    this.server = server;
    this.endpoint = `http://127.0.0.1:${await listenOnLoopback(server)}`;
    return this;
  }

  private async handle(req: Http2ServerRequest, res: Http2ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const error = (status: number, type: string, message: string) => {
      res.writeHead(status, { "content-type": "application/json", "x-amzn-errortype": type });
      res.end(JSON.stringify({ message }));
    };
    const route = /^\/model\/([^/]+)\/converse$/.exec(req.url ?? "");
    if (req.method !== "POST" || !route)
      return error(404, "UnknownOperationException", `no route ${req.url}`);
    if (decodeURIComponent(route[1]) !== LOCAL_MODEL_ID)
      return error(400, "ValidationException", `The provided model identifier is invalid: ${route[1]}`);
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as ConverseBody;
    const answer = this.answer(body);
    if ("crash" in answer) {
      const task = taskOf(body)!;
      this.crash(task.agent);
      res.stream.close();
      return;
    }
    if ("refuse" in answer) return error(400, "ValidationException", answer.refuse);
    const read = [...(body.system ?? []), ...body.messages.flatMap((m) => m.content)];
    const inputTokens = Math.ceil(read.reduce((n, c) => n + (c.text?.length ?? 0), 0) / 4);
    const outputTokens = Math.ceil(answer.text.length / 4);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        output: { message: { role: "assistant", content: [{ text: answer.text }] } },
        stopReason: "end_turn",
        usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
        metrics: { latencyMs: 1 },
      }),
    );
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const session of this.sessions) session.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
