/**
 * The bundled TaskRunner: the agent does its task with Amazon Bedrock's Converse API (Amazon Nova Lite by default).
 *
 * A task is one Converse call, or, where `payload.steps` lists steps, one call per step in one conversation (each
 * step's answer is the assistant's turn before the next step). After each step the runner checkpoints (a
 * continuation resumes at the next step) and, with several steps, reports progress. Before each call it checks the time left: a call
 * may take tens of seconds, so with less than `minCallMs` left it returns `continue` and the next invocation
 * makes the call. Throttling and 5xx are retried with backoff (functions/shared/retry.ts); a refusal
 * (ValidationException, AccessDenied, unknown model) ends the task failed, naming the model and the reason;
 * retries that run out throw, so the worker fails the record and SQS delivers it again.
 */
import {
  BedrockRuntimeClient,
  ContentBlock,
  ConverseCommand,
  ConverseCommandOutput,
  Message,
} from "@aws-sdk/client-bedrock-runtime";
import { DependencyError } from "../shared/outcome";
import { DEFAULT_RETRY_POLICY, RetriesExhaustedError, RetryPolicy, withRetry } from "../shared/retry";
import { classifyBedrockError } from "../shared/bedrock";
import type { AgentWorkerName } from "./env";
import { stepMessage, SYSTEM_PROMPTS } from "./prompts";
import type { TaskContext, TaskResult, TaskRunner } from "./runner";
import type { AgentTask } from "./task";

/**
 * Output tokens per call. Nova Lite answers at most 5,000 (10,000 in newer versions); 4,096 is a long answer
 * (a few source files) that still fits OUTPUT_BYTES below in one step.
 */
export const MAX_TOKENS = 4096;
/**
 * Answer text kept per task, over all its steps (each step gets an equal share). The text is in the task's item
 * twice (the checkpoint state and the result) and in the finished status push: 2 x 96 KiB stays well under
 * DynamoDB's 400 KB item limit, and one copy under API Gateway's 128 KB WebSocket message limit.
 */
export const OUTPUT_BYTES = 96 * 1024;
/** Most steps a task may list (each gets OUTPUT_BYTES / steps, at least 4.8 KiB). */
export const MAX_STEPS = 20;
/** Time a Converse call is given before the run continues in a new invocation instead. */
export const MIN_CALL_MS = 45_000;
/** Longest single attempt: a connection that hangs longer is abandoned and the call retried. */
export const CALL_TIMEOUT_MS = 120_000;

export interface BedrockRunnerOptions {
  readonly client: BedrockRuntimeClient;
  /** A foundation model id (amazon.nova-lite-v1:0) or a cross-region inference profile id. */
  readonly modelId: string;
  readonly maxTokens?: number;
  readonly retry?: RetryPolicy;
  readonly minCallMs?: number;
  readonly callTimeoutMs?: number;
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

export interface StepResult {
  readonly text: string;
  readonly stopReason: string;
  /** Set when the answer was longer than its share of OUTPUT_BYTES and was cut. */
  readonly truncated?: true;
}

export interface Usage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly totalTokens: number;
}

/** What a run checkpoints: the answers so far (the next step is `done.length`) and the tokens used. */
export interface ConverseState {
  readonly done: readonly StepResult[];
  readonly usage: Usage;
}

const NO_USAGE: Usage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };

/** `text` cut to at most `bytes` UTF-8 bytes, never inside a character. */
export function capText(text: string, bytes: number): { text: string; truncated: boolean } {
  const encoded = Buffer.from(text, "utf8");
  if (encoded.length <= bytes) return { text, truncated: false };
  return {
    text: encoded
      .subarray(0, bytes)
      .toString("utf8")
      .replace(/\uFFFD+$/, ""),
    truncated: true,
  };
}

/** `payload.steps`: undefined when absent, the steps when valid, an error message otherwise. */
export function stepsOf(task: AgentTask): readonly string[] | undefined | { error: string } {
  const steps = task.payload.steps;
  if (steps === undefined) return undefined;
  if (!Array.isArray(steps) || steps.length === 0 || !steps.every((s) => typeof s === "string" && s.trim()))
    return { error: "payload.steps must be a non-empty list of non-empty strings" };
  if (steps.length > MAX_STEPS)
    return { error: `payload.steps lists ${steps.length} steps; at most ${MAX_STEPS} are allowed` };
  return steps as string[];
}

function isState(value: unknown): value is ConverseState {
  return !!value && typeof value === "object" && Array.isArray((value as ConverseState).done);
}

const errorName = (e: unknown) => (e as Error)?.name ?? "Error";
const httpStatus = (e: unknown) =>
  (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;

export function createBedrockRunner(agent: AgentWorkerName, options: BedrockRunnerOptions): TaskRunner {
  const { client, modelId } = options;
  const minCallMs = options.minCallMs ?? MIN_CALL_MS;
  const callTimeoutMs = options.callTimeoutMs ?? CALL_TIMEOUT_MS;

  async function converse(messages: Message[], ctx: TaskContext): Promise<ConverseCommandOutput> {
    return withRetry(
      () =>
        client.send(
          new ConverseCommand({
            modelId,
            system: [{ text: SYSTEM_PROMPTS[agent] }],
            messages,
            inferenceConfig: { maxTokens: options.maxTokens ?? MAX_TOKENS },
          }),
          { abortSignal: AbortSignal.any([ctx.signal, AbortSignal.timeout(callTimeoutMs)]) },
        ),
      {
        policy: options.retry ?? DEFAULT_RETRY_POLICY,
        // The worker's abort (the continuation deadline) is final; only a timed-out attempt is retried.
        classify: (error) => (ctx.signal.aborted ? { retryable: false } : classifyBedrockError(error)),
        // A retry must leave a call its time; later, the run continues in a new invocation.
        deadline: () => Date.now() + ctx.remainingMs() - minCallMs,
        onRetry: options.onRetry,
      },
    );
  }

  return {
    async run(task, ctx): Promise<TaskResult> {
      const steps = stepsOf(task);
      if (steps && "error" in steps) return { status: "failed", error: steps.error };
      const count = steps?.length ?? 1;
      const share = Math.floor(OUTPUT_BYTES / count);
      let state: ConverseState = isState(ctx.state) ? ctx.state : { done: [], usage: NO_USAGE };

      while (state.done.length < count) {
        const index = state.done.length;
        if (ctx.remainingMs() < minCallMs) return { status: "continue", state };
        const messages: Message[] = [];
        state.done.forEach((answer, i) => {
          messages.push({ role: "user", content: [{ text: stepMessage(task, steps, i) }] });
          // Converse refuses a blank text block: an empty answer is still a turn.
          messages.push({ role: "assistant", content: [{ text: answer.text || "(no answer)" }] });
        });
        messages.push({ role: "user", content: [{ text: stepMessage(task, steps, index) }] });

        let response: ConverseCommandOutput;
        try {
          response = await converse(messages, ctx);
        } catch (error) {
          const cause = error instanceof RetriesExhaustedError ? (error.cause as Error) : error;
          const what = `Bedrock Converse ${modelId} (${steps ? `step ${index + 1} of ${count}` : "the task"})`;
          const reason = `${errorName(cause)}${httpStatus(cause) ? ` (HTTP ${httpStatus(cause)})` : ""}: ${(cause as Error)?.message ?? String(cause)}`;
          // Stopped by the worker, or out of time between retries: the next invocation makes this call.
          if (ctx.signal.aborted || (error instanceof RetriesExhaustedError && error.outOfTime))
            return { status: "continue", state };
          if (error instanceof RetriesExhaustedError && !error.retryable)
            return { status: "failed", error: `${what} was refused: ${reason}` };
          throw new DependencyError("bedrock", "unavailable", `${what} failed: ${reason}`, { cause });
        }

        const text = (response.output?.message?.content ?? [])
          .map((block: ContentBlock) => ("text" in block && block.text) || "")
          .join("");
        const capped = capText(text, share);
        const usage = response.usage ?? NO_USAGE;
        state = {
          done: [
            ...state.done,
            {
              text: capped.text,
              stopReason: response.stopReason ?? "unknown",
              ...(capped.truncated ? { truncated: true as const } : {}),
            },
          ],
          usage: {
            inputTokens: state.usage.inputTokens + (usage.inputTokens ?? 0),
            outputTokens: state.usage.outputTokens + (usage.outputTokens ?? 0),
            totalTokens: state.usage.totalTokens + (usage.totalTokens ?? 0),
          },
        };
        await ctx.checkpoint(state);
        // Progress only for a task of several steps: a single call's progress is its result, reported next.
        if (steps)
          await ctx.report({ step: index + 1, of: count, stopReason: response.stopReason ?? "unknown" });
      }

      const common = { agent, type: task.type, modelId, usage: state.usage };
      const truncated = state.done.some((s) => s.truncated);
      if (!steps) {
        const [only] = state.done;
        return {
          status: "succeeded",
          output: { ...common, text: only.text, stopReason: only.stopReason, truncated },
        };
      }
      return {
        status: "succeeded",
        output: {
          ...common,
          steps: state.done.map((s, i) => ({ step: steps[i], ...s })),
          truncated,
        },
      };
    },
  };
}
