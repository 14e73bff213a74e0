/**
 * Bedrock Runtime on loopback: POST /model/{modelId}/invoke with the documented bodies of Titan Text Embeddings
 * V2 ({inputText, dimensions, normalize} → {embedding, inputTextTokenCount}) and Cohere Embed ({texts, input_type,
 * truncate, embedding_types?} → {embeddings}), and errors as the service sends them (x-amzn-ErrorType header plus
 * a JSON message). Embeddings are deterministic functions of the text. POST /model/{modelId}/converse answers a
 * Converse request ({system, messages, inferenceConfig}) with `answer(request)` (by default an echo of the last
 * user turn) and usage counted at 4 characters a token.
 */
import { createHash } from "node:crypto";
import { Fault, LoopbackServer, RecordedRequest, Reply } from "./loopback";

export function bedrockError(status: number, type: string, message = type): Fault {
  return {
    status,
    body: { message },
    headers: { "x-amzn-ErrorType": `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/` },
  };
}

export const THROTTLED = bedrockError(
  429,
  "ThrottlingException",
  "Too many requests, please wait before trying again.",
);
export const UNAVAILABLE = bedrockError(503, "ServiceUnavailableException", "Service unavailable");
export const INTERNAL = bedrockError(500, "InternalServerException", "Internal server error");

/**
 * A deterministic unit vector for `text`: a xorshift sequence seeded by the text's hash, rounded to 9 decimal
 * places, which is how long Bedrock's float32 values are in its JSON (so payload sizes match the real service's).
 * Cheap on purpose: the benchmark measures the function, not this fake.
 */
export function fakeEmbedding(text: string, dimensions: number): number[] {
  let state = createHash("sha256").update(text).digest().readUInt32BE(0) || 1;
  const values = new Array<number>(dimensions);
  let sum = 0;
  for (let i = 0; i < dimensions; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    values[i] = (state >>> 0) / 2 ** 31 - 1;
    sum += values[i] * values[i];
  }
  const norm = Math.sqrt(sum);
  return values.map((x) => Math.round((x / norm) * 1e9) / 1e9);
}

export class FakeBedrock extends LoopbackServer {
  /** Texts embedded, in request order. */
  readonly embedded: string[] = [];

  /** Converse request bodies, in request order. */
  readonly conversations: ConverseBody[] = [];
  /** The assistant's text for a Converse request. */
  answer: (body: ConverseBody, modelId: string) => string = (body) =>
    `answer to: ${body.messages[body.messages.length - 1].content[0].text}`;

  constructor() {
    super("http2");
  }

  invocations(): RecordedRequest[] {
    return this.requests.filter((r) => r.path.endsWith("/invoke"));
  }

  protected handle(request: RecordedRequest): Reply {
    const converse = /^\/model\/(.+)\/converse$/.exec(request.path);
    if (request.method === "POST" && converse) return this.converse(converse[1], JSON.parse(request.body));
    const match = /^\/model\/(.+)\/invoke$/.exec(request.path);
    if (request.method !== "POST" || !match)
      return invalid(404, "UnknownOperationException", `no route ${request.path}`);
    const modelId = match[1];
    const body = JSON.parse(request.body) as Record<string, unknown>;
    if (modelId.includes("titan-embed-text-v2")) {
      const text = body.inputText;
      const dimensions = (body.dimensions as number | undefined) ?? 1024;
      if (typeof text !== "string" || text.length === 0)
        return invalid(400, "ValidationException", "inputText is required");
      if (text.length > 50_000) return invalid(400, "ValidationException", "Too many input characters");
      if (![256, 512, 1024].includes(dimensions))
        return invalid(400, "ValidationException", "dimensions must be 256, 512 or 1024");
      this.embedded.push(text);
      return {
        status: 200,
        body: { embedding: fakeEmbedding(text, dimensions), inputTextTokenCount: Math.ceil(text.length / 4) },
      };
    }
    if (modelId.includes("cohere.embed")) {
      const texts = body.texts;
      if (!Array.isArray(texts) || texts.length === 0 || texts.length > 96) {
        return invalid(400, "ValidationException", "texts must hold 1 to 96 strings");
      }
      const dimensions = (body.output_dimension as number | undefined) ?? 1024;
      this.embedded.push(...(texts as string[]));
      // Unnormalised on purpose: the embedder normalises Cohere vectors itself.
      const vectors = (texts as string[]).map((t) =>
        fakeEmbedding(t, dimensions).map((x) => Math.round(x * 3e9) / 1e9),
      );
      const byType = Array.isArray(body.embedding_types);
      return {
        status: 200,
        body: {
          id: "fake",
          texts,
          embeddings: byType ? { float: vectors } : vectors,
          response_type: byType ? "embeddings_by_type" : "embeddings_floats",
        },
      };
    }
    return invalid(400, "ValidationException", `model ${modelId} is not served here`);
  }

  private converse(modelId: string, body: ConverseBody): Reply {
    const roles = body.messages.map((m) => m.role).join(",");
    if (!/^user(,assistant,user)*$/.test(roles))
      return invalid(
        400,
        "ValidationException",
        `messages must alternate user and assistant turns: ${roles}`,
      );
    if (body.messages.some((m) => m.content.some((c) => !c.text?.trim())))
      return invalid(400, "ValidationException", "The text field in the ContentBlock object is blank");
    this.conversations.push(body);
    const text = this.answer(body, modelId);
    const read = [...(body.system ?? []), ...body.messages.flatMap((m) => m.content)];
    const inputTokens = Math.ceil(read.reduce((n, c) => n + c.text.length, 0) / 4);
    const outputTokens = Math.ceil(text.length / 4);
    return {
      status: 200,
      body: {
        output: { message: { role: "assistant", content: [{ text }] } },
        stopReason: "end_turn",
        usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
        metrics: { latencyMs: 1 },
      },
    };
  }
}

export interface ConverseBody {
  readonly system?: { text: string }[];
  readonly messages: { role: string; content: { text: string }[] }[];
  readonly inferenceConfig?: { maxTokens?: number };
}

function invalid(status: number, type: string, message: string): Reply {
  return { status, body: { message }, headers: { "x-amzn-ErrorType": type } };
}
