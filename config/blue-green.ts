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
 * a `live` alias that CodeDeploy shifts 10 % a minute (components/lambda-blue-green.ts). CodeDeploy rolls back on
 * the functions' alarms, so a group without its alarms cannot be deployed that way.
 */
export function readBlueGreen(r: ConfigReader, groups: readonly BlueGreenGroup[]): boolean {
  const blueGreen = r.boolean("lambdaBlueGreen", false);
  if (blueGreen)
    for (const g of groups)
      if (g.enabled && !g.alarms)
        r.report(
          "lambdaBlueGreen",
          true,
          `needs ${g.alarmsKey}: CodeDeploy rolls a deployment back on the functions' alarms`,
        );
  return blueGreen;
}
