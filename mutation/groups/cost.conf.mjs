import { group } from "../stryker.base.mjs";

// The estimate and its Fargate placement (Spot base tasks and weights), which the estimate delegates to.
export default group("cost", {
  mutate: ["cost/estimate.ts", "cost/fargate.ts"],
  specs: ["test/offline/cost.spec.ts", "test/offline/cost-rules.spec.ts"],
});
