/*
 * The difference of two offline previews as Markdown, for a pull-request comment:
 *
 *   npm run -s preview:diff -- <base.json> <head.json> [--label <what the base is>]
 *
 * Both files are `preview:offline --json` documents. Exit 0 with the Markdown on stdout; exit 2 when a file
 * is missing or not a preview document (the message names it).
 */
import { diffPreviews, renderDiffMarkdown } from "./offline/diff";
import { readPreviewDocument } from "./offline/document";

const USAGE = "usage: preview:diff <base.json> <head.json> [--label <what the base is>]";

export function main(argv: string[], out: (s: string) => void, err: (s: string) => void): number {
  const files: string[] = [];
  let label: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--label") {
      label = argv[++i];
      if (label === undefined) {
        err(`--label needs a value\n${USAGE}`);
        return 2;
      }
    } else files.push(argv[i]);
  }
  if (files.length !== 2) {
    err(USAGE);
    return 2;
  }
  try {
    const [base, head] = files.map(readPreviewDocument);
    out(renderDiffMarkdown(diffPreviews(base, head), label ?? files[0]));
    return 0;
  } catch (e) {
    err((e as Error).message);
    return 2;
  }
}

if (require.main === module) {
  process.exitCode = main(
    process.argv.slice(2),
    (s) => console.log(s),
    (s) => console.error(s),
  );
}
