/*
 * Lambda's and SQS event sources' limits, and how a function is sized: the rules every component that builds a
 * function (the pipeline, the API, the WebSocket API, the agent workers) checks its sizing against.
 */

/** Lambda's limits (CreateFunction, PutFunctionConcurrency, CreateEventSourceMapping). */
export const LAMBDA_MEMORY_MB = { min: 128, max: 10240 } as const;
export const LAMBDA_TIMEOUT_SECONDS = { min: 1, max: 900 } as const;
/** Reserved concurrency: -1 reserves none. */
export const LAMBDA_RESERVED_CONCURRENCY = { min: -1, max: 1000 } as const;
export const SQS_MAXIMUM_CONCURRENCY = { min: 2, max: 1000 } as const;
export const SQS_BATCH_SIZE = { min: 1, max: 10000 } as const;
export const SQS_BATCHING_WINDOW_SECONDS = { min: 0, max: 300 } as const;

/** How a function runs. No field has a default. */
export interface FunctionSizing {
  /** Memory in MB (128-10240); CPU follows it. */
  readonly memoryMb: number;
  /** Timeout in seconds (1-900, or less where its caller waits less). */
  readonly timeoutSeconds: number;
  /** Reserved concurrency; -1 reserves none (the function shares the account's unreserved pool). */
  readonly reservedConcurrency: number;
}

/**
 * Why functions cannot be rolled out blue/green (lambdaBlueGreen) with or without their alarms, or undefined:
 * CodeDeploy rolls a deployment back on the functions' alarms, so the group needs them.
 */
export function blueGreenProblem(blueGreen: boolean, functionAlarms: boolean): string | undefined {
  return blueGreen && !functionAlarms
    ? "CodeDeploy rolls a deployment back on the functions' alarms"
    : undefined;
}
