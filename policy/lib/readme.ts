import type { Policies } from "@pulumi/policy";
import { META } from "./framework";

/*
 * The policy and knob tables of policy/README.md, generated from the policies' own metadata so the two
 * cannot drift: `npx ts-node --transpile-only policy/lib/readme.ts` rewrites them; test/policy/pack.spec.ts
 * checks the README holds exactly these tables.
 */

/** A table cell: pipes and asterisks escaped (a bare `*` would read as emphasis), one line. */
const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\*/g, "\\*").replace(/\n/g, " ");
/** A code span in a cell (no escaping inside backticks, except the pipe). */
const code = (s: string) => `\`${s.replace(/\|/g, "\\|")}\``;
const ids = (xs: string[] | undefined) => (xs && xs.length > 0 ? xs.join(", ") : "—");

export function policyTable(policies: Policies): string {
  const lines = [
    "| Policy | Level | Domain | Severity | Checks | checkov | cdk-nag | CIS / FSBP / AWSGuard / Pulumi |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const p of policies) {
    const m = META.get(p.name);
    if (!m) throw new Error(`${p.name} was not built with policy/lib/framework.ts`);
    const r = m.references;
    const other = [
      ...(r.cis ?? []).map((x) => `CIS ${x}`),
      ...(r.fsbp ?? []).map((x) => `FSBP ${x}`),
      ...(r.awsguard ?? []).map((x) => `AWSGuard ${x}`),
      ...(r.pulumi ?? []),
    ];
    lines.push(
      `| \`${m.name}\` | ${m.enforcementLevel} | ${m.domain} | ${m.severity} | ${cell(m.description)} | ` +
        `${ids(r.checkov)} | ${ids(r.cdkNag)} | ${cell(ids(other))} |`,
    );
  }
  return lines.join("\n");
}

/** Every knob (configSchema property other than `exemptions`) with its default. */
export function knobTable(policies: Policies): string {
  const lines = ["| Policy | Knob | Default | Meaning |", "| --- | --- | --- | --- |"];
  for (const p of policies) {
    for (const [k, s] of Object.entries(p.configSchema?.properties ?? {})) {
      if (k === "exemptions") continue;
      lines.push(
        `| ${code(p.name)} | ${code(k)} | ${code(JSON.stringify(s.default))} | ${cell(s.description ?? "")} |`,
      );
    }
  }
  return lines.join("\n");
}

/** README text with the generated tables between their markers. */
export function withTables(readme: string, policies: Policies): string {
  const put = (text: string, name: string, table: string) =>
    text.replace(
      new RegExp(`<!-- ${name}:start -->[\\s\\S]*?<!-- ${name}:end -->`),
      `<!-- ${name}:start -->\n\n${table}\n\n<!-- ${name}:end -->`,
    );
  return put(put(readme, "policy-table", policyTable(policies)), "knob-table", knobTable(policies));
}

/** `npx ts-node --transpile-only policy/lib/readme.ts` rewrites policy/README.md's tables. */
if (require.main === module) {
  const fs = require("fs") as typeof import("fs");
  const path = require("path") as typeof import("path");
  const { policies } = require("../policies") as { policies: Policies };
  const file = path.join(__dirname, "..", "README.md");
  fs.writeFileSync(file, withTables(fs.readFileSync(file, "utf8"), policies));
}
