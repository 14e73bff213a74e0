import { KeyNames, Problems, selfNamed } from "../lib/problems";

/*
 * What the BedrockAccess component (the agents' Bedrock role, Amazon Nova Lite) is given, and the
 * rules of it: which models and cross-region inference profiles the role may invoke, who may assume it, and
 * the daily token budget its alarm watches.
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
export type TrustedService = (typeof TRUSTED_SERVICES)[number];
const ROLE_ARN = /^arn:aws(-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

export interface InferenceProfile {
  /** The profile id, e.g. us.amazon.nova-lite-v1:0: a geography of PROFILE_GEOGRAPHIES, then a model id. */
  readonly id: string;
  /** The foundation model it routes to, e.g. amazon.nova-lite-v1:0. */
  readonly modelId: string;
}

/** The role's scope (what config reads); the component adds where its alarms notify. No field has a default. */
export interface BedrockSettings {
  /** Foundation models invoked directly in the stack's region; none is an empty list. */
  readonly modelIds: readonly string[];
  /** Cross-region inference profiles invoked from the stack's region; none is an empty list. */
  readonly inferenceProfiles: readonly InferenceProfile[];
  /** Regions the inference profiles route to (the foundation model is granted in each); only with profiles. */
  readonly inferenceProfileRegions: readonly string[];
  /** Services whose tasks or functions may assume the role. */
  readonly trustedServices: readonly TrustedService[];
  /** Roles that may assume it; with `trustedServices`, at least one trustee. */
  readonly trustedRoleArns: readonly string[];
  /** Input plus output tokens a day, over all models (1000 to 10^12), above which the token alarm fires. */
  readonly dailyTokenBudget: number;
}

export type BedrockField =
  | "modelIds"
  | "inferenceProfiles"
  | "inferenceProfileRegions"
  | "trustedServices"
  | "trustedRoleArns"
  | "dailyTokenBudget";

export const BEDROCK_FIELDS: KeyNames<BedrockField> = selfNamed([
  "modelIds",
  "inferenceProfiles",
  "inferenceProfileRegions",
  "trustedServices",
  "trustedRoleArns",
  "dailyTokenBudget",
] as const);

/** Every rule the role's scope breaks, each named by `keys`. */
export function bedrockProblems(s: BedrockSettings, keys: KeyNames<BedrockField> = BEDROCK_FIELDS) {
  const p = new Problems(keys);
  p.number("dailyTokenBudget", s.dailyTokenBudget, { min: 1000, max: 1e12 });
  s.modelIds.forEach((id, i) => {
    if (!MODEL_ID.test(id))
      p.add("modelIds", id, "must be a Bedrock foundation model id such as amazon.nova-lite-v1:0", i);
    else if (Object.keys(PROFILE_GEOGRAPHIES).includes(id.split(".")[0]))
      p.add("modelIds", id, `is an inference profile id: list it in ${p.key("inferenceProfiles")}`, i);
  });
  for (const profile of s.inferenceProfiles) {
    const geo = profile.id.split(".")[0];
    const pattern = PROFILE_GEOGRAPHIES[geo];
    s.inferenceProfileRegions.forEach((region, j) => {
      if (pattern && !pattern.test(region))
        p.add(
          "inferenceProfileRegions",
          region,
          `must be a region the ${geo}. profile ${profile.id} routes to`,
          j,
        );
    });
  }
  s.inferenceProfileRegions.forEach((region, j) => {
    if (!REGION.test(region)) p.add("inferenceProfileRegions", region, "must be an AWS region", j);
  });
  if (s.inferenceProfiles.length === 0 && s.inferenceProfileRegions.length > 0)
    p.add(
      "inferenceProfileRegions",
      s.inferenceProfileRegions,
      `is only used with ${p.key("inferenceProfiles")}`,
    );
  if (s.modelIds.length + s.inferenceProfiles.length === 0)
    p.add("modelIds", s.modelIds, `must name a model (or set ${p.key("inferenceProfiles")})`);
  s.trustedServices.forEach((service, i) => {
    if (!(TRUSTED_SERVICES as readonly string[]).includes(service))
      p.add("trustedServices", service, `must be one of ${TRUSTED_SERVICES.join(", ")}`, i);
  });
  s.trustedRoleArns.forEach((arn, i) => {
    if (!ROLE_ARN.test(arn))
      p.add(
        "trustedRoleArns",
        arn,
        "must be an IAM role ARN such as arn:aws:iam::123456789012:role/agents",
        i,
      );
  });
  if (s.trustedServices.length + s.trustedRoleArns.length === 0)
    p.add(
      "trustedServices",
      s.trustedServices,
      `must name a service (or set ${p.key("trustedRoleArns")}): someone must assume the role`,
    );
  return p.list;
}
