/**
 * How an agent's answer (a model's text) becomes files. The format, which the system prompts state and
 * docs/agents.md documents:
 *
 *   A file is a fenced code block whose info string holds `path=<relative path>` (after an optional language):
 *
 *     ```python path=app/auth.py
 *     ...the whole file...
 *     ```
 *
 *   The fence is three or more backticks (or tildes) and closes with a line of at least as many of the same
 *   character. Text outside the blocks is the agent's summary. Blocks without a path are commentary.
 *
 * Each agent must answer with its files (`interpretAnswer`): PM one `plan.json`, Dev one or more project files,
 * QA one `qa-report.json`, Ops one `deployment.json`. An answer that does not hold them fails the step with a
 * reason that says what was missing, rather than writing whatever was there.
 */
import { AgentName } from "./agents";
import { projectPathProblem } from "./artifacts";
import type { QaVerdict } from "./events";

export interface AnswerBlock {
  readonly path: string;
  readonly language?: string;
  readonly content: string;
}

export interface ParsedAnswer {
  readonly blocks: readonly AnswerBlock[];
  /** The text outside the blocks, trimmed. */
  readonly prose: string;
  /** A block opened and never closed (the answer was probably cut off). */
  readonly unterminated: boolean;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const PATH = /(?:^|\s)path=(?:"([^"]+)"|(\S+))/;

export function parseAnswer(text: string): ParsedAnswer {
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  const blocks: AnswerBlock[] = [];
  const prose: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const open = FENCE.exec(lines[i]);
    // A backtick fence's info string may not contain backticks (CommonMark); then the line is prose.
    if (!open || (open[1][0] === "`" && open[2].includes("`"))) {
      prose.push(lines[i]);
      i++;
      continue;
    }
    const [fence, info] = [open[1], open[2].trim()];
    const close = new RegExp(`^ {0,3}${fence[0] === "`" ? "`" : "~"}{${fence.length},}\\s*$`);
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !close.test(lines[j])) body.push(lines[j++]);
    if (j >= lines.length) return { blocks, prose: prose.join("\n").trim(), unterminated: true };
    const path = PATH.exec(info);
    if (path) {
      const language = info.split(/\s+/)[0];
      blocks.push({
        path: path[1] ?? path[2],
        ...(language && !language.startsWith("path=") ? { language } : {}),
        content: body.length > 0 ? `${body.join("\n")}\n` : "",
      });
    }
    i = j + 1;
  }
  return { blocks, prose: prose.join("\n").trim(), unterminated: false };
}

/** A block in the answer format; the fence is longer than any backtick run in the content. */
export function formatFileBlock(path: string, content: string, language = ""): string {
  const longest = Math.max(2, ...[...content.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  const body = content.endsWith("\n") ? content : `${content}\n`;
  return `${fence}${language ? `${language} ` : ""}path=${path}\n${body}${fence}\n`;
}

/** The file each agent other than Dev must answer with. */
export const ANSWER_FILES = {
  pm: "plan.json",
  qa: "qa-report.json",
  ops: "deployment.json",
} as const;

/** Most files Dev may write in one step, and the largest one. */
export const MAX_DEV_FILES = 50;
export const MAX_FILE_BYTES = 256 * 1024;
/** The summary kept from the prose. */
export const MAX_SUMMARY_LENGTH = 1000;

/** What each agent is asked to answer with (the system prompts include it). */
export const ANSWER_INSTRUCTIONS: Readonly<Record<AgentName, string>> = {
  pm:
    "Answer with a short summary, then exactly one fenced block headed `json path=plan.json` holding a JSON " +
    'object: {"summary": string, "tasks": [{"agent": "dev"|"qa"|"ops", "title": string, "details": string}], ' +
    '"files": [paths the change touches]}.',
  dev:
    "Answer with a short summary, then every file you create or change as a fenced block headed " +
    "`<language> path=<path relative to the project root>` holding the whole file.",
  qa:
    "Answer with a short summary, then exactly one fenced block headed `json path=qa-report.json` holding a " +
    'JSON object: {"verdict": "pass" | "changes_requested", "findings": [{"severity": string, "description": ' +
    'string}], "tests": [test descriptions]}. Ask for changes only for defects Dev must fix.',
  ops:
    "Answer with a short summary, then exactly one fenced block headed `json path=deployment.json` holding a " +
    'JSON object: {"environment": string, "steps": [{"name": string, "command": string}], "rollback": string}.',
};

export type InterpretedAnswer =
  | {
      readonly ok: true;
      readonly summary: string;
      /** Dev: the project files. PM, QA, Ops: their one document, as pretty-printed JSON. */
      readonly files: readonly AnswerBlock[];
      /** PM, QA, Ops: the parsed document. */
      readonly document?: Record<string, unknown>;
      readonly verdict?: QaVerdict;
    }
  | { readonly ok: false; readonly problem: string };

const problem = (agent: AgentName, text: string): InterpretedAnswer => ({
  ok: false,
  problem: `the ${agent} agent's answer could not be used: ${text}`,
});

/** The agent's files from its answer, checked against what its step needs. */
export function interpretAnswer(agent: AgentName, text: string): InterpretedAnswer {
  const parsed = parseAnswer(text);
  if (parsed.unterminated) return problem(agent, "a fenced block is not closed (was the answer cut off?)");
  const summary = parsed.prose.slice(0, MAX_SUMMARY_LENGTH);
  if (agent === "dev") {
    if (parsed.blocks.length === 0)
      return problem(agent, "it has no file blocks (```<language> path=<file> ... ```)");
    if (parsed.blocks.length > MAX_DEV_FILES)
      return problem(agent, `it has ${parsed.blocks.length} files; at most ${MAX_DEV_FILES} are allowed`);
    const seen = new Set<string>();
    for (const block of parsed.blocks) {
      const bad = projectPathProblem(block.path);
      if (bad) return problem(agent, `path ${JSON.stringify(block.path)} ${bad}`);
      if (seen.has(block.path)) return problem(agent, `path ${block.path} appears twice`);
      seen.add(block.path);
      if (Buffer.byteLength(block.content, "utf8") > MAX_FILE_BYTES)
        return problem(agent, `${block.path} is larger than ${MAX_FILE_BYTES} bytes`);
    }
    return { ok: true, summary, files: parsed.blocks };
  }
  const name = ANSWER_FILES[agent];
  const found = parsed.blocks.filter((b) => b.path === name);
  if (found.length !== 1)
    return problem(
      agent,
      `it must hold exactly one ${name} block (\`\`\`json path=${name}), found ${found.length}`,
    );
  let document: unknown;
  try {
    document = JSON.parse(found[0].content);
  } catch (error) {
    return problem(agent, `${name} is not valid JSON (${(error as Error).message})`);
  }
  if (!document || typeof document !== "object" || Array.isArray(document))
    return problem(agent, `${name} must be a JSON object`);
  const doc = document as Record<string, unknown>;
  const nonEmptyList = (key: string) => Array.isArray(doc[key]) && (doc[key] as unknown[]).length > 0;
  let verdict: QaVerdict | undefined;
  if (agent === "pm") {
    if (typeof doc.summary !== "string" || doc.summary.trim() === "")
      return problem(agent, `${name} needs a non-empty "summary"`);
    if (!nonEmptyList("tasks")) return problem(agent, `${name} needs a non-empty "tasks" list`);
  } else if (agent === "qa") {
    if (doc.verdict !== "pass" && doc.verdict !== "changes_requested")
      return problem(
        agent,
        `${name} "verdict" must be "pass" or "changes_requested", not ${JSON.stringify(doc.verdict)}`,
      );
    if (!Array.isArray(doc.findings))
      return problem(agent, `${name} needs a "findings" list (empty if none)`);
    verdict = doc.verdict;
  } else if (!nonEmptyList("steps")) {
    return problem(agent, `${name} needs a non-empty "steps" list`);
  }
  const content = `${JSON.stringify(doc, null, 2)}\n`;
  return {
    ok: true,
    summary,
    files: [{ path: name, language: "json", content }],
    document: doc,
    ...(verdict ? { verdict } : {}),
  };
}
