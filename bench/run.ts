// Runs every benchmark in bench/ (each a script that records its results in bench/results/).
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const only = process.argv[2];
const benches = fs
  .readdirSync(__dirname)
  .filter((f) => f.endsWith(".ts") && !["run.ts", "machine.ts"].includes(f))
  .filter((f) => !only || f === `${only}.ts`);
let failed = 0;
for (const file of benches) {
  console.log(`\n== bench/${file}`);
  const r = spawnSync(
    process.execPath,
    ["-r", path.join(__dirname, "..", "tools", "register-ts.js"), path.join(__dirname, file)],
    {
      stdio: "inherit",
      cwd: path.join(__dirname, ".."),
    },
  );
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
