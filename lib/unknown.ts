/*
 * The Pulumi engine's sentinel for a value it does not know during preview, as the SDK serializes it. Internal
 * to the SDK's runtime but stable across 3.x: pinned with the SDK.
 */
const rpc = require("@pulumi/pulumi/runtime/rpc") as { unknownValue: string };

/** The engine's sentinel for a value not known during preview. */
export const UNKNOWN: string = rpc.unknownValue;
