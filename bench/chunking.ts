/**
 * Chunking throughput on real documents, against LangChain's RecursiveCharacterTextSplitter at the same chunk
 * size and overlap, in the same run.
 *
 * Corpus: the Markdown and HTML files shipped inside node_modules (read at run time, deduplicated), plus any
 * directories given as arguments. Each file goes through the process function's own cleaning (extractText), and
 * both splitters get the same cleaned text, which is what the pipeline chunks.
 *
 *   npx ts-node --transpile-only bench/chunking.ts [extra corpus directories...]
 *
 * Writes bench/results/chunking.md (bench/results/chunking-extra-corpus.md when extra directories are given).
 */
import { RecursiveCharacterTextSplitter } from "@langchain/textsplitters";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join, relative } from "node:path";
import { extractText } from "../functions/process/text/extract";
import { chunkText } from "../functions/shared/chunking";

const ROOT = join(__dirname, "..");
const CONFIGS = [
  { maxChars: 2000, overlapChars: 200 },
  { maxChars: 1000, overlapChars: 100 },
  { maxChars: 500, overlapChars: 50 },
];
const ROUNDS = 9;
const WARMUP_ROUNDS = 3;
const DOC_PATTERN = /\.(md|markdown|html?)$/i;

interface Doc {
  readonly path: string;
  readonly format: string;
  readonly bytes: number;
  readonly text: string;
}

function findDocuments(dir: string, found: string[], depth = 0): void {
  if (depth > 12) return;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) findDocuments(path, found, depth + 1);
    else if (entry.isFile() && DOC_PATTERN.test(entry.name)) found.push(path);
  }
}

function loadCorpus(roots: readonly string[]): {
  docs: Doc[];
  cleaning: Map<string, { bytes: number; ms: number }>;
} {
  const paths: string[] = [];
  for (const root of roots) findDocuments(root, paths);
  const seen = new Set<string>();
  const docs: Doc[] = [];
  const cleaning = new Map<string, { bytes: number; ms: number }>();
  for (const path of paths.sort()) {
    const size = statSync(path).size;
    if (size < 1024 || size > 4 * 1024 * 1024) continue;
    const bytes = readFileSync(path);
    const hash = createHash("sha1").update(bytes).digest("hex");
    if (seen.has(hash)) continue;
    seen.add(hash);
    const started = performance.now();
    const result = extractText(bytes, path, undefined);
    const ms = performance.now() - started;
    if (!result.ok) continue;
    const stats = cleaning.get(result.format) ?? { bytes: 0, ms: 0 };
    cleaning.set(result.format, { bytes: stats.bytes + bytes.length, ms: stats.ms + ms });
    docs.push({ path, format: result.format, bytes: bytes.length, text: result.document.text });
  }
  return { docs, cleaning };
}

interface SplitStats {
  readonly medianMs: number;
  readonly chunks: number;
  readonly maxLength: number;
  readonly overLimit: number;
  readonly meanLength: number;
}

type Split = (text: string) => Promise<string[]> | string[];

async function measure(texts: readonly string[], maxChars: number, split: Split): Promise<SplitStats> {
  let chunks: string[] = [];
  for (const text of texts) chunks.push(...(await split(text)));
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    for (const text of texts) await split(text);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const lengths = chunks.map((c) => c.length);
  chunks = [];
  return {
    medianMs: times[Math.floor(times.length / 2)],
    chunks: lengths.length,
    maxLength: Math.max(...lengths),
    overLimit: lengths.filter((l) => l > maxChars).length,
    meanLength: lengths.reduce((a, b) => a + b, 0) / lengths.length,
  };
}

export function machine(): string {
  const cpu = cpus();
  // The load average shows whether other work shared the machine during the run.
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
  return `${cpu[0]?.model ?? "unknown CPU"}, ${cpu.length} cores, Node ${process.version}, ${process.platform}/${process.arch}; load average at start ${load}`;
}

async function main(): Promise<void> {
  const roots = [join(ROOT, "node_modules"), ...process.argv.slice(2)];
  const { docs, cleaning } = loadCorpus(roots);
  const texts = docs.map((d) => d.text);
  const chars = texts.reduce((a, t) => a + t.length, 0);
  const mb = chars / 1e6;
  const byFormat = new Map<string, number>();
  for (const d of docs) byFormat.set(d.format, (byFormat.get(d.format) ?? 0) + 1);

  const lines: string[] = [
    "# Chunking benchmark",
    "",
    `- Date: ${new Date().toISOString().slice(0, 10)}`,
    `- Machine: ${machine()}`,
    `- Command: \`npx ts-node --transpile-only bench/chunking.ts${
      process.argv.length > 2 ? ` ${process.argv.slice(2).join(" ")}` : ""
    }\``,
    `- Corpus: ${docs.length} distinct documents (${[...byFormat].map(([f, n]) => `${n} ${f}`).join(", ")}) from ${roots.map((r) => (r.startsWith(ROOT) ? relative(ROOT, r) || "." : r)).join(", ")}; ` +
      `${(docs.reduce((a, d) => a + d.bytes, 0) / 1e6).toFixed(2)} MB raw, ${mb.toFixed(2)} M characters after cleaning`,
    `- Both splitters get the same cleaned text; time is the median of ${ROUNDS} rounds over the whole corpus, after ${WARMUP_ROUNDS} untimed warm-up rounds of every splitter in every configuration.`,
    `- LangChain: \`@langchain/textsplitters\` RecursiveCharacterTextSplitter with its default separators and \`chunkSize\`/\`chunkOverlap\` = maxChars/overlapChars.`,
    "",
    "| maxChars / overlap | splitter | median time | throughput | chunks | mean length | longest | over the limit | speed-up |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|",
  ];
  const splitters = CONFIGS.map(({ maxChars, overlapChars }) => {
    const langchain = new RecursiveCharacterTextSplitter({ chunkSize: maxChars, chunkOverlap: overlapChars });
    return {
      ours: ((t) => chunkText(t, { maxChars, overlapChars }).map((c) => c.text)) as Split,
      theirs: ((t) => langchain.splitText(t)) as Split,
    };
  });
  // Warm-up: every splitter in every configuration runs over the corpus WARMUP_ROUNDS times before anything is
  // timed, so neither side is measured while the JIT is still compiling it.
  for (let round = 0; round < WARMUP_ROUNDS; round++) {
    for (const { ours, theirs } of splitters) {
      for (const text of texts) {
        await ours(text);
        await theirs(text);
      }
    }
  }
  for (const [i, { maxChars, overlapChars }] of CONFIGS.entries()) {
    const ours = await measure(texts, maxChars, splitters[i].ours);
    const theirs = await measure(texts, maxChars, splitters[i].theirs);
    const speedup = theirs.medianMs / ours.medianMs;
    for (const [name, s] of [
      ["chunkText (this repo)", ours],
      ["LangChain RecursiveCharacterTextSplitter", theirs],
    ] as const) {
      lines.push(
        `| ${maxChars} / ${overlapChars} | ${name} | ${s.medianMs.toFixed(1)} ms | ${(mb / (s.medianMs / 1000)).toFixed(1)} M chars/s | ${s.chunks} | ${s.meanLength.toFixed(0)} | ${s.maxLength} | ${s.overLimit} | ${s === ours ? `${speedup.toFixed(1)}×` : "1.0×"} |`,
      );
    }
    console.log(
      `${maxChars}/${overlapChars}: chunkText ${ours.medianMs.toFixed(1)} ms, LangChain ${theirs.medianMs.toFixed(1)} ms, ${speedup.toFixed(1)}× (longest ${ours.maxLength}, over limit ${ours.overLimit})`,
    );
    if (ours.overLimit > 0) throw new Error(`chunkText produced ${ours.overLimit} chunks over ${maxChars}`);
  }
  lines.push(
    "",
    "Cleaning (extractText: decode, detect, strip markup, normalise), for reference: one pass over the corpus while loading it, JIT warm-up included:",
    "",
    "| format | documents | raw MB | time | throughput |",
    "|---|---:|---:|---:|---:|",
  );
  for (const [format, stats] of cleaning) {
    lines.push(
      `| ${format} | ${byFormat.get(format) ?? 0} | ${(stats.bytes / 1e6).toFixed(2)} | ${stats.ms.toFixed(0)} ms | ${(stats.bytes / 1e6 / (stats.ms / 1000)).toFixed(1)} MB/s |`,
    );
  }
  lines.push("");
  // Extra corpora are machine-specific: their results go to a file of their own.
  const output = process.argv.length > 2 ? "chunking-extra-corpus.md" : "chunking.md";
  writeFileSync(join(ROOT, "bench", "results", output), lines.join("\n"));
  console.log(lines.join("\n"));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
