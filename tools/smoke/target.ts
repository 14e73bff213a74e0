/**
 * What the smoke test (tools/smoke-test.ts) runs against: the endpoints and names a stack exports, read from
 * `pulumi stack output --json`, from a file holding that JSON (or the local runner's one line), or given as flags.
 * Every missing or malformed value is reported at once, naming the output or flag.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

/** Where a document goes and where its processed form and its vectors show up (the Pipeline's outputs). */
export interface PipelineTarget {
  readonly rawBucket: string;
  readonly processedBucket: string;
  readonly uploadPrefix: string;
  readonly processedPrefix: string;
  readonly uploaderRoleArn: string;
  readonly upstashSecretArn: string;
  readonly vectorNamespace: string;
}

export interface SmokeTarget {
  /** What is tested, for the report: the stack name, or the file or URL the values came from. */
  readonly label: string;
  /** The REST API's stage URL, without a trailing slash. */
  readonly apiUrl: string;
  /** The API key itself (local runner, --api-key), or the id of the stack's key (fetched from API Gateway). */
  readonly apiKey?: string;
  readonly apiKeyId?: string;
  /** Absent where the stack has no WebSocket API. */
  readonly websocket?: { readonly url: string; readonly authorization: "ticket" | "iam" };
  /** Absent where the stack has no ingestion pipeline. */
  readonly pipeline?: PipelineTarget;
  /** Region of the AWS calls (API key, uploader role, buckets, secret). */
  readonly region?: string;
}

/** The command-line values that select a target (tools/smoke-test.ts). */
export interface TargetFlags {
  readonly stack?: string;
  readonly outputs?: string;
  readonly apiUrl?: string;
  readonly wsUrl?: string;
  readonly apiKey?: string;
  readonly region?: string;
}

/** Stack outputs (index.ts) the pipeline checks need, by the field they fill. */
const PIPELINE_OUTPUTS: Readonly<Record<keyof PipelineTarget, string>> = {
  rawBucket: "rawBucketName",
  processedBucket: "processedBucketName",
  uploadPrefix: "uploadPrefix",
  processedPrefix: "processedPrefix",
  uploaderRoleArn: "uploaderRoleArn",
  upstashSecretArn: "upstashSecretArn",
  vectorNamespace: "vectorNamespace",
};

export class TargetError extends Error {
  constructor(problems: readonly string[]) {
    super(problems.join("; "));
    this.name = "TargetError";
  }
}

/** `pulumi stack output --json --stack <stack>`: the stack's outputs, or an error naming the command. */
export function stackOutputs(stack: string): Record<string, unknown> {
  const args = ["stack", "output", "--json", "--stack", stack];
  let text: string;
  try {
    text = execFileSync("pulumi", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? "").trim();
    throw new TargetError([`pulumi ${args.join(" ")} failed: ${stderr || (error as Error).message}`]);
  }
  return parseOutputs(text, `pulumi ${args.join(" ")}`);
}

export function parseOutputs(text: string, source: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new TargetError([`${source} is not JSON`]);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new TargetError([`${source} is not a JSON object of stack outputs`]);
  return value as Record<string, unknown>;
}

/** The target from the flags: a stack's outputs, a file of them, or explicit values (which win over both). */
export function resolveTarget(
  flags: TargetFlags,
  readOutputs: (stack: string) => Record<string, unknown> = stackOutputs,
): SmokeTarget {
  if (flags.stack !== undefined && flags.outputs !== undefined)
    throw new TargetError(["give --stack or --outputs, not both"]);
  let outputs: Record<string, unknown> = {};
  let label = flags.apiUrl ?? "";
  if (flags.stack !== undefined) {
    outputs = readOutputs(flags.stack);
    label = flags.stack;
  } else if (flags.outputs !== undefined) {
    let text: string;
    try {
      text = readFileSync(flags.outputs, "utf8");
    } catch (error) {
      throw new TargetError([`--outputs ${flags.outputs} cannot be read: ${(error as Error).message}`]);
    }
    outputs = parseOutputs(text, `--outputs ${flags.outputs}`);
    label = flags.outputs;
  } else if (flags.apiUrl === undefined) {
    throw new TargetError(["give --stack <name>, --outputs <file.json> or --api-url <url>"]);
  }
  return targetFromOutputs(outputs, flags, label);
}

/** Pure: the target from stack outputs (or the local runner's line) and the flags that override them. */
export function targetFromOutputs(
  outputs: Record<string, unknown>,
  flags: TargetFlags,
  label: string,
): SmokeTarget {
  const problems: string[] = [];
  const text = (name: string): string | undefined => {
    const value = outputs[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string" || value === "") {
      problems.push(`output ${name} is ${JSON.stringify(value)}, not a non-empty string`);
      return undefined;
    }
    return value;
  };
  const url = (value: string | undefined, what: string, schemes: readonly string[]) => {
    if (value === undefined) return undefined;
    let parsed: URL | undefined;
    try {
      parsed = new URL(value);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !schemes.includes(parsed.protocol)) {
      problems.push(`${what} ${JSON.stringify(value)} is not a ${schemes.join(" or ")}// URL`);
      return undefined;
    }
    return value.replace(/\/+$/, "");
  };

  const apiUrl = url(flags.apiUrl ?? text("apiUrl"), flags.apiUrl ? "--api-url" : "output apiUrl", [
    "https:",
    "http:",
  ]);
  if (flags.apiUrl === undefined && outputs.apiUrl === undefined)
    problems.push("output apiUrl is missing (give --api-url)");
  // The local runner prints the key itself; a stack exports the id of its key.
  const apiKey = flags.apiKey ?? text("apiKey");
  const apiKeyId = apiKey === undefined ? text("apiKeyId") : undefined;
  if (apiKey === undefined && apiKeyId === undefined)
    problems.push("neither output apiKeyId nor apiKey is present (give --api-key)");

  // websocketUrl is the stack output, wsUrl the local runner's field.
  const wsFlag = flags.wsUrl !== undefined;
  const wsUrl = url(
    flags.wsUrl ?? text("websocketUrl") ?? text("wsUrl"),
    wsFlag ? "--ws-url" : "output websocketUrl",
    ["wss:", "ws:"],
  );
  // A stack with IAM authorization exports the policy its clients attach, and issues no tickets.
  const authorization = outputs.websocketClientPolicyArn ? "iam" : "ticket";

  let pipeline: PipelineTarget | undefined;
  if (outputs.rawBucketName !== undefined) {
    const fields = Object.entries(PIPELINE_OUTPUTS).map(([field, output]) => {
      const value = text(output);
      if (value === undefined && outputs[output] === undefined)
        problems.push(`output ${output} is missing, and the pipeline checks need it`);
      return [field, value];
    });
    pipeline = Object.fromEntries(fields) as PipelineTarget;
  }
  const region = flags.region ?? regionOf(pipeline?.upstashSecretArn, apiUrl);
  if (problems.length > 0) throw new TargetError(problems);
  return {
    label,
    apiUrl: apiUrl!,
    ...(apiKey !== undefined ? { apiKey } : {}),
    ...(apiKeyId !== undefined ? { apiKeyId } : {}),
    ...(wsUrl !== undefined ? { websocket: { url: wsUrl, authorization } } : {}),
    ...(pipeline ? { pipeline } : {}),
    ...(region ? { region } : {}),
  };
}

/** The stack's region: the secret's ARN names it, and so does an execute-api host. */
function regionOf(secretArn: string | undefined, apiUrl: string | undefined): string | undefined {
  const fromArn = secretArn?.split(":")[3];
  if (fromArn) return fromArn;
  return apiUrl ? /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com/.exec(apiUrl)?.[1] : undefined;
}
