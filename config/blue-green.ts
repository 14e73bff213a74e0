import { blueGreenProblem } from "../components/lambda/args";
import { ConfigReader } from "./reader";

/** A group of functions that blue/green deployments cover, and whether its rollback alarms exist. */
export interface BlueGreenGroup {
  /** Whether the group's functions exist in the stack. */
  readonly enabled: boolean;
  /** Whether their error-rate, throttle and duration alarms exist. */
  readonly alarms: boolean;
  /** The key that switches those alarms, named in the error. */
  readonly alarmsKey: string;
}

/**
 * `lambdaBlueGreen`: every Lambda function that serves traffic (api-handler, ws, agent workers) is published with
 * a `live` alias that CodeDeploy shifts 10 % a minute (components/lambda/blue-green.ts); each group needs its
 * alarms (blueGreenProblem).
 */
export function readBlueGreen(r: ConfigReader, groups: readonly BlueGreenGroup[]): boolean {
  const blueGreen = r.boolean("lambdaBlueGreen");
  for (const g of groups) {
    const problem = g.enabled ? blueGreenProblem(blueGreen, g.alarms) : undefined;
    if (problem) r.report("lambdaBlueGreen", true, `needs ${g.alarmsKey}: ${problem}`);
  }
  return blueGreen;
}
