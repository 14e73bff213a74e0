import type { EnforcementLevel } from "@pulumi/policy";

/** The pack's identity, shared by policy/index.ts (the CLI entry) and the offline runner. */
export const PACK_NAME = "agent-platform-guard";
/** Policies that do not set their own level are mandatory: a pack that only advises gates nothing. */
export const PACK_ENFORCEMENT_LEVEL: EnforcementLevel = "mandatory";
