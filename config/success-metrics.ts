import {
  SUCCESS_METRICS_FIELDS,
  SuccessMetricsSettings,
  successMetricsProblems,
  UPTIME_PROBES,
} from "../components/observability-args";
import { ConfigReader } from "./reader";

/*
 * The success metrics, measured: uptime of the public endpoints against an SLO, and the time a deploy
 * takes against a target (components/observability-args.ts). The keys are the fields' own names.
 */
export function readSuccessMetrics(r: ConfigReader): SuccessMetricsSettings {
  const settings: SuccessMetricsSettings = {
    uptimeProbe: r.oneOf("uptimeProbe", UPTIME_PROBES),
    uptimeSloPercent: r.number("uptimeSloPercent", { integer: false }),
    deployTimeTargetMinutes: r.number("deployTimeTargetMinutes"),
  };
  r.reportAll(successMetricsProblems(settings, SUCCESS_METRICS_FIELDS));
  return settings;
}
