import * as assert from "assert";
import * as path from "path";
import { importViolations, isFile, repositorySources, specifiersOf } from "../../tools/import-direction";
import { REPO_ROOT } from "../helpers/offline";

/** A small tree: each file's text, and the files that exist for resolving specifiers. */
function tree(files: Record<string, string>) {
  const all = new Map(Object.entries(files));
  const extra = [
    "contracts/env.ts",
    "functions/vectorize/bedrock-embedder.ts",
    "functions/shared/bedrock.ts",
    "functions/api/app.ts",
    "tools/offline/evaluate.ts",
    "config/fargate.ts",
    "config.ts",
    "lib/rules.ts",
    "cost/estimate.ts",
    "components/shared/tagging.ts",
    "components/fargate/args.ts",
    "console/build.ts",
    "console/src/app.ts",
  ];
  const exists = (f: string) => all.has(f) || extra.includes(f);
  return importViolations(all, exists).map((v) => v.message);
}

describe("import direction (ARCHITECTURE.md)", () => {
  it("holds in the repository: no room imports one it may not", () => {
    const violations = importViolations(repositorySources(REPO_ROOT), (f) => isFile(path.join(REPO_ROOT, f)));
    assert.deepStrictEqual(
      violations.map((v) => v.message),
      [],
    );
  });

  it("reports a planted import against the direction, in each kind of room", () => {
    assert.deepStrictEqual(
      tree({
        "contracts/x.ts": 'import { a } from "../functions/api/app";',
        "functions/agent-worker/index.ts":
          'import { createBedrockClient } from "../vectorize/bedrock-embedder";',
        "policy/cost.ts": 'import type { RegisteredResource } from "../tools/offline/evaluate";',
        "components/data/data.ts": 'export { TABLE_KEYS } from "../../functions/api/app";',
        "config/pipeline.ts": 'const m = require("../functions/api/app");',
        "lib/x.ts": 'import("../config/fargate").then(() => undefined);',
        "cost/x.ts": 'import { b } from "../contracts/env";',
        "index.ts": 'import { c } from "./tools/offline/evaluate";',
        "components/fargate/service.ts": 'import type { ServiceConfig } from "../../config/fargate";',
        "config/fargate.ts": 'import { FargateService } from "../components/shared/tagging";',
        "console/src/main.ts": 'import { t } from "../../components/shared/tagging";',
        "components/frontend/frontend.ts": 'import { App } from "../../console/src/app";',
      }),
      [
        "contracts/x.ts imports functions/api/app.ts: contracts may not import functions",
        "functions/agent-worker/index.ts imports functions/vectorize/bedrock-embedder.ts: functions may not import another function's code",
        "policy/cost.ts imports tools/offline/evaluate.ts: policy may not import tools",
        "components/data/data.ts imports functions/api/app.ts: components may not import functions",
        "config/pipeline.ts imports functions/api/app.ts: config may not import functions",
        "lib/x.ts imports config/fargate.ts: lib may not import config",
        "cost/x.ts imports contracts/env.ts: cost may not import contracts",
        "index.ts imports tools/offline/evaluate.ts: program may not import tools",
        "components/fargate/service.ts imports config/fargate.ts: components may not import config",
        "config/fargate.ts imports components/shared/tagging.ts: config may not import components",
        "console/src/main.ts imports components/shared/tagging.ts: console may not import components",
        "components/frontend/frontend.ts imports console/src/app.ts: components may not import console",
      ],
    );
  });

  it("lets each room use what it may: its own room, the shared code and the contracts", () => {
    assert.deepStrictEqual(
      tree({
        "functions/agent-worker/index.ts":
          'import { createBedrockClient } from "../shared/bedrock";\nimport { API_ENV } from "../../contracts/env";',
        "functions/agent-worker/env.ts": 'import { x } from "./index";',
        "components/data/data.ts":
          'import { API_ENV } from "../../contracts/env";\nimport { t } from "../shared/tagging";',
        "policy/cost.ts":
          'import { estimateCost } from "../cost/estimate";\nimport { isLogRetention } from "../lib/rules";',
        "cost/x.ts": 'import { y } from "../lib/rules";',
        "components/frontend/frontend.ts": 'import { buildConsole } from "../../console/build";',
        "config/fargate.ts": 'import { webServiceProblems } from "../components/fargate-args";',
        // Packages are no room of this repository.
        "contracts/y.ts": 'import * as pulumi from "@pulumi/pulumi";',
      }),
      [],
    );
  });

  it("reads every form of import: import, import type, export from, require, import() and import = require", () => {
    assert.deepStrictEqual(
      specifiersOf(
        [
          'import { a } from "./a";',
          'import type { B } from "./b";',
          'export { c } from "./c";',
          'const d = require("./d");',
          'const e = import("./e");',
          'import f = require("./f");',
          'import "./g";',
        ].join("\n"),
      ),
      ["./a", "./b", "./c", "./d", "./e", "./f", "./g"],
    );
  });
});
