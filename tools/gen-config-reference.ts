// Writes docs/config.md, the config reference, from Pulumi.yaml (the one place keys, types and defaults are
// declared) and the three stack files. A test fails when the checked-in file is stale.
import * as fs from "fs";
import * as path from "path";
import { parseYaml } from "../lib/yaml";
import { listStacks } from "./offline/stack-files";

interface Declaration {
  type: string;
  description?: string;
  default?: unknown;
  secret?: boolean;
  items?: { type: string };
}

const cell = (v: unknown) => (v === undefined ? "" : `\`${typeof v === "string" ? v : JSON.stringify(v)}\``);

export function configReference(root: string): string {
  const project = parseYaml(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as {
    name: string;
    config: Record<string, Declaration>;
  };
  const decls = project.config as Record<string, Declaration>;
  const stacks = listStacks(root);
  const stackValues = Object.fromEntries(
    stacks.map((s) => [
      s,
      ((parseYaml(fs.readFileSync(path.join(root, `Pulumi.${s}.yaml`), "utf8")) as { config?: object })
        .config ?? {}) as Record<string, unknown>,
    ]),
  );
  const lines = [
    "# Config reference",
    "",
    "Generated from Pulumi.yaml and the stack files by `npm run gen:config-reference`; do not edit by hand.",
    "Every key is in the `agent-platform` namespace (`pulumi config set agent-platform:<key> <value>`). A stack",
    "file sets only what differs from the default; config.ts rejects unknown keys and names every bad value.",
    "",
    `| key | type | default | ${stacks.join(" | ")} | description |`,
    `| --- | --- | --- | ${stacks.map(() => "---").join(" | ")} | --- |`,
  ];
  for (const [key, d] of Object.entries(decls)) {
    const type = d.type === "array" ? `array of ${d.items?.type ?? "string"}` : d.type;
    const perStack = stacks.map((s) => {
      const v = stackValues[s][`${project.name}:${key}`];
      return d.secret ? "secret (ESC)" : cell(v);
    });
    lines.push(
      `| \`${key}\` | ${type}${d.secret ? ", secret" : ""} | ${cell(d.default)} | ${perStack.join(" | ")} | ${(d.description ?? "").replace(/\|/g, "\\|")} |`,
    );
  }
  lines.push("", "`aws:region` is set in each stack file (all three use `us-east-1`).", "");
  return lines.join("\n");
}

if (require.main === module) {
  const root = path.resolve(__dirname, "..");
  fs.writeFileSync(path.join(root, "docs", "config.md"), configReference(root));
  console.log("docs/config.md written");
}
