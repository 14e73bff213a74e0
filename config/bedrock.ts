import {
  BedrockField,
  BedrockSettings,
  bedrockProblems,
  InferenceProfile,
  MODEL_ID,
  PROFILE_GEOGRAPHIES,
  TrustedService,
} from "../components/bedrock-args";
import type { KeyNames } from "../lib/problems";
import { ConfigReader } from "./reader";

/*
 * Bedrock access for the agents (Amazon Nova Lite): the keys of the application role, read into the
 * component's own settings (components/bedrock-args.ts), whose rules name the keys below.
 */

/**
 * The models the agents use and the role may invoke (read whether or not the role is deployed: the agent
 * workers take their model from it), and the role itself where bedrockAccessEnabled.
 */
export interface BedrockConfig {
  readonly models: BedrockSettings;
  /** The application role, undefined where bedrockAccessEnabled is false: whether its usage alarms exist. */
  readonly access?: { readonly alarmsEnabled: boolean };
}

const KEYS: KeyNames<BedrockField> = {
  modelIds: "bedrockModelIds",
  inferenceProfiles: "bedrockInferenceProfileIds",
  inferenceProfileRegions: "bedrockInferenceProfileRegions",
  trustedServices: "bedrockTrustedServices",
  trustedRoleArns: "bedrockTrustedRoleArns",
  dailyTokenBudget: "bedrockDailyTokenBudget",
};

/** The Bedrock models, and the role where bedrockAccessEnabled; its rules are checked where it is deployed. */
export function readBedrock(r: ConfigReader, stackRegion: string): BedrockConfig {
  const enabled = r.boolean("bedrockAccessEnabled");
  const profileIds = r.stringList("bedrockInferenceProfileIds");
  const inferenceProfiles: InferenceProfile[] = [];
  profileIds.forEach((id, i) => {
    const geo = id.split(".")[0];
    const modelId = id.slice(geo.length + 1);
    if (PROFILE_GEOGRAPHIES[geo] === undefined || !MODEL_ID.test(modelId))
      r.report(
        `bedrockInferenceProfileIds[${i}]`,
        id,
        `must be a cross-region inference profile id: ${Object.keys(PROFILE_GEOGRAPHIES).join(", ")} then a model id, such as us.amazon.nova-lite-v1:0`,
      );
    else inferenceProfiles.push({ id, modelId });
  });
  const models: BedrockSettings = {
    modelIds: r.stringList("bedrockModelIds"),
    inferenceProfiles,
    inferenceProfileRegions: r.stringList("bedrockInferenceProfileRegions"),
    trustedServices: r.stringList("bedrockTrustedServices") as TrustedService[],
    trustedRoleArns: r.stringList("bedrockTrustedRoleArns"),
    dailyTokenBudget: r.number("bedrockDailyTokenBudget"),
  };
  const alarmsEnabled = r.boolean("bedrockAlarmsEnabled");
  if (!enabled) return { models };
  r.reportAll(bedrockProblems(models, KEYS));
  if (profileIds.length > 0 && !models.inferenceProfileRegions.includes(stackRegion))
    r.report(
      "bedrockInferenceProfileRegions",
      models.inferenceProfileRegions,
      `must include the stack's region ${stackRegion} (the source region the profiles are invoked from)`,
    );
  return { models, access: { alarmsEnabled } };
}
