import { Policies } from "@pulumi/policy";
import { requiredTags } from "./tagging";

/**
 * Every policy of the pack, by domain. Kept apart from index.ts so tests and the offline runner can import
 * the policies without constructing the PolicyPack (which starts a gRPC server).
 */
export const policies: Policies = [requiredTags];
