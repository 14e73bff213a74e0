import { DATA_FIELDS, DataSettings, dataProblems } from "../components/data-args";
import { ConfigReader } from "./reader";

/** The serverless data tier: the table and the artifacts bucket (components/data-args.ts). */
export function readDataTier(r: ConfigReader): DataSettings {
  const settings: DataSettings = {
    artifactsArchiveDays: r.number("artifactsArchiveDays"),
    artifactsNoncurrentExpirationDays: r.number("artifactsNoncurrentExpirationDays"),
  };
  // The keys are the fields' own names.
  r.reportAll(dataProblems(settings, DATA_FIELDS));
  return settings;
}
