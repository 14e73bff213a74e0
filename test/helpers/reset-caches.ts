import type * as PolicyDocument from "../../policy/lib/policy-document";

/*
 * Root hooks for the mutation runs (mutation/.mocharc.json): StrykerJS reuses one process for many mutants, so a
 * module-level cache filled by an earlier run would answer for code a later mutant changed. Emptied before every
 * test, each test runs the code it covers. A module is only reset once a spec has loaded it: loading it here,
 * before StrykerJS switches a mutant on, would fix its module-level values for the whole process and hide every
 * mutant of them. `npm test` does not need the hooks: its code never changes mid-run.
 */
const POLICY_DOCUMENT = require.resolve("../../policy/lib/policy-document");

export const mochaHooks = {
  beforeEach(): void {
    const loaded = require.cache[POLICY_DOCUMENT]?.exports as typeof PolicyDocument | undefined;
    loaded?.clearIamPatternCache();
  },
};
