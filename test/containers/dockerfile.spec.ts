import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { AGENT_CONTAINER_HEALTH } from "../../contracts/agent-container";
import { BUNDLE_FILE } from "../../lib/agent-container-build";

/*
 * The agent image's rules, checked on the Dockerfile and .dockerignore as written (no Docker engine here):
 * digest-pinned base, multi-stage with only the bundle in the final image, a non-root user, no secrets baked
 * in, a build context that sends only what the build stage copies.
 */

interface Instruction {
  readonly op: string;
  readonly args: string;
}

/** Instructions with line continuations joined and comments dropped, ARG defaults substituted into FROM. */
function parse(text: string): { instructions: Instruction[]; args: Record<string, string> } {
  const joined = text.replace(/\\\n/g, " ");
  const instructions: Instruction[] = [];
  const args: Record<string, string> = {};
  for (const raw of joined.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const [op, ...rest] = line.split(/\s+/);
    const i = { op: op.toUpperCase(), args: rest.join(" ") };
    if (i.op === "ARG") {
      const [name, value] = i.args.split("=");
      if (value !== undefined) args[name] = value;
    }
    instructions.push(i);
  }
  return { instructions, args };
}

const SECRET_NAME = /(SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE|CREDENTIAL)/i;
const SECRET_FILE = /(^|\/)(\.env[^/]*|\.npmrc|\.aws|\.ssh|[^/]*\.pem|[^/]*\.key|Pulumi\.[^/]+\.yaml)$/;

/** Every rule the image breaks, as sentences. */
export function imageProblems(dockerfile: string, dockerignore: string): string[] {
  const problems: string[] = [];
  const { instructions, args } = parse(dockerfile);
  const stages: Instruction[][] = [];
  for (const i of instructions) {
    if (i.op === "FROM") stages.push([]);
    stages.at(-1)?.push(i);
  }
  if (stages.length < 2) problems.push("not multi-stage: the build stage's tools would ship in the image");
  for (const stage of stages) {
    const image = stage[0].args
      .split(/\s+/)[0]
      .replace(/^\$\{(\w+)\}$/, (_, name: string) => args[name] ?? "");
    if (!/^[a-z0-9./_-]+(:[\w.-]+)?@sha256:[a-f0-9]{64}$/.test(image))
      problems.push(`FROM ${stage[0].args}: the base image must be pinned by digest (name@sha256:<64 hex>)`);
  }
  const final = stages.at(-1) ?? [];
  const users = final.filter((i) => i.op === "USER").map((i) => i.args.split(":")[0]);
  if (users.length === 0 || ["root", "0"].includes(users.at(-1)!))
    problems.push(`the final stage must end as a non-root user (USER ${users.at(-1) ?? "(none)"})`);
  for (const copy of final.filter((i) => i.op === "COPY" || i.op === "ADD"))
    if (!/--from=build\b/.test(copy.args))
      problems.push(`${copy.op} ${copy.args}: the final stage copies only the build stage's bundle`);
  for (const i of instructions) {
    if (
      (i.op === "ENV" || i.op === "ARG") &&
      i.args.split(/\s+/).some((kv) => SECRET_NAME.test(kv.split("=")[0]))
    )
      problems.push(`${i.op} ${i.args}: no secret in the image; the task gets secrets by ARN at run time`);
    if (
      (i.op === "COPY" || i.op === "ADD") &&
      i.args.split(/\s+/).some((p) => SECRET_FILE.test(p.replace(/\/$/, "")))
    )
      problems.push(`${i.op} ${i.args}: copies a file that holds secrets or stack settings`);
  }
  const cmd = final.find((i) => i.op === "CMD");
  if (!cmd || JSON.stringify(JSON.parse(cmd.args)) !== JSON.stringify(["node", `/app/${BUNDLE_FILE}`]))
    problems.push(
      `CMD ${cmd?.args ?? "(none)"}: must be ["node", "/app/${BUNDLE_FILE}"] (exec form: node gets SIGTERM)`,
    );
  const health = final.find((i) => i.op === "HEALTHCHECK")?.args ?? "";
  if (!health.includes(`http://127.0.0.1:${AGENT_CONTAINER_HEALTH.port}${AGENT_CONTAINER_HEALTH.path}`))
    problems.push("HEALTHCHECK must request the health endpoint");

  // The context: everything out, then exactly what the build stage copies back in.
  const ignore = dockerignore
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
  if (ignore[0] !== "*") problems.push(".dockerignore must start with * (send nothing unless listed)");
  const included = ignore.filter((l) => l.startsWith("!")).map((l) => l.slice(1).replace(/\/$/, ""));
  const copied = stages[0]
    ?.filter((i) => i.op === "COPY" && !i.args.includes("--from"))
    .flatMap((i) => i.args.split(/\s+/).slice(0, -1))
    .map((p) => p.replace(/\/$/, ""));
  for (const path of included)
    if (!copied?.includes(path))
      problems.push(`.dockerignore lets ${path} in, but the build stage does not copy it`);
  for (const path of copied ?? [])
    if (!included.includes(path))
      problems.push(`the build stage copies ${path}, which .dockerignore keeps out`);
  for (const path of included)
    if (/^(node_modules|\.git|test|\.build)(\/|$)/.test(path) || SECRET_FILE.test(path))
      problems.push(`.dockerignore must not let ${path} into the context`);
  return problems;
}

describe("containers/agent/Dockerfile and /.dockerignore", () => {
  const dockerfile = readFileSync("containers/agent/Dockerfile", "utf8");
  const dockerignore = readFileSync(".dockerignore", "utf8");

  it("keep every rule: digest-pinned base, multi-stage, non-root, no secrets, only the bundle, a tight context", () => {
    assert.deepEqual(imageProblems(dockerfile, dockerignore), []);
  });

  it("pin the base the comment cites, with where and when the digest was read", () => {
    const digest = /ARG BASE_IMAGE=node:22-alpine@sha256:([a-f0-9]{64})/.exec(dockerfile)?.[1];
    assert.equal(digest, "0a7108bf6c7bf5de370ffb1a3ed6be93d405b43ff159f681a8d18c0e2bc2e402");
    assert.match(dockerfile, /docker-library\/repo-info/);
    assert.match(dockerfile, /read \d{4}-\d{2}-\d{2}/);
  });

  // The checker itself: each rule, broken once, is reported.
  const broken: [string, (text: string) => string, RegExp][] = [
    ["a tag-only base", (t) => t.replace(/@sha256:[a-f0-9]{64}/, ""), /pinned by digest/],
    ["root", (t) => t.replace("USER 1000:1000", "USER root"), /non-root user/],
    ["no USER", (t) => t.replace("USER 1000:1000\n", ""), /non-root user/],
    [
      "a baked-in key",
      (t) => t.replace("ENV NODE_ENV=production", "ENV LLM_API_KEY=abc NODE_ENV=production"),
      /no secret/,
    ],
    [
      "the context in the image",
      (t) => t.replace("WORKDIR /app\n", "WORKDIR /app\nCOPY functions/ /app/functions/\n"),
      /only the build stage/,
    ],
    ["one stage", (t) => t.slice(t.indexOf("# Runtime stage")), /not multi-stage/],
    [
      "a shell-form CMD",
      (t) => t.replace('CMD ["node", "/app/agent.js"]', 'CMD ["sh", "-c", "node /app/agent.js"]'),
      /exec form/,
    ],
  ];
  for (const [what, mutate, problem] of broken)
    it(`report ${what}`, () => {
      const problems = imageProblems(mutate(dockerfile), dockerignore);
      assert.ok(
        problems.some((p) => problem.test(p)),
        problems.join("\n") || "(no problem reported)",
      );
    });

  it("report a context that lets node_modules in, or misses what the build copies", () => {
    assert.ok(
      imageProblems(dockerfile, `${dockerignore}\n!node_modules/`).some((p) => /node_modules/.test(p)),
    );
    assert.ok(
      imageProblems(dockerfile, dockerignore.replace("!contracts/\n", "")).some((p) =>
        /copies contracts/.test(p),
      ),
    );
  });
});
