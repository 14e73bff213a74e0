import { group } from "../stryker.base.mjs";

export default group("config-service", {
  mutate: ["config/service.ts"],
  specs: [
    "test/config/service.spec.ts",
    "test/config/service-rules.spec.ts",
    "test/components/fargate-plan.spec.ts",
  ],
});
