// Entry point for `pulumi preview --policy-pack policy`: the only place the PolicyPack is constructed.
import { PolicyPack } from "@pulumi/policy";
import { PACK_ENFORCEMENT_LEVEL, PACK_NAME } from "./pack";
import { policies } from "./policies";

new PolicyPack(PACK_NAME, { policies, enforcementLevel: PACK_ENFORCEMENT_LEVEL });
