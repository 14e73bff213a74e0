import { group } from "../stryker.base.mjs";

export default group("chunking", {
  mutate: ["functions/shared/chunking.ts"],
  specs: ["test/functions/chunking.spec.ts", "test/functions/chunking-breaks.spec.ts"],
});
