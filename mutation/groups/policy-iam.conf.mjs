import { group } from "../stryker.base.mjs";

export default group("policy-iam", {
  mutate: ["policy/iam.ts", "policy/lib/policy-document.ts"],
  specs: [
    "test/policy/iam.spec.ts",
    "test/policy/iam-conditions.spec.ts",
    "test/policy/iam-rules.spec.ts",
    "test/policy/more.spec.ts",
    "test/policy/pack.spec.ts",
    "test/policy/encryption.spec.ts",
    "test/policy/aws-actions.spec.ts",
  ],
});
