/*
 * Starts the pack exactly as `pulumi preview --policy-pack policy` does (the Pulumi CLI's policy host runs
 * @pulumi/pulumi's run-policy-pack on policy/ with cwd policy/, which registers ts-node with type checking
 * and requires index.ts, constructing the PolicyPack and its gRPC server), then drives it as the engine
 * would: GetAnalyzerInfo, Configure with the CLI-filled defaults, Analyze one resource and AnalyzeStack.
 * Prints a JSON summary; exits non-zero if the pack does not start or answer.
 *
 *   npx ts-node --transpile-only policy/scripts/serve-check.ts
 */
import { ChildProcess, spawn } from "child_process";
import * as path from "path";

const grpc = require("@grpc/grpc-js");
const analyzerpb = require("@pulumi/pulumi/proto/analyzer_pb");
const { AnalyzerClient } = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
const { Struct } = require("google-protobuf/google/protobuf/struct_pb");
const { Empty } = require("google-protobuf/google/protobuf/empty_pb");

const POLICY_DIR = path.resolve(__dirname, "..");

export interface ServeCheckResult {
  startupMs: number;
  packName: string;
  policyCount: number;
  policies: Array<{ name: string; enforcementLevel: number; hasSchema: boolean }>;
  analyze: Array<{ policy: string; level: number; message: string }>;
  analyzeStack: Array<{ policy: string; level: number; message: string }>;
}

function call<T>(client: unknown, method: string, request: unknown): Promise<T> {
  return new Promise((resolve, reject) =>
    (client as Record<string, (r: unknown, cb: (e: Error | null, v: T) => void) => void>)[method](
      request,
      (err, value) => (err ? reject(err) : resolve(value)),
    ),
  );
}

function start(): Promise<{ child: ChildProcess; port: number; startupMs: number }> {
  const began = Date.now();
  const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack");
  const child = spawn(process.execPath, [runner, "127.0.0.1:0", "."], {
    cwd: POLICY_DIR,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += String(d)));
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d) => {
      out += String(d);
      const m = /^(\d+)\s*$/m.exec(out);
      if (m) resolve({ child, port: Number(m[1]), startupMs: Date.now() - began });
    });
    child.on("exit", (code) =>
      reject(new Error(`the pack exited (${code}) before serving:\n${stderr}${out}`)),
    );
  });
}

function diagnostics(resp: { getDiagnosticsList(): Array<Record<string, () => unknown>> }) {
  return resp.getDiagnosticsList().map((d) => ({
    policy: String(d.getPolicyname()),
    level: Number(d.getEnforcementlevel()),
    message: String(d.getMessage()),
  }));
}

export async function serveCheck(): Promise<ServeCheckResult> {
  const { child, port, startupMs } = await start();
  try {
    const client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const info = await call<{
      getName(): string;
      getPoliciesList(): Array<{
        getName(): string;
        getEnforcementlevel(): number;
        getConfigschema(): unknown;
      }>;
    }>(client, "getAnalyzerInfo", new Empty());

    // The CLI validates the pack config against each configSchema and sends the values with defaults filled.
    const configure = new analyzerpb.ConfigureAnalyzerRequest();
    const map = configure.getPolicyconfigMap();
    const { policies } = require(path.join(POLICY_DIR, "policies")) as {
      policies: Array<{
        name: string;
        enforcementLevel?: string;
        configSchema?: { properties: Record<string, { default?: unknown }> };
      }>;
    };
    for (const p of policies) {
      const pc = new analyzerpb.PolicyConfig();
      pc.setEnforcementlevel(p.enforcementLevel === "advisory" ? 0 : 1);
      const defaults: Record<string, unknown> = {};
      for (const [k, s] of Object.entries(p.configSchema?.properties ?? {}))
        if (s.default !== undefined) defaults[k] = s.default;
      pc.setProperties(Struct.fromJavaScript(defaults));
      map.set(p.name, pc);
    }
    await call(client, "configure", configure);

    const providerProps = {
      defaultTags: JSON.stringify({
        tags: { Environment: "dev", Project: "agent-platform", Owner: "platform-team" },
      }),
    };
    const provider = new analyzerpb.AnalyzerProviderResource();
    provider.setType("pulumi:providers:aws");
    provider.setName("aws");
    provider.setUrn("urn:pulumi:dev::agent-platform::pulumi:providers:aws::aws");
    provider.setProperties(Struct.fromJavaScript(providerProps));

    const topicUrn = "urn:pulumi:dev::agent-platform::aws:sns/topic:Topic::t";
    const req = new analyzerpb.AnalyzeRequest();
    req.setType("aws:sns/topic:Topic");
    req.setName("t");
    req.setUrn(topicUrn);
    req.setProperties(Struct.fromJavaScript({ name: "t-1234567", tags: { Function: "alerts" } }));
    req.setOptions(new analyzerpb.AnalyzerResourceOptions());
    req.setProvider(provider);
    const analyzed = diagnostics(await call(client, "analyze", req));

    const stackReq = new analyzerpb.AnalyzeStackRequest();
    const r = new analyzerpb.AnalyzerResource();
    r.setType("aws:sqs/queue:Queue");
    r.setName("jobs");
    r.setUrn("urn:pulumi:dev::agent-platform::aws:sqs/queue:Queue::jobs");
    r.setProperties(Struct.fromJavaScript({ name: "jobs-1234567", tags: { Function: "queues" } }));
    r.setOptions(new analyzerpb.AnalyzerResourceOptions());
    r.setProvider(provider);
    stackReq.setResourcesList([r]);
    const stackAnalyzed = diagnostics(await call(client, "analyzeStack", stackReq));

    client.close();
    return {
      startupMs,
      packName: info.getName(),
      policyCount: info.getPoliciesList().length,
      policies: info.getPoliciesList().map((p) => ({
        name: p.getName(),
        enforcementLevel: p.getEnforcementlevel(),
        hasSchema: p.getConfigschema() !== undefined,
      })),
      analyze: analyzed,
      analyzeStack: stackAnalyzed,
    };
  } finally {
    child.kill();
  }
}

if (require.main === module) {
  serveCheck().then(
    (r) => {
      console.log(JSON.stringify(r, null, 2));
      process.exit(0);
    },
    (e) => {
      console.error((e as Error).message);
      process.exit(1);
    },
  );
}
