// Preloaded (-r) into a benchmarked process: on exit, writes the CPU time (user + system, every thread of the
// process) it used to stderr as `CPU_MS <n>`, so a benchmark can report CPU time as well as wall time (on a
// shared machine the wall time depends on what else runs; the CPU time much less).
"use strict";
process.on("exit", () => {
  const { user, system } = process.cpuUsage();
  require("fs").writeSync(2, `\nCPU_MS ${Math.round((user + system) / 1000)}\n`);
});
