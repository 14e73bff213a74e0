import { Policies } from "@pulumi/policy";
import { costPolicies } from "./cost";
import { deployabilityPolicies } from "./deployability";
import { encryptionPolicies } from "./encryption";
import { exemptionHasReason } from "./exemptions";
import { hardeningPolicies } from "./hardening";
import { iamPolicies } from "./iam";
import { lambdaPolicies } from "./lambda";
import { lifecyclePolicies } from "./lifecycle";
import { loggingPolicies } from "./logging";
import { networkPolicies } from "./network";
import { resiliencePolicies } from "./resilience";
import { requiredTags } from "./tagging";

/**
 * Every policy of the pack, by domain. Kept apart from index.ts so tests and the offline runner can import
 * the policies without constructing the PolicyPack (which starts a gRPC server).
 */
export const policies: Policies = [
  requiredTags,
  exemptionHasReason,
  ...encryptionPolicies,
  ...iamPolicies,
  ...networkPolicies,
  ...loggingPolicies,
  ...resiliencePolicies,
  ...lambdaPolicies,
  ...costPolicies,
  ...deployabilityPolicies,
  ...hardeningPolicies,
  ...lifecyclePolicies,
];
