import * as pulumi from "@pulumi/pulumi";
import { describeRange, NumberRule, Problem } from "../lib/problems";

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

/**
 * Reads typed values and collects every problem instead of stopping at the first. Every read records its key,
 * so `finish()` can reject keys that no reader asked for (typos in a stack file would otherwise be ignored).
 * Defaults are not here: they live in Pulumi.yaml, which the Pulumi CLI (and the offline runner) applies, so a
 * key that arrives without a value is a problem. A value that is missing or not of its type is reported once:
 * the reader then returns a placeholder (NaN, "", false, [] or undefined) that no rule reports again, so the
 * other checks can run, and `finish()` throws before anything could use it.
 */
export class ConfigReader {
  private readonly issues: ConfigIssue[] = [];
  private readonly known = new Set<string>();
  /** Keys the reader itself reported (missing, not of their type, out of bounds): not reported again. */
  private readonly unreadable = new Set<string>();

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
    const key = name.includes(":") ? name : this.key(name);
    if (this.unreadable.has(key)) return;
    this.issues.push({ key, value, allowed });
  }

  /** Reports each of a component's problems (their keys are config keys without the namespace). */
  reportAll(problems: readonly Problem[]): void {
    for (const p of problems) this.report(p.key, p.value, p.allowed);
  }

  /** Records the problem that a value could not be read, and returns the placeholder that stands for it. */
  private unread<T>(name: string, value: unknown, allowed: string, placeholder: T): T {
    this.report(name, value, allowed);
    this.unreadable.add(this.key(name));
    return placeholder;
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

  string(name: string): string {
    const v = this.raw(name);
    if (v === undefined) return this.missing(name, "");
    return v;
  }

  /** A string whose declared default is empty, meaning "none". */
  optionalString(name: string): string | undefined {
    const v = this.raw(name);
    if (v === undefined) return this.missing(name, undefined);
    return v === "" ? undefined : v;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T {
    const v = this.raw(name);
    // The placeholder matches no allowed value, so no rule that tests for one fires on it.
    const none = undefined as unknown as T;
    if (v === undefined) return this.missing(name, none);
    if (!(allowed as readonly string[]).includes(v))
      return this.unread(name, v, `must be one of ${allowed.join(", ")}`, none);
    return v as T;
  }

  /**
   * A number. Without a `rule` any number is read and the component's rules judge it (whole numbers and bounds:
   * their messages name both); a `rule` is for keys config itself interprets, whole unless `rule.integer` is
   * false.
   */
  number(name: string, rule?: NumberRule): number {
    const v = this.raw(name);
    if (v === undefined) return this.missing(name, NaN);
    const n = Number(v);
    if (v.trim() === "" || !Number.isFinite(n))
      return this.unread(name, v, `must be a number${describeRange(rule ?? {})}`, NaN);
    if (rule === undefined) return n;
    if ((rule.integer ?? true) && !Number.isInteger(n))
      return this.unread(name, n, `must be a whole number${describeRange(rule)}`, NaN);
    // Out of the key's own bounds: reported once here, not again by a component's rule.
    if ((rule.min !== undefined && n < rule.min) || (rule.max !== undefined && n > rule.max))
      this.unread(name, n, `must be${describeRange(rule).replace(/^ of /, " ")}`, n);
    return n;
  }

  boolean(name: string): boolean {
    const v = this.raw(name);
    if (v === undefined) return this.missing(name, false);
    if (v === "true") return true;
    if (v === "false") return false;
    return this.unread(name, v, "must be true or false", false);
  }

  stringList(name: string): string[] {
    const v = this.raw(name);
    if (v === undefined) return this.missing(name, []);
    let parsed: unknown;
    try {
      parsed = JSON.parse(v);
    } catch {
      return this.unread(name, v, "must be a list of strings", []);
    }
    if (!Array.isArray(parsed) || parsed.some((x) => typeof x !== "string"))
      return this.unread(name, parsed, "must be a list of strings", []);
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

  /**
   * A secret a section needs: reported when absent, as `secret` does; the placeholder that then stands for it
   * is never deployed (`finish()` throws first).
   */
  requiredSecret(name: string): pulumi.Output<string> {
    return this.secret(name, true) ?? pulumi.output("");
  }

  /** A value Pulumi.yaml gives a default for arrived empty: the CLI is too old or the key was blanked. */
  private missing<T>(name: string, placeholder: T): T {
    return this.unread(
      name,
      undefined,
      "is required (Pulumi.yaml declares its default; set a value in the stack file)",
      placeholder,
    );
  }

  /**
   * A key that was renamed: its old name in a stack file is refused with the new one, so a stack is never
   * deployed with a value that silently stopped applying.
   */
  renamed(oldName: string, newName: string): void {
    const key = this.key(oldName);
    this.known.add(key);
    const v = this.source.get(key);
    if (v !== undefined)
      this.report(
        oldName,
        this.source.isSecret(key) ? SECRET_PLACEHOLDER : v,
        `was renamed to ${newName}: set ${newName} instead`,
      );
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
