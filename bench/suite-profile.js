// A mocha reporter for bench/test-suite.ts: wall and CPU time (this process: user + system) of each spec
// file's top-level suites, hooks included, and the test counts, written as JSON to SUITE_PROFILE_OUT.
// Whichever file first loads a module (the @pulumi/aws resource modules, the pack) or evaluates a shared
// stack (test/helpers/stacks.ts) pays for it, so a file's figure depends on the order files run in.
"use strict";
const fs = require("fs");
const path = require("path");
const Mocha = require(require.resolve("mocha", { paths: [process.cwd()] }));

const {
  EVENT_SUITE_BEGIN,
  EVENT_SUITE_END,
  EVENT_RUN_END,
  EVENT_TEST_PASS,
  EVENT_TEST_FAIL,
  EVENT_TEST_PENDING,
} = Mocha.Runner.constants;

const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

class SuiteProfile extends Mocha.reporters.Base {
  constructor(runner, options) {
    super(runner, options);
    const started = new Map();
    const files = new Map();
    const counts = { passing: 0, failing: 0, pending: 0 };
    const failures = [];
    runner.on(EVENT_SUITE_BEGIN, (suite) => {
      if (suite.file && suite.parent && suite.parent.root)
        started.set(suite, { wall: Date.now(), cpu: cpuMs() });
    });
    runner.on(EVENT_SUITE_END, (suite) => {
      const s = started.get(suite);
      if (!s) return;
      const file = path.relative(process.cwd(), suite.file);
      const f = files.get(file) ?? { wallMs: 0, cpuMs: 0 };
      f.wallMs += Date.now() - s.wall;
      f.cpuMs += cpuMs() - s.cpu;
      files.set(file, f);
    });
    runner.on(EVENT_TEST_PASS, () => counts.passing++);
    runner.on(EVENT_TEST_PENDING, () => counts.pending++);
    runner.on(EVENT_TEST_FAIL, (test, err) => {
      counts.failing++;
      failures.push(`${test.fullTitle()}: ${String(err && err.message).slice(0, 300)}`);
    });
    runner.once(EVENT_RUN_END, () => {
      const out = process.env.SUITE_PROFILE_OUT;
      const result = {
        ...counts,
        failures,
        processCpuMs: Math.round(cpuMs()),
        files: [...files].map(([file, f]) => ({ file, wallMs: f.wallMs, cpuMs: Math.round(f.cpuMs) })),
      };
      if (out) fs.writeFileSync(out, JSON.stringify(result, null, 2));
      console.log(`${counts.passing} passing, ${counts.failing} failing, ${counts.pending} pending`);
    });
  }
}

module.exports = SuiteProfile;
