import { Logger } from "@aws-lambda-powertools/logger";
import { failureMessage, probeAll, PROBE_DEFAULTS, readTargets } from "./probe";

/**
 * The uptime probe: invoked every minute by an EventBridge schedule, it checks each public endpoint and throws
 * when one is down, so the function's own Errors metric (free, unlike a custom metric) counts the failed minutes
 * the SLO alarm watches. Targets are read once per container and a bad value fails every invocation, naming it.
 */
const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME || "uptime-probe" });
let targets: ReturnType<typeof readTargets> | undefined;

export async function handler(): Promise<{ up: number; down: number }> {
  targets ??= readTargets(process.env.PROBE_TARGETS);
  const results = await probeAll(targets, PROBE_DEFAULTS);
  for (const r of results)
    (r.up ? logger.info : logger.error).call(logger, `${r.name} ${r.up ? "up" : "down"}`, { ...r });
  const failure = failureMessage(results);
  if (failure) throw new Error(failure);
  return { up: results.length, down: 0 };
}
