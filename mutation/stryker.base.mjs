// Shared StrykerJS settings for every module group (mutation/groups/*.conf.mjs). 9.6.1 is pinned: StrykerJS 10
// refuses to start on Node 20. Tests run through mocha with the project's TypeScript loader but without the
// global setup of `npm test` (the function bundles and the console, which no group's specs read).
const concurrency = Number(process.env.MUTATION_CONCURRENCY ?? 2);

/**
 * @param {string} name the group's name: its config file, incremental file and report are named after it
 * @param {{ mutate: string[], specs: string[], timeoutMS?: number }} group the modules to mutate and the specs
 *   that test them (the runs measure these specs only: keep the group's tests fast and pure)
 */
export function group(name, { mutate, specs, timeoutMS = 5000 }) {
  return {
    $schema: "../../node_modules/@stryker-mutator/core/schema/stryker-schema.json",
    packageManager: "npm",
    testRunner: "mocha",
    plugins: ["@stryker-mutator/mocha-runner", "./mutation/ignore-prose.mjs"],
    // Text-only mutants of policy descriptions, remediation steps, notes and references are excluded
    // (mutation/ignore-prose.mjs): they change what a reader is told, not what is checked.
    ignorers: ["prose"],
    mutate,
    mochaOptions: { config: "mutation/.mocharc.json", spec: specs },
    coverageAnalysis: "perTest",
    // Reuses the results of mutants whose code and covering tests did not change since the committed file.
    incremental: true,
    incrementalFile: `mutation/incremental/${name}.json`,
    concurrency,
    timeoutMS,
    reporters: ["clear-text", "progress", "json", "html"],
    jsonReporter: { fileName: `reports/mutation/${name}.json` },
    htmlReporter: { fileName: `reports/mutation/${name}.html` },
    clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true, reportMutants: false },
    thresholds: { high: 90, low: 85, break: null },
    tempDirName: ".stryker-tmp",
    cleanTempDir: "always",
    ignorePatterns: [".build", "out", "reports", "docs", "bench", "console", "mutation/incremental"],
  };
}
