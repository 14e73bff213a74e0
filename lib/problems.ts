/*
 * The shape of a broken rule, shared by the components (whose pure `problems(args)` functions own the rules of
 * their arguments) and config/ (which reads Pulumi config into those arguments and reports each problem under
 * its config key). A rule names the fields it concerns through a `KeyNames` table: config passes one that maps
 * each field to its config key, a program calling a component passes none and reads the field names.
 */

/** One broken rule: the key (or field) it concerns, the value found, and what is allowed. */
export interface Problem {
  readonly key: string;
  readonly value: unknown;
  readonly allowed: string;
}

/** What to call each field of a component's arguments in a problem: a config key, or the field itself. */
export type KeyNames<F extends string> = Readonly<Record<F, string>>;

/** The table that names each field by itself: what a component's constructor reports with. */
export function selfNamed<F extends string>(fields: readonly F[]): KeyNames<F> {
  return Object.fromEntries(fields.map((f) => [f, f])) as unknown as KeyNames<F>;
}

/** `keys` for fields one level down in a component's arguments: `settings.instanceClass`. */
export function nested<F extends string>(keys: KeyNames<F>, parent: string): KeyNames<F> {
  return Object.fromEntries(Object.entries(keys).map(([f, k]) => [f, `${parent}.${k}`])) as KeyNames<F>;
}

/** Bounds of a number; `integer` (default true) asks for a whole number. */
export interface NumberRule {
  readonly min?: number;
  readonly max?: number;
  readonly integer?: boolean;
}

/** " between 1 and 35", " of at least 1", " of at most 10", or "" (how messages describe a rule). */
export function describeRange(rule: NumberRule): string {
  if (rule.min !== undefined && rule.max !== undefined) return ` between ${rule.min} and ${rule.max}`;
  if (rule.min !== undefined) return ` of at least ${rule.min}`;
  if (rule.max !== undefined) return ` of at most ${rule.max}`;
  return "";
}

/**
 * Why `value` breaks `rule`, or undefined. NaN is no problem here: it stands for a value config could not read
 * as a number, which the reader has reported already.
 */
export function numberProblem(value: number, rule: NumberRule): string | undefined {
  if (Number.isNaN(value)) return undefined;
  if ((rule.integer ?? true) && !Number.isInteger(value))
    return `must be a whole number${describeRange(rule)}`;
  if ((rule.min !== undefined && value < rule.min) || (rule.max !== undefined && value > rule.max))
    return `must be${describeRange(rule).replace(/^ of /, " ")}`;
  return undefined;
}

/** Collects the problems of one component's arguments, each under the name `keys` gives its field. */
export class Problems<F extends string> {
  readonly list: Problem[] = [];

  constructor(readonly keys: KeyNames<F>) {}

  /** The name of `field` in messages (its config key when config checks). */
  key(field: F): string {
    return this.keys[field];
  }

  /** A problem of `field`, or of one element of it (`index`: `<key>[<index>]`). */
  add(field: F, value: unknown, allowed: string, index?: number): void {
    this.list.push({
      key: index === undefined ? this.key(field) : `${this.key(field)}[${index}]`,
      value,
      allowed,
    });
  }

  /** Checks a number against its bounds; returns whether it is within them. */
  number(field: F, value: number, rule: NumberRule): boolean {
    const problem = numberProblem(value, rule);
    if (problem) this.add(field, value, problem);
    return problem === undefined;
  }
}

/**
 * For a component's constructor: throws one Error naming the component and every problem (the same rules
 * config reports per key), so a program that builds a component by hand gets the same checks.
 */
export function throwIfProblems(component: string, name: string, problems: readonly Problem[]): void {
  if (problems.length === 0) return;
  throw new Error(
    `${component} ${name}: ${problems.map((p) => `${p.key} = ${JSON.stringify(p.value)}: ${p.allowed}`).join("; ")}`,
  );
}
