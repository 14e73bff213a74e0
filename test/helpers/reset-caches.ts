import { clearIamPatternCache } from "../../policy/lib/policy-document";

/*
 * Root hooks for the mutation runs (mutation/.mocharc.json): StrykerJS reuses one process for many mutants, so a
 * module-level cache filled by an earlier run would answer for code a later mutant changed. Emptied before every
 * test, each test runs the code it covers. `npm test` does not need them: its code never changes mid-run.
 */
export const mochaHooks = {
  beforeEach(): void {
    clearIamPatternCache();
  },
};
