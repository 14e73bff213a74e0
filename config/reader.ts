import * as pulumi from "@pulumi/pulumi";

/**
 * Where raw config values come from. The program reads them from the Pulumi runtime; tests pass a plain map.
 * Values are the strings the Pulumi language host hands the program: scalars as text, arrays and objects as
 * JSON. Keys are fully qualified (`agent-platform:natStrategy`).
 */
export interface ConfigSource {
  get(key: string): string | undefined;
  isSecret(key: string): boolean;
  keys(): string[];
}

/** One bad config value: the key, what was given, and what is allowed. */
export interface ConfigIssue {
  key: string;
  value: unknown;
  allowed: string;
}

/** Thrown once with every problem found, so a user fixes a stack file in one pass. */
export class ConfigError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(
      `invalid stack configuration (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n` +
        issues.map((i) => `  - ${i.key} = ${renderValue(i.value)}: ${i.allowed}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

function renderValue(v: unknown): string {
  if (v === undefined) return "(not set)";
  if (v === SECRET_PLACEHOLDER) return "[secret]";
  return JSON.stringify(v);
}

const SECRET_PLACEHOLDER = Symbol("secret");

interface NumberRule {
  min?: number;
  max?: number;
  integer?: boolean;
}

/**
 * Reads typed values and collects every problem instead of stopping at the first. Every read records its key,
 * so `finish()` can reject keys that no reader asked for (typos in a stack file would otherwise be ignored).
 * Defaults are not here: they live in Pulumi.yaml, which the Pulumi CLI (and the offline runner) applies.
 */
export class ConfigReader {
  private readonly issues: ConfigIssue[] = [];
  private readonly known = new Set<string>();

  constructor(
    private readonly source: ConfigSource,
    readonly namespace: string,
  ) {}

  /** Fully qualified key. */
  key(name: string): string {
    return `${this.namespace}:${name}`;
  }

  /** Records a problem found by a rule outside the reader; a name with a colon is already fully qualified. */
  report(name: string, value: unknown, allowed: string): void {
    this.issues.push({ key: name.includes(":") ? name : this.key(name), value, allowed });
  }

  private raw(name: string): string | undefined {
    this.known.add(this.key(name));
    const v = this.source.get(this.key(name));
    if (v !== undefined && this.source.isSecret(this.key(name))) {
      this.report(
        name,
        SECRET_PLACEHOLDER,
        "must not be a secret (it is not sensitive; set it in plain text)",
      );
    }
    return v;
  }

  string(name: string, fallback: string): string {
    const v = this.raw(name);
    if (v === undefined) return this.missing(name, fallback);
    return v;
  }

  /** A string whose declared default is empty, meaning "none". */
  optionalString(name: string): string | undefined {
    const v = this.raw(name);
    if (v === undefined) return this.missing(name, undefined);
    return v === "" ? undefined : v;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const v = this.raw(name);
    if (v === undefined) return this.missing(name, fallback);
    if (!(allowed as readonly string[]).includes(v)) {
      this.report(name, v, `must be one of ${allowed.join(", ")}`);
      return fallback;
    }
    return v as T;
  }

  number(name: string, rule: NumberRule, fallback: number): number {
    const v = this.raw(name);
    if (v === undefined) return this.missing(name, fallback);
    const n = Number(v);
    if (v.trim() === "" || !Number.isFinite(n)) {
      this.report(name, v, `must be a number${describeRange(rule)}`);
      return fallback;
    }
    if ((rule.integer ?? true) && !Number.isInteger(n)) {
      this.report(name, n, `must be a whole number${describeRange(rule)}`);
      return fallback;
    }
    if ((rule.min !== undefined && n < rule.min) || (rule.max !== undefined && n > rule.max)) {
      this.report(name, n, `must be${describeRange(rule).replace(/^ of /, " ")}`);
    }
    return n;
  }

  boolean(name: string, fallback: boolean): boolean {
    const v = this.raw(name);
    if (v === undefined) return this.missing(name, fallback);
    if (v === "true") return true;
    if (v === "false") return false;
    this.report(name, v, "must be true or false");
    return fallback;
  }

  stringList(name: string, fallback: string[]): string[] {
    const v = this.raw(name);
    if (v === undefined) return this.missing(name, fallback);
    let parsed: unknown;
    try {
      parsed = JSON.parse(v);
    } catch {
      this.report(name, v, "must be a list of strings");
      return fallback;
    }
    if (!Array.isArray(parsed) || parsed.some((x) => typeof x !== "string")) {
      this.report(name, parsed, "must be a list of strings");
      return fallback;
    }
    return parsed as string[];
  }

  /**
   * A secret value. It must have been set with `pulumi config set --secret`; a plain-text value is refused
   * because it would sit unencrypted in the stack file and in the state.
   */
  secret(name: string, required: boolean): pulumi.Output<string> | undefined {
    const key = this.key(name);
    this.known.add(key);
    const v = this.source.get(key);
    if (v === undefined || v === "") {
      if (required) this.report(name, undefined, "is required: set it with `pulumi config set --secret`");
      return undefined;
    }
    if (!this.source.isSecret(key)) {
      this.report(name, "[plain text]", "must be a secret: set it with `pulumi config set --secret`");
      return undefined;
    }
    return pulumi.secret(v);
  }

  /** A value Pulumi.yaml gives a default for arrived empty: the CLI is too old or the key was blanked. */
  private missing<T>(name: string, fallback: T): T {
    this.report(
      name,
      undefined,
      "is required (Pulumi.yaml declares its default; set a value in the stack file)",
    );
    return fallback;
  }

  /** Throws one ConfigError with every problem, including keys in this namespace nobody reads. */
  finish(): void {
    for (const k of this.source.keys()) {
      if (k.startsWith(`${this.namespace}:`) && !this.known.has(k)) {
        this.issues.push({
          key: k,
          value: this.source.isSecret(k) ? SECRET_PLACEHOLDER : this.source.get(k),
          allowed: "is not a known key (see the config reference in README.md)",
        });
      }
    }
    if (this.issues.length > 0) throw new ConfigError(this.issues);
  }
}

function describeRange(rule: NumberRule): string {
  if (rule.min !== undefined && rule.max !== undefined) return ` between ${rule.min} and ${rule.max}`;
  if (rule.min !== undefined) return ` of at least ${rule.min}`;
  if (rule.max !== undefined) return ` of at most ${rule.max}`;
  return "";
}

/** The program's source: the Pulumi runtime's config map, as the CLI (or the offline runner) set it. */
export function runtimeConfigSource(): ConfigSource {
  const all = pulumi.runtime.allConfig();
  // isConfigSecret is internal to the SDK but is the only way to learn whether a key was set with --secret.
  const runtimeConfig = require("@pulumi/pulumi/runtime/config") as { isConfigSecret(k: string): boolean };
  return {
    get: (k) => all[k],
    isSecret: (k) => runtimeConfig.isConfigSecret(k),
    keys: () => Object.keys(all),
  };
}

/** A source from a plain map; `secrets` lists the keys set with --secret. */
export function mapConfigSource(values: Record<string, string>, secrets: string[] = []): ConfigSource {
  return {
    get: (k) => values[k],
    isSecret: (k) => secrets.includes(k),
    keys: () => Object.keys(values),
  };
}
