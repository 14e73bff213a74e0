import { at, joinWords, list } from "./lib/checks";
import { resourcePolicy, Res, who } from "./lib/framework";
import { K } from "./lib/kinds";
import { isDefaulted, isUnknown, parseJsonish, unknownAt } from "./lib/values";

/*
 * Lambda hygiene: supported runtimes, explicit timeout and memory, tracing, and no secret-looking values in
 * plaintext environment variables (Lambda and ECS container definitions alike: both are readable by anyone
 * with the service's Get/Describe permission).
 */

/**
 * Runtimes accepted by default: current AWS Lambda runtimes that are neither deprecated by AWS nor built on
 * Amazon Linux 2 (end of support 2026-06-30). test/policy/lambda.spec.ts checks each is in @pulumi/aws's
 * Runtime enum and not marked deprecated there.
 */
export const SUPPORTED_RUNTIMES = [
  "nodejs22.x",
  "nodejs24.x",
  "python3.11",
  "python3.12",
  "python3.13",
  "python3.14",
  "java21",
  "java25",
  "dotnet8",
  "dotnet10",
  "ruby3.3",
  "ruby3.4",
  "provided.al2023",
];

/** Deprecation dates published on the AWS Lambda runtimes page, for the message. */
export const RUNTIME_DEPRECATIONS: Record<string, string> = {
  "nodejs16.x": "2024-06-12",
  "nodejs18.x": "2025-09-01",
  "nodejs20.x": "2026-04-30",
  "python3.8": "2024-10-14",
  "python3.9": "2025-12-15",
  dotnet6: "2024-12-20",
  "ruby3.2": "2026-03-31",
  "provided.al2": "2026-06-30 (Amazon Linux 2)",
  "java8.al2": "2026-06-30 (Amazon Linux 2)",
};

export const lambdaSupportedRuntime = resourcePolicy<{ allowedRuntimes: string[] }>(
  {
    name: "lambda-supported-runtime",
    description: "Lambda functions use a runtime AWS still supports.",
    domain: "lambda",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps:
      'Move the function to a supported runtime (aws.lambda.Runtime.NodeJS22dX, "nodejs22.x").',
    references: { checkov: ["CKV_AWS_363"], cdkNag: ["AwsSolutions-L1", "Serverless-LambdaLatestVersion"] },
    kinds: [K.lambdaFunction],
    config: {
      allowedRuntimes: {
        type: "array",
        items: { type: "string" },
        default: SUPPORTED_RUNTIMES,
        description: "Runtimes functions may use.",
      },
    },
  },
  (res, { config }, add) => {
    if (res.props.packageType === "Image") return;
    const runtime = res.props.runtime;
    if (runtime === undefined) add(`${who(res)} sets no runtime.`);
    else if (!config.allowedRuntimes.includes(runtime)) {
      const date = RUNTIME_DEPRECATIONS[runtime];
      add(
        `${who(res)} uses ${runtime}, ${date ? `deprecated by AWS on ${date}` : "which is not an allowed runtime"}; ` +
          `use one of ${config.allowedRuntimes.join(", ")}.`,
      );
    }
  },
);

export const lambdaExplicitLimits = resourcePolicy(
  {
    name: "lambda-explicit-limits",
    description: "Lambda functions set their timeout and memory explicitly.",
    domain: "lambda",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps:
      "Set timeout (the default 3 s is rarely right for Bedrock or network calls) and memorySize (128 MB " +
      "default also caps CPU) from measured needs.",
    references: { cdkNag: ["Serverless-LambdaDefaultMemorySize", "Serverless-LambdaFunctionDefaultTimeout"] },
    kinds: [K.lambdaFunction],
  },
  (res, _ctx, add) => {
    const missing = ["timeout", "memorySize"].filter((k) => isDefaulted(res.props, k));
    if (missing.length > 0) add(`${who(res)} leaves ${joinWords(missing)} at the default.`);
  },
);

export const lambdaTracing = resourcePolicy(
  {
    name: "lambda-tracing",
    description: "Lambda functions send traces to X-Ray.",
    domain: "lambda",
    enforcementLevel: "advisory",
    severity: "low",
    remediationSteps:
      'Set tracingConfig: { mode: "Active" } and allow xray:PutTraceSegments/PutTelemetryRecords.',
    references: {
      checkov: ["CKV_AWS_50"],
      cdkNag: ["Serverless-LambdaTracing"],
      pulumi: ["aws-lambda-function-enable-tracing-config"],
    },
    kinds: [K.lambdaFunction],
  },
  (res, _ctx, add) => {
    if (res.props.tracingConfig?.mode !== "Active")
      add(`${who(res)} does not trace (tracingConfig.mode is not Active).`);
  },
);

/** Name segments (SNAKE_CASE, or camelCase split at capitals) that say the value is a secret. */
export const SECRET_NAME =
  /(^|_)(SECRET|PASSWORD|PASSWD|PWD|TOKEN|APIKEY|API_KEY|PRIVATE_KEY|ACCESS_KEY|SECRET_KEY|CREDENTIALS?|AUTH_TOKEN)(_|$)/;
/** Suffixes that say the value only points at a secret or describes it. */
export const REFERENCE_NAME =
  /_(ARN|NAME|ID|URL|URI|PATH|PARAM|PARAMETER|REF|ENDPOINT|REGION|HEADER|TTL|FILE|TYPE|LENGTH|EXPIRY|EXPIRES)$/;

/** `dbPassword` -> `DB_PASSWORD`, `UPSTASH_TOKEN` unchanged. */
export function envName(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/-/g, "_")
    .toUpperCase();
}

function secretNamed(name: string): boolean {
  const n = envName(name);
  return SECRET_NAME.test(n) && !REFERENCE_NAME.test(n);
}

/** Values that look like credentials whatever the variable's name. */
export const SECRET_VALUE: Array<[RegExp, string]> = [
  [/\b(AKIA|ASIA)[0-9A-Z]{16}\b/, "an AWS access key id"],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, "a private key"],
  [/\bgh[pousr]_[A-Za-z0-9]{36,}\b/, "a GitHub token"],
  [/\bxox[abpr]-[A-Za-z0-9-]{10,}\b/, "a Slack token"],
  [/\bsk_(live|test)_[A-Za-z0-9]{16,}\b/, "a Stripe key"],
  [/\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/, "a JSON Web Token"],
];

function looksLikeReference(value: string): boolean {
  return /^arn:aws[a-z-]*:/.test(value) || value.startsWith("{{resolve:") || value === "";
}

/** Environment variables (name, value) of a function or of every container of a task definition. */
function environment(res: Res): Array<{ where: string; name: string; value: unknown }> {
  if (K.lambdaFunction.has(res.type)) {
    const vars = at(res.raw, "environment.variables");
    if (isUnknown(vars)) unknownAt("environment.variables", vars);
    return Object.entries((vars as Record<string, unknown>) ?? {}).map(([name, value]) => ({
      where: "",
      name,
      value,
    }));
  }
  const defs = res.raw["containerDefinitions"];
  if (isUnknown(defs)) unknownAt("containerDefinitions", defs);
  return list(parseJsonish(defs)).flatMap((c) =>
    list(at(c, "environment")).map((e) => ({
      where: ` container '${String(at(c, "name"))}'`,
      name: String(at(e, "name")),
      value: at(e, "value"),
    })),
  );
}

export const noPlaintextSecrets = resourcePolicy(
  {
    name: "no-plaintext-secrets",
    description: "Environment variables of functions and containers hold no secrets in plain text.",
    domain: "lambda",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps:
      "Store the value in Secrets Manager and pass its ARN (e.g. UPSTASH_TOKEN_SECRET_ARN); the code reads it " +
      "at start. For ECS, use the container definition's `secrets` (valueFrom) instead of `environment`.",
    references: { checkov: ["CKV_AWS_45"], cdkNag: ["AwsSolutions-ECS2"] },
    kinds: [K.lambdaFunction, K.ecsTaskDefinition],
  },
  (res, _ctx, add) => {
    let unknownName: string | undefined;
    for (const { where, name, value } of environment(res)) {
      if (isUnknown(value)) {
        if (secretNamed(name)) unknownName ??= name;
        continue;
      }
      const text = String(value ?? "");
      const shaped = SECRET_VALUE.find(([re]) => re.test(text));
      if (shaped) add(`${who(res)}${where} variable ${name} holds ${shaped[1]}.`);
      else if (secretNamed(name) && !looksLikeReference(text))
        add(
          `${who(res)}${where} variable ${name} looks like a secret in plain text; pass a Secrets Manager ARN.`,
        );
    }
    // A secret-named variable whose value is not known yet: judged at update, reported as "can't run".
    if (unknownName) unknownAt(`environment.variables.${unknownName}`);
  },
);

export const lambdaPolicies = [
  lambdaSupportedRuntime,
  lambdaExplicitLimits,
  lambdaTracing,
  noPlaintextSecrets,
];
