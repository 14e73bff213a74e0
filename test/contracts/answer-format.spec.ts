import { strict as assert } from "node:assert";
import { formatFileBlock, interpretAnswer, MAX_DEV_FILES, parseAnswer } from "../../contracts/answer-format";

const block = (path: string, content: string, lang = "") => formatFileBlock(path, content, lang);

describe("the agents' answer format", () => {
  it("reads fenced blocks with a path, keeps the prose, and skips blocks without one", () => {
    const text = [
      "I changed two files.",
      "```python path=app/auth.py",
      "def login():",
      "    pass",
      "```",
      "An example, not a file:",
      "```",
      "curl /login",
      "```",
      '~~~~ path="docs/with space.md"',
      "~~~ still inside",
      "~~~~",
    ].join("\n");
    const parsed = parseAnswer(text);
    assert.deepEqual(parsed.blocks, [
      { path: "app/auth.py", language: "python", content: "def login():\n    pass\n" },
      { path: "docs/with space.md", content: "~~~ still inside\n" },
    ]);
    assert.equal(parsed.prose, "I changed two files.\nAn example, not a file:");
    assert.equal(parsed.unterminated, false);
  });

  it("round-trips content holding backtick fences of its own", () => {
    const content = "Use:\n```sh\nnpm test\n```\n";
    assert.deepEqual(parseAnswer(block("README.md", content, "markdown")).blocks, [
      { path: "README.md", language: "markdown", content },
    ]);
  });

  it("takes Dev's files and refuses answers that would write garbage or outside the project", () => {
    const ok = interpretAnswer(
      "dev",
      `Done.\n${block("main.py", "x = 1\n")}${block("tests/test_main.py", "")}`,
    );
    assert.ok(ok.ok);
    assert.deepEqual(
      ok.files.map((f) => f.path),
      ["main.py", "tests/test_main.py"],
    );
    assert.equal(ok.summary, "Done.");
    const problems: [string, string][] = [
      ["Nothing to show.", "it has no file blocks (```<language> path=<file> ... ```)"],
      [block("../etc/passwd", "x"), 'path "../etc/passwd" must not contain empty, . or .. segments'],
      [block("/abs.py", "x"), 'path "/abs.py" must be relative (no leading /)'],
      [block("a.py", "1") + block("a.py", "2"), "path a.py appears twice"],
      ["```python path=main.py\nprint(1)\n", "a fenced block is not closed (was the answer cut off?)"],
      [
        Array.from({ length: MAX_DEV_FILES + 1 }, (_, i) => block(`f${i}.py`, "")).join(""),
        `it has ${MAX_DEV_FILES + 1} files; at most ${MAX_DEV_FILES} are allowed`,
      ],
    ];
    for (const [text, problem] of problems)
      assert.deepEqual(interpretAnswer("dev", text), {
        ok: false,
        problem: `the dev agent's answer could not be used: ${problem}`,
      });
  });

  it("takes the PM's plan, QA's verdict and Ops' manifest as checked JSON documents", () => {
    const plan = interpretAnswer(
      "pm",
      block("plan.json", JSON.stringify({ summary: "s", tasks: [{ title: "t" }] })),
    );
    assert.ok(plan.ok);
    assert.deepEqual(
      plan.files.map((f) => f.path),
      ["plan.json"],
    );
    const qa = interpretAnswer(
      "qa",
      block("qa-report.json", JSON.stringify({ verdict: "changes_requested", findings: [] })),
    );
    assert.ok(qa.ok);
    assert.equal(qa.verdict, "changes_requested");
    const ops = interpretAnswer(
      "ops",
      block("deployment.json", JSON.stringify({ steps: [{ name: "deploy" }] })),
    );
    assert.ok(ops.ok);
    const bad: [Parameters<typeof interpretAnswer>[0], string, string][] = [
      ["pm", block("plan.json", "{nope"), "plan.json is not valid JSON"],
      [
        "pm",
        block("plan.json", JSON.stringify({ summary: "s", tasks: [] })),
        'plan.json needs a non-empty "tasks" list',
      ],
      ["pm", block("plan.json", "[]"), "plan.json must be a JSON object"],
      [
        "qa",
        block("qa-report.json", JSON.stringify({ verdict: "maybe", findings: [] })),
        '"verdict" must be "pass" or "changes_requested"',
      ],
      [
        "qa",
        block("qa-report.json", JSON.stringify({ verdict: "pass" })),
        'qa-report.json needs a "findings" list',
      ],
      [
        "ops",
        block("deployment.json", JSON.stringify({ steps: [] })),
        'deployment.json needs a non-empty "steps" list',
      ],
      ["ops", block("plan.json", "{}"), "it must hold exactly one deployment.json block"],
    ];
    for (const [agent, text, problem] of bad) {
      const out = interpretAnswer(agent, text);
      assert.ok(!out.ok && out.problem.includes(problem), `${agent}: ${JSON.stringify(out)}`);
    }
  });
});
