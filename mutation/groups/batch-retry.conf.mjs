import { group } from "../stryker.base.mjs";

export default group("batch-retry", {
  mutate: ["functions/shared/sqs-batch.ts", "functions/shared/retry.ts"],
  specs: [
    "test/functions/sqs-batch.spec.ts",
    "test/functions/sqs-batch-lines.spec.ts",
    "test/functions/retry-concurrency.spec.ts",
    "test/functions/retry-deadline.spec.ts",
  ],
});
