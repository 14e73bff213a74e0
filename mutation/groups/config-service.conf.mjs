import { group } from "../stryker.base.mjs";

// The web service's and the worker's settings: their rules (the args module) and how config reads them.
export default group("config-service", {
  mutate: ["config/fargate.ts", "components/fargate/args.ts"],
  specs: [
    "test/config/service.spec.ts",
    "test/config/service-rules.spec.ts",
    "test/components/fargate-plan.spec.ts",
  ],
});
