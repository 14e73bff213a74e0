/**
 * The workflow with an agent in the container's loop mode (as staging and prod run the dev agent on Fargate):
 * the same modification end to end, with the dev agent long-polling its queue from its own process instead of
 * running as a Lambda function behind an event source. Routing does not care where an agent runs.
 */
import { strict as assert } from "node:assert";
import type { AgentStatusMessage, ProjectMessage } from "../../contracts/messages";
import { LocalStack, startLocalStack } from "../../tools/local/stack";
import { freePort, Runner, startRunner } from "../helpers/local-runner";
import { api, Endpoints, finished, modify, projectFromTemplate, watch } from "./client";

const succeeded = (messages: ProjectMessage[]) =>
  messages
    .filter((m): m is AgentStatusMessage => m.type === "agent_status" && m.status === "succeeded")
    .map((m) => m.agent);

/** One modification from a template to its end; the project's messages and its files. */
async function flow(e: Endpoints, request: string) {
  const projectId = await projectFromTemplate(e);
  const ws = await watch(e, projectId);
  const modificationId = await modify(e, projectId, request);
  await ws.waitFor(finished(modificationId), 90_000);
  const messages = ws.messages();
  await ws.close();
  const files = await api<{ files: { path: string; url: string }[] }>(
    e,
    "GET",
    `/api/projects/${projectId}/files`,
  );
  const main = files.body.data.files.find((f) => f.path === "main.py")!;
  return { messages, main: await (await fetch(main.url)).text() };
}

describe("the workflow with the dev agent in the container's loop mode", function () {
  this.timeout(180_000);

  describe("in-process local stack", () => {
    let stack: LocalStack;
    before(async () => {
      stack = await startLocalStack({
        agentTimeoutSeconds: 3,
        visibilityMarginSeconds: 1,
        containerAgents: ["dev"],
      });
    });
    after(async () => {
      await stack?.stop();
    });

    it("runs dev in its container, the others as functions, and completes the modification", async () => {
      assert.ok(stack.containers.dev, "dev runs in a container");
      assert.equal(stack.functions["agent-dev"], undefined, "and not as a function");
      assert.ok(stack.functions["agent-pm"] && stack.functions["agent-qa"] && stack.functions["agent-ops"]);
      const { messages, main } = await flow(stack, "Add user authentication");
      assert.deepEqual(succeeded(messages), ["pm", "dev", "qa", "ops"]);
      assert.equal(messages.at(-1)!.type, "modification_complete");
      assert.match(main, /def add_user_authentication\(\)/, "Dev's change, written by the container");
    });

    it("survives the container dying mid-task: a replacement takes the message once its lease expires", async () => {
      const before = stack.containers.dev!.starts;
      const { messages } = await flow(stack, "Add rate limiting [local-model:crash:dev]");
      assert.equal(messages.at(-1)!.type, "modification_complete");
      assert.deepEqual(succeeded(messages), ["pm", "dev", "qa", "ops"]);
      assert.equal(stack.containers.dev!.starts, before + 1, "one replacement after the crash");
      assert.equal(stack.deadLetterQueues.dev.messages.length, 0);
    });
  });

  // With every option the runner takes at once: the agents' placement and the three ports.
  describe("npm run -s local -- --container-agents dev --port <n> --ws-port <n> --site-port <n>", () => {
    let runner: Runner;
    let ports: number[];
    before(async () => {
      ports = [await freePort(), await freePort(), await freePort()];
      const [port, wsPort, sitePort] = ports.map(String);
      runner = await startRunner([
        "--container-agents",
        "dev",
        "--port",
        port,
        "--ws-port",
        wsPort,
        "--site-port",
        sitePort,
      ]);
    });
    after(async () => {
      if (runner && runner.child.exitCode === null) await runner.stop();
    });

    it("listens on the ports --port, --ws-port and --site-port give", async () => {
      const [port, wsPort, sitePort] = ports;
      assert.equal(runner.endpoints.apiUrl, `http://127.0.0.1:${port}`);
      assert.equal(runner.endpoints.wsUrl, `ws://127.0.0.1:${wsPort}`);
      assert.equal(runner.endpoints.siteUrl, `http://127.0.0.1:${sitePort}`);
      assert.equal((await fetch(`${runner.endpoints.apiUrl}/health`)).status, 200);
      assert.equal((await fetch(`${runner.endpoints.siteUrl}/config.json`)).status, 200);
    });

    it("completes the flow, then stops on SIGTERM with exit code 0", async () => {
      const { messages } = await flow(runner.endpoints, "Add user authentication");
      assert.deepEqual(succeeded(messages), ["pm", "dev", "qa", "ops"]);
      const { code, ms } = await runner.stop();
      assert.equal(code, 0);
      assert.ok(ms < 10_000, `stopped in ${ms} ms`);
    });
  });
});
