import { ConfigReader } from "./reader";

/*
 * Bedrock access for the agents (seed 004: Amazon Nova Lite): which models and cross-region inference profiles
 * the application role may invoke, who may assume the role, and the daily token budget its alarm watches.
 */

/** A foundation model id as Bedrock names it: <provider>.<model>[:<version>], e.g. amazon.nova-lite-v1:0. */
export const MODEL_ID = /^[a-z0-9-]+\.[a-z0-9][a-z0-9.-]*(:\d+(:[a-z0-9]+)?)?$/;
/** Geography prefixes of system-defined (cross-region) inference profiles, and the regions each routes to. */
export const PROFILE_GEOGRAPHIES: Record<string, RegExp> = {
  us: /^us-(east|west)-\d$/,
  "us-gov": /^us-gov-(east|west)-\d$/,
  eu: /^eu-[a-z]+-\d$/,
  apac: /^ap-[a-z]+-\d$/,
};
/** Service principals the role may trust. */
export const TRUSTED_SERVICES = ["ecs-tasks.amazonaws.com", "lambda.amazonaws.com"] as const;
const ROLE_ARN = /^arn:aws(-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

export interface InferenceProfile {
  /** The profile id, e.g. us.amazon.nova-lite-v1:0. */
  readonly id: string;
  /** The foundation model it routes to, e.g. amazon.nova-lite-v1:0. */
  readonly modelId: string;
}

export interface BedrockConfig {
  /** Whether the application role and its alarms are deployed. */
  readonly enabled: boolean;
  /** Foundation models invoked directly in the stack's region. */
  readonly modelIds: readonly string[];
  /** Cross-region inference profiles invoked from the stack's region. */
  readonly inferenceProfiles: readonly InferenceProfile[];
  /** Regions the inference profiles route to: the foundation model is granted in each. */
  readonly inferenceProfileRegions: readonly string[];
  readonly trustedServices: readonly (typeof TRUSTED_SERVICES)[number][];
  readonly trustedRoleArns: readonly string[];
  /** Input plus output tokens a day, over all models, above which the token alarm fires. */
  readonly dailyTokenBudget: number;
  /** Throttle, client-error and token-budget alarms ($0.10 a metric a month each). */
  readonly alarmsEnabled: boolean;
}

export function readBedrock(r: ConfigReader, stackRegion: string): BedrockConfig {
  const enabled = r.boolean("bedrockAccessEnabled", true);
  const modelIds = r.stringList("bedrockModelIds", ["amazon.nova-lite-v1:0"]);
  const profileIds = r.stringList("bedrockInferenceProfileIds", []);
  const profileRegions = r.stringList("bedrockInferenceProfileRegions", []);
  const services = r.stringList("bedrockTrustedServices", ["ecs-tasks.amazonaws.com"]);
  const roleArns = r.stringList("bedrockTrustedRoleArns", []);
  const dailyTokenBudget = r.number("bedrockDailyTokenBudget", { min: 1000, max: 1e12 }, 2_000_000);
  const alarmsEnabled = r.boolean("bedrockAlarmsEnabled", true);

  modelIds.forEach((id, i) => {
    if (!MODEL_ID.test(id))
      r.report(
        `bedrockModelIds[${i}]`,
        id,
        "must be a Bedrock foundation model id such as amazon.nova-lite-v1:0",
      );
    else if (Object.keys(PROFILE_GEOGRAPHIES).includes(id.split(".")[0]))
      r.report(
        `bedrockModelIds[${i}]`,
        id,
        "is an inference profile id: list it in bedrockInferenceProfileIds",
      );
  });
  const inferenceProfiles: InferenceProfile[] = [];
  profileIds.forEach((id, i) => {
    const geo = id.split(".")[0];
    const modelId = id.slice(geo.length + 1);
    const pattern = PROFILE_GEOGRAPHIES[geo];
    if (pattern === undefined || !MODEL_ID.test(modelId)) {
      r.report(
        `bedrockInferenceProfileIds[${i}]`,
        id,
        `must be a cross-region inference profile id: ${Object.keys(PROFILE_GEOGRAPHIES).join(", ")} then a model id, such as us.amazon.nova-lite-v1:0`,
      );
      return;
    }
    inferenceProfiles.push({ id, modelId });
    profileRegions.forEach((region, j) => {
      if (!pattern.test(region))
        r.report(
          `bedrockInferenceProfileRegions[${j}]`,
          region,
          `must be a region the ${geo}. profile ${id} routes to`,
        );
    });
  });
  profileRegions.forEach((region, j) => {
    if (!REGION.test(region))
      r.report(`bedrockInferenceProfileRegions[${j}]`, region, "must be an AWS region");
  });
  if (profileIds.length > 0 && !profileRegions.includes(stackRegion))
    r.report(
      "bedrockInferenceProfileRegions",
      profileRegions,
      `must include the stack's region ${stackRegion} (the source region the profiles are invoked from)`,
    );
  if (profileIds.length === 0 && profileRegions.length > 0)
    r.report(
      "bedrockInferenceProfileRegions",
      profileRegions,
      "is only used with bedrockInferenceProfileIds",
    );
  if (enabled && modelIds.length + profileIds.length === 0)
    r.report(
      "bedrockModelIds",
      modelIds,
      "must name a model (or set bedrockInferenceProfileIds) when bedrockAccessEnabled",
    );

  const trustedServices = services.filter((s, i) => {
    const ok = (TRUSTED_SERVICES as readonly string[]).includes(s);
    if (!ok) r.report(`bedrockTrustedServices[${i}]`, s, `must be one of ${TRUSTED_SERVICES.join(", ")}`);
    return ok;
  }) as (typeof TRUSTED_SERVICES)[number][];
  roleArns.forEach((arn, i) => {
    if (!ROLE_ARN.test(arn))
      r.report(
        `bedrockTrustedRoleArns[${i}]`,
        arn,
        "must be an IAM role ARN such as arn:aws:iam::123456789012:role/agents",
      );
  });
  if (enabled && services.length + roleArns.length === 0)
    r.report(
      "bedrockTrustedServices",
      services,
      "must name a service (or set bedrockTrustedRoleArns): someone must assume the role",
    );

  return {
    enabled,
    modelIds,
    inferenceProfiles,
    inferenceProfileRegions: profileRegions,
    trustedServices,
    trustedRoleArns: roleArns,
    dailyTokenBudget,
    alarmsEnabled,
  };
}
