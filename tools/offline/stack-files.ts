import * as fs from "fs";
import * as path from "path";
import { parseYaml } from "../../lib/yaml";

/*
 * Builds the config map a stack's program receives, the way the Pulumi CLI does: the project's declared
 * defaults (Pulumi.yaml), then the values of the stack's ESC environments, then the stack file's own values.
 * Scalars become strings and lists or objects JSON, as the language host passes them. Secrets cannot be
 * decrypted offline: a stack file's `secure:` values become a placeholder, and ESC values come from the
 * example definitions in deploy/esc/ (the real ones live in Pulumi Cloud).
 */

export interface StackInput {
  project: string;
  stack: string;
  /** Absolute path of the program's entry module, from Pulumi.yaml's `main` (default index.ts). */
  main: string;
  config: Record<string, string>;
  secretKeys: string[];
  region: string;
}

/** A stack or project file is missing or malformed. */
export class StackFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StackFileError";
  }
}

export const OFFLINE_SECRET_PLACEHOLDER = "offline-placeholder-secret";

/**
 * Parsed documents by their text: every stack reads the same 40 kB Pulumi.yaml, and parsing it is most of
 * reading a stack. Keyed by content, so an edited file is parsed afresh. Callers only read the documents.
 */
const parsed = new Map<string, unknown>();

function readYaml(file: string): unknown {
  if (!fs.existsSync(file)) throw new StackFileError(`${file} does not exist`);
  const text = fs.readFileSync(file, "utf8");
  if (parsed.has(text)) return parsed.get(text);
  try {
    const doc = parseYaml(text);
    parsed.set(text, doc);
    return doc;
  } catch (err) {
    throw new StackFileError(`${file} is not valid YAML: ${(err as Error).message}`);
  }
}

function asRecord(v: unknown, what: string): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (typeof v !== "object" || Array.isArray(v)) throw new StackFileError(`${what} must be a mapping`);
  return v as Record<string, unknown>;
}

function toConfigString(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

function qualify(project: string, key: string): string {
  return key.includes(":") ? key : `${project}:${key}`;
}

/** Lists the stacks that have a Pulumi.<stack>.yaml at the project root, sorted dev, staging, prod, others. */
export function listStacks(root: string): string[] {
  const order = ["dev", "staging", "prod"];
  return fs
    .readdirSync(root)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99) || a.localeCompare(b));
}

/** Reads an ESC environment's example definition and returns its `pulumiConfig` values. */
function escValues(root: string, env: string): { values: Record<string, unknown>; secrets: Set<string> } {
  const file = path.join(root, "deploy", "esc", `${env}.yaml`);
  const doc = asRecord(readYaml(file), file);
  const pulumiConfig = asRecord(
    asRecord(doc.values, `${file}: values`).pulumiConfig,
    `${file}: values.pulumiConfig`,
  );
  const values: Record<string, unknown> = {};
  const secrets = new Set<string>();
  for (const [k, v] of Object.entries(pulumiConfig)) {
    if (v && typeof v === "object" && "fn::secret" in (v as object)) {
      values[k] = (v as Record<string, unknown>)["fn::secret"];
      secrets.add(k);
    } else {
      values[k] = v;
    }
  }
  return { values, secrets };
}

export function readStack(root: string, stack: string): StackInput {
  const projectFile = path.join(root, "Pulumi.yaml");
  const project = asRecord(readYaml(projectFile), projectFile);
  const projectName = project.name;
  if (typeof projectName !== "string" || projectName === "")
    throw new StackFileError(`${projectFile}: name is required`);

  const config: Record<string, string> = {};
  const secretKeys = new Set<string>();
  for (const [key, decl] of Object.entries(asRecord(project.config, `${projectFile}: config`))) {
    const d = decl as Record<string, unknown> | null;
    // A declaration with `default`, or a plain value for another namespace (aws:region: us-east-1).
    const value = d && typeof d === "object" && !Array.isArray(d) ? (d.default ?? d.value) : d;
    if (value !== undefined) config[qualify(projectName, key)] = toConfigString(value);
  }

  const stackFile = path.join(root, `Pulumi.${stack}.yaml`);
  const stackDoc = asRecord(readYaml(stackFile), stackFile);
  const environments = stackDoc.environment ?? [];
  if (!Array.isArray(environments) || environments.some((e) => typeof e !== "string")) {
    throw new StackFileError(`${stackFile}: environment must be a list of ESC environment names`);
  }
  for (const env of environments as string[]) {
    const esc = escValues(root, env);
    for (const [k, v] of Object.entries(esc.values)) {
      config[qualify(projectName, k)] = toConfigString(v);
      if (esc.secrets.has(k)) secretKeys.add(qualify(projectName, k));
    }
  }
  for (const [key, value] of Object.entries(asRecord(stackDoc.config, `${stackFile}: config`))) {
    const k = qualify(projectName, key);
    if (value && typeof value === "object" && !Array.isArray(value) && "secure" in (value as object)) {
      config[k] = OFFLINE_SECRET_PLACEHOLDER;
      secretKeys.add(k);
    } else {
      config[k] = toConfigString(value);
      secretKeys.delete(k);
    }
  }

  const main = typeof project.main === "string" ? project.main : "index.ts";
  return {
    project: projectName,
    stack,
    main: path.resolve(root, main),
    config,
    secretKeys: [...secretKeys].sort(),
    region: config["aws:region"] ?? "us-east-1",
  };
}
