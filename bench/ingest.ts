/**
 * Ingestion cost and speed of the vectorize function: requests per 1,000 chunks to Bedrock and Upstash, and wall
 * time against loopback endpoints that answer after 50 ms, compared with the concurrency-limited minimum.
 *
 * The endpoints (Bedrock and Upstash fakes speaking the documented APIs, Secrets Manager, and an S3 server) run in
 * a child process, so their JSON work does not compete with the function for the same core. The document is 1,000
 * chunks of real text: README files from node_modules, cleaned and chunked by the process function's code.
 *
 *   npx ts-node --transpile-only bench/ingest.ts
 *
 * Writes bench/results/ingest.md.
 */
import { BedrockRuntimeClient, InvokeModelCommand } from "@aws-sdk/client-bedrock-runtime";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { ChildProcess, fork } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { extractText } from "../functions/process/text/extract";
import { chunkText } from "../functions/shared/chunking";
import { mapLimited } from "../functions/shared/concurrency";
import { formatUpstashSecret, readVectorizeEnv } from "../contracts/pipeline-env";
import { ProcessedDocument, processedKey, serializeProcessed } from "../functions/shared/processed-document";
import { createSqsHandler } from "../functions/shared/sqs-batch";
import { createBedrockClient } from "../functions/shared/bedrock";
import { vectorizeRuntime } from "../functions/vectorize/runtime";
import { objectCreatedBody, sqsEvent } from "../test/functions/helpers/events";
import { FakeBedrock } from "../test/functions/helpers/fake-bedrock";
import { FakeSecretsManager } from "../test/functions/helpers/fake-secrets-manager";
import { FakeUpstash } from "../test/functions/helpers/fake-upstash";
import { startLocalS3 } from "../tools/local/s3";
import { RecordingTelemetry } from "../test/functions/helpers/telemetry";

const ROOT = join(__dirname, "..");
const LATENCY_MS = 50;
const CHUNKS = 1000;
const RUNS = 3;
const TARGET_RATIO = 1.25;
const DIMENSIONS = 1024;
const RAW = "raw-bucket";
const PROCESSED = "processed-bucket";
const TOKEN = "bench-token";
const SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:bench-upstash";
const credentials = { accessKeyId: "bench", secretAccessKey: "bench" };

// ---- endpoint process -------------------------------------------------------------------------------------------

interface Urls {
  s3: string;
  bedrock: string;
  upstash: string;
  secrets: string;
}

interface Stats {
  bedrockRequests: number;
  bedrockTexts: number;
  upstash: Record<string, number>;
  upsertBytes: number[];
}

type Command = { type: "stats" } | { type: "reset" } | { type: "close" };

async function serveEndpoints(): Promise<void> {
  const s3 = await startLocalS3([RAW, PROCESSED]);
  const bedrock = await new FakeBedrock().start();
  // Upstash's largest request body on paid plans; the function packs to UPSTASH_MAX_REQUEST_BYTES (set per run).
  const upstash = await new FakeUpstash(TOKEN, DIMENSIONS, 10_000_000).start();
  const secrets = await new FakeSecretsManager().start();
  secrets.secrets.set(SECRET_ARN, formatUpstashSecret({ url: upstash.url, token: TOKEN }));
  bedrock.latencyMs = LATENCY_MS;
  upstash.latencyMs = LATENCY_MS;
  const send = (message: unknown) => process.send?.(message);
  process.on("message", (command: Command) => {
    if (command.type === "stats") {
      const upserts = upstash.commands("upsert");
      send({
        type: "stats",
        stats: {
          bedrockRequests: bedrock.invocations().length,
          bedrockTexts: bedrock.embedded.length,
          upstash: Object.fromEntries(
            ["range", "upsert", "delete"].map((c) => [c, upstash.commands(c).length]),
          ),
          upsertBytes: upserts.map((r) => Buffer.byteLength(r.body)),
        } satisfies Stats,
      });
    } else if (command.type === "reset") {
      bedrock.requests.length = 0;
      bedrock.embedded.length = 0;
      upstash.requests.length = 0;
      upstash.namespaces.clear();
      send({ type: "reset" });
    } else {
      void Promise.all([s3.close(), bedrock.close(), upstash.close(), secrets.close()]).then(() =>
        process.exit(0),
      );
    }
  });
  send({
    type: "ready",
    urls: {
      s3: s3.endpoint,
      bedrock: bedrock.url,
      upstash: upstash.url,
      secrets: secrets.url,
    } satisfies Urls,
  });
}

function request<T>(child: ChildProcess, command: Command, reply: string): Promise<T> {
  return new Promise((resolve) => {
    const listener = (message: { type: string } & Record<string, unknown>) => {
      if (message.type !== reply) return;
      child.off("message", listener);
      resolve(message as T);
    };
    child.on("message", listener);
    child.send(command);
  });
}

// ---- the benchmark ----------------------------------------------------------------------------------------------

/**
 * The floor this machine can reach with the AWS SDK: the same Bedrock calls as the pipeline made, with the same
 * concurrency, in a bare loop (no S3, no Upstash, no pipeline code). The gap between it and the theoretical
 * minimum is the SDK's own CPU time per request.
 */
async function bareSdkLoop(
  client: BedrockRuntimeClient,
  scenario: Scenario,
  texts: readonly string[],
): Promise<number> {
  const batch = scenario.modelId.startsWith("cohere") ? 96 : 1;
  const bodies: Uint8Array[] = [];
  for (let i = 0; i < texts.length; i += batch) {
    const slice = texts.slice(i, i + batch);
    const body =
      batch === 1
        ? { inputText: slice[0], dimensions: DIMENSIONS, normalize: true }
        : {
            texts: slice,
            input_type: "search_document",
            embedding_types: ["float"],
            output_dimension: DIMENSIONS,
          };
    bodies.push(new TextEncoder().encode(JSON.stringify(body)));
  }
  const started = performance.now();
  await mapLimited(bodies, scenario.bedrockConcurrency, async (body) => {
    const response = await client.send(
      new InvokeModelCommand({
        modelId: scenario.modelId,
        body,
        contentType: "application/json",
        accept: "application/json",
      }),
    );
    JSON.parse(new TextDecoder().decode(response.body));
  });
  return performance.now() - started;
}

/** 1,000 chunks of real text: node_modules READMEs through the process function's cleaning and chunking. */
function corpusChunks(): string[] {
  const chunks: string[] = [];
  const modules = join(ROOT, "node_modules");
  for (const name of readdirSync(modules).sort()) {
    const dirs = name.startsWith("@")
      ? readdirSync(join(modules, name)).map((d) => join(modules, name, d))
      : [join(modules, name)];
    for (const dir of dirs) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(join(dir, "README.md"));
      } catch {
        continue;
      }
      const result = extractText(bytes, "README.md", "text/markdown");
      if (!result.ok) continue;
      for (const chunk of chunkText(result.document.text, { maxChars: 2000, overlapChars: 200 })) {
        chunks.push(chunk.text);
        if (chunks.length === CHUNKS) return chunks;
      }
    }
  }
  throw new Error(`only ${chunks.length} chunks of README text found`);
}

interface Scenario {
  readonly name: string;
  readonly modelId: string;
  readonly bedrockConcurrency: number;
  readonly upstashConcurrency: number;
  readonly upstashMaxRequestBytes: number;
}

const SCENARIOS: readonly Scenario[] = [
  {
    name: "Titan V2, 1 MB Upstash requests (defaults)",
    modelId: "amazon.titan-embed-text-v2:0",
    bedrockConcurrency: 8,
    upstashConcurrency: 4,
    upstashMaxRequestBytes: 1_000_000,
  },
  {
    name: "Titan V2, 10 MB Upstash requests",
    modelId: "amazon.titan-embed-text-v2:0",
    bedrockConcurrency: 8,
    upstashConcurrency: 4,
    upstashMaxRequestBytes: 10_000_000,
  },
  {
    name: "Cohere Embed v4, 1 MB Upstash requests",
    modelId: "cohere.embed-v4:0",
    bedrockConcurrency: 8,
    upstashConcurrency: 4,
    upstashMaxRequestBytes: 1_000_000,
  },
  {
    name: "Cohere Embed v4, 10 MB Upstash requests",
    modelId: "cohere.embed-v4:0",
    bedrockConcurrency: 8,
    upstashConcurrency: 4,
    upstashMaxRequestBytes: 10_000_000,
  },
];

function machine(): string {
  const cpu = cpus();
  // The load average shows whether other work shared the machine during the run.
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
  return `${cpu[0]?.model ?? "unknown CPU"}, ${cpu.length} cores, Node ${process.version}, ${process.platform}/${process.arch}; load average at start ${load}`;
}

async function main(): Promise<void> {
  const child = fork(__filename, ["--serve"], {
    execArgv: ["-r", "ts-node/register/transpile-only"],
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  // Never leave the endpoint process behind, whatever happens here.
  process.on("exit", () => child.kill());
  const { urls } = await new Promise<{ urls: Urls }>((resolve) =>
    child.once("message", (m) => resolve(m as { urls: Urls })),
  );
  // s3rver accepts only its own access key pair.
  const s3 = new S3Client({
    endpoint: urls.s3,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
  });
  const bedrock = createBedrockClient({ endpoint: urls.bedrock, region: "us-east-1", credentials });
  const secretsManager = new SecretsManagerClient({
    endpoint: urls.secrets,
    region: "us-east-1",
    credentials,
  });

  const texts = corpusChunks();
  async function putDocument(sourceKey: string, chunks: readonly string[]): Promise<string> {
    const raw = await s3.send(new PutObjectCommand({ Bucket: RAW, Key: sourceKey, Body: chunks.join("") }));
    const eTag = (raw.ETag ?? "").replace(/"/g, "");
    let offset = 0;
    const doc: ProcessedDocument = {
      header: {
        type: "document",
        schemaVersion: 1,
        sourceBucket: RAW,
        sourceKey,
        eTag,
        contentType: "text/markdown",
        format: "markdown",
        encoding: "utf-8",
        title: "Bench",
        chunkCount: chunks.length,
        textLength: chunks.join("").length,
        chunking: { maxChars: 2000, overlapChars: 200 },
      },
      chunks: chunks.map((text, index) => {
        const start = offset;
        offset += text.length;
        return { type: "chunk" as const, index, text, start, end: offset, headingPath: [] };
      }),
    };
    const key = processedKey({ processedPrefix: "", rawPrefix: "", sourceKey, eTag });
    const body = serializeProcessed(doc);
    const put = await s3.send(new PutObjectCommand({ Bucket: PROCESSED, Key: key, Body: body }));
    return objectCreatedBody({
      bucket: PROCESSED,
      key,
      size: Buffer.byteLength(body),
      eTag: (put.ETag ?? "").replace(/"/g, ""),
    });
  }

  const lines = [
    "# Ingestion benchmark (vectorize)",
    "",
    `- Date: ${new Date().toISOString().slice(0, 10)}`,
    `- Machine: ${machine()}`,
    "- Command: `npx ts-node --transpile-only bench/ingest.ts`",
    `- One document of ${CHUNKS} chunks (node_modules READMEs, cleaned and chunked at 2000/200; mean ${Math.round(texts.reduce((a, t) => a + t.length, 0) / texts.length)} characters), ${DIMENSIONS}-dimension vectors.`,
    `- Each scenario ingests the document ${RUNS} times into an empty index; the table shows the run with the median wall time.`,
    `- Bedrock and Upstash fakes on loopback answer every request after ${LATENCY_MS} ms; S3 (s3rver) and Secrets Manager have no added latency. Endpoints run in a separate process.`,
    "- Each run follows a warm-up invocation on another document (connections open, secret cached), as in a warm Lambda container.",
    `- Minimum wall time (concurrency-limited): ${LATENCY_MS} ms for the id listing, then max(⌈Bedrock requests / Bedrock concurrency⌉ + 1, 1 + ⌈upserts / Upstash concurrency⌉) × ${LATENCY_MS} ms: ` +
      "upserts cannot start before the first embeddings return, and the last upsert cannot start before the last embeddings do.",
    "- Client CPU: CPU time of the benchmark process (the function) during the run. The last column runs the same Bedrock calls with the same concurrency in a bare loop (AWS SDK only, parsing the responses): the floor for SDK-based calls on this machine.",
    "- Minimum requests: Bedrock, one per text for Titan and ⌈texts / 96⌉ for Cohere; Upstash upserts, ⌈bytes / request limit⌉ and at least ⌈vectors / 1000⌉; plus one `range` per document to find its existing vectors.",
    `- Target (issue 4): wall time at most ${TARGET_RATIO}× the minimum (the ratio column). Cohere returns each batch of 96 vectors as about 2 MB of float JSON: ` +
      "when the bare SDK loop alone (last column) takes longer than the target, the run is bound by this machine's CPU (parsing those responses and printing the upserts), not by round trips; compare client CPU between runs on a busy machine.",
    "",
    "| scenario | Bedrock requests | minimum | Upstash upserts | minimum | other Upstash | wall time | minimum | ratio | client CPU | same Bedrock calls, bare SDK loop |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];

  // An optional argument runs only the scenarios whose name contains it (for profiling one case).
  const only = process.argv.slice(2).find((a) => !a.startsWith("--"));
  for (const [i, scenario] of SCENARIOS.entries()) {
    if (only && !scenario.name.includes(only)) continue;
    await request(child, { type: "reset" }, "reset");
    const env = readVectorizeEnv({
      POWERTOOLS_SERVICE_NAME: "bench",
      POWERTOOLS_METRICS_NAMESPACE: "Bench",
      RAW_BUCKET: RAW,
      PROCESSED_BUCKET: PROCESSED,
      UPSTASH_SECRET_ARN: SECRET_ARN,
      UPSTASH_NAMESPACE: "bench",
      EMBEDDING_MODEL_ID: scenario.modelId,
      EMBEDDING_DIMENSIONS: String(DIMENSIONS),
      BEDROCK_CONCURRENCY: String(scenario.bedrockConcurrency),
      UPSTASH_CONCURRENCY: String(scenario.upstashConcurrency),
      UPSTASH_MAX_REQUEST_BYTES: String(scenario.upstashMaxRequestBytes),
    });
    const telemetry = new RecordingTelemetry();
    const runtime = vectorizeRuntime(env, telemetry, { s3, bedrock, secretsManager });
    const handler = createSqsHandler(telemetry, () => runtime);

    await handler(
      sqsEvent([
        await putDocument(
          `warmup-${i}.md`,
          texts.slice(0, 20).map((t) => `${t} (warm-up ${i})`),
        ),
      ]),
    );
    await request(child, { type: "reset" }, "reset");

    // RUNS ingestions of the same document into an empty index; the run with the median wall time is reported.
    const runs: { wallMs: number; cpuMs: number; stats: Stats }[] = [];
    for (let run = 0; run < RUNS; run++) {
      await request(child, { type: "reset" }, "reset");
      const body = await putDocument(`bench-${i}.md`, texts);
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      const response = await handler(sqsEvent([body]));
      const wallMs = performance.now() - started;
      const cpu = process.cpuUsage(cpuBefore);
      if (response.batchItemFailures.length > 0)
        throw new Error(`${scenario.name} failed: ${JSON.stringify(telemetry.outcomes())}`);
      const { stats } = await request<{ stats: Stats }>(child, { type: "stats" }, "stats");
      runs.push({ wallMs, cpuMs: (cpu.user + cpu.system) / 1000, stats });
    }
    runs.sort((a, b) => a.wallMs - b.wallMs);
    const { wallMs, cpuMs, stats } = runs[Math.floor(RUNS / 2)];
    const bareMs = await bareSdkLoop(bedrock, scenario, texts);

    const batch = scenario.modelId.startsWith("cohere") ? 96 : 1;
    const minBedrock = Math.ceil(CHUNKS / batch);
    const upsertBytes = stats.upsertBytes.reduce((a, b) => a + b, 0);
    // Each request carries "[" + vectors joined by "," + "]": the payload bytes are what must be split.
    const minUpserts = Math.max(
      Math.ceil(CHUNKS / 1000),
      Math.ceil(upsertBytes / scenario.upstashMaxRequestBytes),
    );
    const rounds = Math.max(
      Math.ceil(stats.bedrockRequests / scenario.bedrockConcurrency) + 1,
      1 + Math.ceil(stats.upstash.upsert / scenario.upstashConcurrency),
    );
    const minWall = LATENCY_MS + rounds * LATENCY_MS;
    const others =
      Object.entries(stats.upstash)
        .filter(([c, n]) => c !== "upsert" && n > 0)
        .map(([c, n]) => `${n} ${c}`)
        .join(", ") || "0";
    lines.push(
      `| ${scenario.name}; concurrency ${scenario.bedrockConcurrency} Bedrock / ${scenario.upstashConcurrency} Upstash | ${stats.bedrockRequests} | ${minBedrock} | ${stats.upstash.upsert} | ${minUpserts} | ${others} | ${(wallMs / 1000).toFixed(2)} s | ${(minWall / 1000).toFixed(2)} s | ${(wallMs / minWall).toFixed(2)} | ${(cpuMs / 1000).toFixed(2)} s | ${(bareMs / 1000).toFixed(2)} s |`,
    );
    console.log(
      `${scenario.name}: ${stats.bedrockRequests} Bedrock (min ${minBedrock}), ${stats.upstash.upsert} upserts (min ${minUpserts}, ${(upsertBytes / 1e6).toFixed(1)} MB), ` +
        `${runs.map((r) => (r.wallMs / 1000).toFixed(2)).join(" / ")} s vs ${(minWall / 1000).toFixed(2)} s; bare SDK ${(bareMs / 1000).toFixed(2)} s`,
    );
  }

  // A redelivered message for a document that is already indexed.
  await request(child, { type: "reset" }, "reset");
  const env = readVectorizeEnv({
    POWERTOOLS_SERVICE_NAME: "bench",
    POWERTOOLS_METRICS_NAMESPACE: "Bench",
    RAW_BUCKET: RAW,
    PROCESSED_BUCKET: PROCESSED,
    UPSTASH_SECRET_ARN: SECRET_ARN,
    UPSTASH_NAMESPACE: "bench",
    EMBEDDING_DIMENSIONS: String(DIMENSIONS),
  });
  const telemetry = new RecordingTelemetry();
  const runtime = vectorizeRuntime(env, telemetry, { s3, bedrock, secretsManager });
  const handler = createSqsHandler(telemetry, () => runtime);
  const body = await putDocument("redelivered.md", texts);
  await handler(sqsEvent([body]));
  const before = await request<{ stats: Stats }>(child, { type: "stats" }, "stats");
  const started = performance.now();
  await handler(sqsEvent([body]));
  const redeliveryMs = performance.now() - started;
  const after = await request<{ stats: Stats }>(child, { type: "stats" }, "stats");
  lines.push(
    "",
    `Redelivered message for the same ${CHUNKS}-chunk document (all vectors already indexed): ` +
      `${after.stats.bedrockRequests - before.stats.bedrockRequests} Bedrock requests, ` +
      `${after.stats.upstash.upsert - before.stats.upstash.upsert} upserts, ` +
      `${after.stats.upstash.range - before.stats.upstash.range} range request, ${(redeliveryMs / 1000).toFixed(2)} s.`,
    "",
  );

  s3.destroy();
  bedrock.destroy();
  secretsManager.destroy();
  child.send({ type: "close" });
  writeFileSync(join(ROOT, "bench", "results", "ingest.md"), lines.join("\n"));
  console.log(lines.join("\n"));
}

if (require.main === module) {
  (process.argv.includes("--serve") ? serveEndpoints() : main()).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
