import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseYaml } from "../../lib/yaml";
import { REPO_ROOT } from "../helpers/offline";

/*
 * No stale command in the README. Every command of every ```sh block is classified, and the classification
 * must equal the list below, so a new command cannot slip through unchecked:
 *   run       executed here, must exit 0 (fast, offline, no side effect on the tree)
 *   ci        too slow to repeat here (tsc ~15 s, eslint ~30 s, the whole suite, the offline preview of every
 *             stack): .ci/run runs the same command, and a green CI is the proof; checked here: .ci/run
 *             contains it, its npm script exists
 *   synopsis  a usage line with placeholders: its flags must be exactly the ones the tool accepts
 *   cloud     needs the Pulumi CLI, the esc CLI or AWS: the paths it names exist, the config keys it sets
 *             are declared in Pulumi.yaml
 *   skip      not run, for the stated reason; its script or file is still checked
 */

type Kind = "run" | "ci" | "synopsis" | "cloud" | "skip";

const SKIPPED: Record<string, string> = {
  "bash .ci/run": "recursion: .ci/run runs this test",
  "npm run bench": "minutes of timing runs; recorded results live in bench/results/",
  "npm run -s local":
    "a server that runs until stopped; test/e2e/project-creation-flow.spec.ts starts it and runs seed 003's end-to-end test against it",
  "npm run -s docs:diagrams":
    "writes docs/architecture/; test/delivery/architecture.spec.ts regenerates and compares",
  "npm ci --prefix policy --no-audit --no-fund": "needs the npm registry and writes policy/node_modules",
};

const EXPECTED: [string, Kind][] = [
  ["npm ci", "ci"],
  ["npm run -s preview:offline -- --stack all", "ci"],
  ["npm ci", "ci"],
  ["npm test", "ci"],
  [
    "npm run -s preview:offline -- [--stack <name>|all] [--program <file.ts>] [--json <out.json>] [--policy-config <file.json>] [--html <out.html>] [--base <base.json>] [--first-preview]",
    "synopsis",
  ],
  ["npm run -s preview:diff -- <base.json> <head.json> [--label <what the base is>]", "synopsis"],
  ["npm run -s local", "skip"],
  ["npm test", "ci"],
  ["npm run typecheck", "ci"],
  ["npm run lint", "ci"],
  ["npm run -s check:policy-host", "ci"],
  ["bash .ci/run", "skip"],
  ["npm run bench", "skip"],
  ["npm run -s validate:workflows", "run"],
  ["npm run -s docs:diagrams", "skip"],
  ["npm ci", "ci"],
  ["npm ci --prefix policy --no-audit --no-fund", "skip"],
  ["pulumi login", "cloud"],
  ["pulumi stack select dev", "cloud"],
  ["esc env init agent-platform/dev", "cloud"],
  ["pulumi config set --secret upstashVectorUrl https://...", "cloud"],
  ["pulumi config set --secret upstashVectorToken ...", "cloud"],
  ["pulumi preview --policy-pack policy --policy-pack-config policy/policy-config.json", "cloud"],
  ["pulumi up --policy-pack policy --policy-pack-config policy/policy-config.json", "cloud"],
];

/** Every command in the README's sh blocks: one per `&&`-separated part of a line, comments removed. */
export function readmeCommands(markdown: string): string[] {
  const commands: string[] = [];
  for (const block of markdown.matchAll(/^```sh\n([\s\S]*?)^```/gm)) {
    for (const line of block[1].split("\n")) {
      const code = line.replace(/\s+#.*$/, "").trim();
      if (code === "" || code.startsWith("#")) continue;
      commands.push(...code.split("&&").map((c) => c.trim()));
    }
  }
  return commands;
}

export function classify(command: string): Kind {
  if (command in SKIPPED) return "skip";
  if (/[[<]/.test(command)) return "synopsis";
  if (/^(pulumi|esc|aws)\b/.test(command)) return "cloud";
  // The offline preview of every stack: .ci/run runs it, and test/offline/runner.spec.ts runs its CLI in-process.
  if (/^npm run (-s )?preview:offline -- --stack all$/.test(command)) return "ci";
  if (/^npm (ci|test)\b|^npm run (-s )?(typecheck|lint|check:policy-host)$/.test(command)) return "ci";
  return "run";
}

const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
const commands = readmeCommands(readme);
const scripts = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).scripts as Record<
  string,
  string
>;
const scriptOf = (c: string) =>
  /^npm run (?:-s )?([\w:-]+)/.exec(c)?.[1] ?? (/^npm test\b/.test(c) ? "test" : undefined);

describe("README commands", function () {
  this.timeout(60000);

  it("are all classified, exactly as expected (a new command must be added here)", () => {
    assert.deepStrictEqual(
      commands.map((c) => [c, classify(c)]),
      EXPECTED,
    );
  });

  it("name npm scripts that exist", () => {
    for (const c of commands) {
      const s = scriptOf(c);
      if (s) assert.ok(scripts[s], `README runs npm script ${s}, which package.json does not define`);
    }
  });

  for (const command of [...new Set(commands.filter((c) => classify(c) === "run"))]) {
    it(`runs: ${command}`, () => {
      const r = spawnSync("bash", ["-c", command], { cwd: REPO_ROOT, encoding: "utf8", timeout: 50000 });
      assert.strictEqual(r.status, 0, `${command} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
    });
  }

  it("leaves the commands CI runs to .ci/run, which runs each of them", () => {
    const ci = fs
      .readFileSync(path.join(REPO_ROOT, ".ci", "run"), "utf8")
      .replace(/npm run -s /g, "npm run ");
    for (const c of new Set(commands.filter((c) => classify(c) === "ci"))) {
      assert.ok(ci.includes(c.replace(/npm run -s /, "npm run ")), `.ci/run does not run ${c}`);
    }
  });

  it("documents the offline preview's flags exactly", () => {
    const synopsis = commands.find((c) => classify(c) === "synopsis")!;
    const tool = fs.readFileSync(path.join(REPO_ROOT, "tools", "preview-offline.ts"), "utf8");
    const usage = /const USAGE =\s*"([^"]+)"/.exec(tool)![1];
    const flags = (s: string) => [...new Set([...s.matchAll(/--[a-z-]+/g)].map((m) => m[0]))].sort();
    assert.deepStrictEqual(flags(synopsis.replace(/^npm run -s preview:offline --/, "")), flags(usage));
  });

  it("points cloud commands at files that exist and config keys that are declared", () => {
    const declared = Object.keys(
      (parseYaml(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8")) as { config: object }).config,
    );
    for (const c of commands.filter((c) => classify(c) === "cloud")) {
      for (const m of c.matchAll(/--policy-pack(?:-config)? (\S+)/g))
        assert.ok(fs.existsSync(path.join(REPO_ROOT, m[1])), `${c}: ${m[1]} does not exist`);
      const set = /^pulumi config set (?:--secret )?(\S+)/.exec(c);
      if (set) assert.ok(declared.includes(set[1]), `${c}: ${set[1]} is not declared in Pulumi.yaml`);
      const env = /^esc env init (\S+)/.exec(c);
      if (env) assert.ok(fs.existsSync(path.join(REPO_ROOT, "deploy", "esc", `${env[1]}.yaml`)), c);
    }
  });

  it("skips only with a reason, and what it skips still exists", () => {
    for (const c of commands.filter((c) => classify(c) === "skip")) {
      assert.ok(SKIPPED[c]);
      const s = scriptOf(c);
      if (s) assert.ok(scripts[s], c);
    }
    assert.ok(fs.existsSync(path.join(REPO_ROOT, ".ci", "run")));
    assert.ok(fs.existsSync(path.join(REPO_ROOT, "policy", "package.json")));
  });

  it("links only to files that exist", () => {
    for (const m of readme.matchAll(/\]\((?!https?:)([^)#]+)(?:#[^)]*)?\)/g))
      assert.ok(fs.existsSync(path.join(REPO_ROOT, m[1])), `README links to ${m[1]}`);
  });
});
