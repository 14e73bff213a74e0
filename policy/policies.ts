import { Policies } from "@pulumi/policy";
import { costPolicies } from "./cost";
import { deployabilityPolicies } from "./deployability";
import { encryptionPolicies } from "./encryption";
import { exemptionHasReasonFor } from "./exemptions";
import { hardeningPolicies } from "./hardening";
import { iamPolicies } from "./iam";
import { lambdaPolicies } from "./lambda";
import { lifecyclePolicies } from "./lifecycle";
import { loggingPolicies } from "./logging";
import { networkPolicies } from "./network";
import { resiliencePolicies } from "./resilience";
import { requiredTags } from "./tagging";

/** Exemption tags must name a policy of this pack: one of `policies` below, read when the policy runs. */
export const exemptionHasReason = exemptionHasReasonFor(() => policies.map((p) => p.name));

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
