import * as fs from "fs";
import * as path from "path";

/*
 * Groups of type tokens that name the same AWS resource, read from the installed @pulumi/aws: a policy that
 * checks one member of a group must check them all. Three facts in the package relate tokens:
 * - a class constructor's `aliases: [{ type: "..." }]` (renamed modules: aws:elasticloadbalancingv2 -> aws:lb,
 *   aws:s3/bucketV2 -> aws:s3/bucket);
 * - the doc note "`aws.alb.X` is known as `aws.lb.X`" (two live classes for one resource);
 * - the deprecation notice "aws.s3/bucketloggingv2.BucketLoggingV2 has been deprecated in favor of
 *   aws.s3/bucketlogging.BucketLogging" (the deprecated class still registers its own token).
 * Used by the alias test, the README's coverage note and `npm run gen:aws-types` (taggableAliasesOf); the
 * pack itself matches kinds (lib/kinds.ts).
 */

export function awsPackageDir(): string {
  return path.dirname(require.resolve("@pulumi/aws/package.json"));
}

class UnionFind {
  private readonly parent = new Map<string, string>();
  find(x: string): string {
    if (!this.parent.has(x)) this.parent.set(x, x);
    const p = this.parent.get(x)!;
    if (p === x) return x;
    const root = this.find(p);
    this.parent.set(x, root);
    return root;
  }
  union(a: string, b: string) {
    this.parent.set(this.find(a), this.find(b));
  }
  groups(): string[][] {
    const by = new Map<string, string[]>();
    for (const x of this.parent.keys()) by.set(this.find(x), [...(by.get(this.find(x)) ?? []), x]);
    return [...by.values()].map((g) => g.sort());
  }
}

/** Every group of two or more tokens that denote one resource. */
export function scanAliasGroups(dir: string = awsPackageDir()): string[][] {
  const uf = new UnionFind();
  /** `aws.lb.LoadBalancer` (module.Class) -> token, for resolving doc notes. */
  const byClass = new Map<string, string>();
  /** `aws.s3/bucketloggingv2.BucketLoggingV2` style (module/lowercased file.Class) -> token. */
  const byDeprecationName = new Map<string, string>();
  const deprecations: Array<[string, string]> = [];
  const knownAs: Array<[string, string]> = [];

  const visit = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "node_modules" && entry.name !== "types") visit(full);
        continue;
      }
      if (!entry.name.endsWith(".js")) continue;
      const js = fs.readFileSync(full, "utf8");
      const m = /static __pulumiType = '(aws:([^/]+)\/([^:]+):([^']+))'/.exec(js);
      if (!m) continue;
      const [, token, mod, file, cls] = m;
      uf.find(token);
      byClass.set(`aws.${mod}.${cls}`, token);
      byDeprecationName.set(`aws.${mod}/${file.toLowerCase()}.${cls}`, token);
      byDeprecationName.set(`${mod}.${cls}`, token);
      const aliases = /aliases: \[([^\]]*)\]/.exec(js);
      if (aliases) for (const a of aliases[1].matchAll(/type: "([^"]+)"/g)) uf.union(token, a[1]);
      const dep = /has been deprecated in favor of ([\w./]+)/.exec(js);
      if (dep) deprecations.push([token, dep[1]]);
      const dts = full.replace(/\.js$/, ".d.ts");
      if (fs.existsSync(dts)) {
        const note = /`(aws\.\w+\.\w+)` is known as `(aws\.\w+\.\w+)`/.exec(fs.readFileSync(dts, "utf8"));
        if (note) knownAs.push([note[1], note[2]]);
      }
    }
  };
  visit(dir);
  for (const [a, b] of knownAs) {
    const ta = byClass.get(a);
    const tb = byClass.get(b);
    if (ta && tb) uf.union(ta, tb);
  }
  for (const [token, target] of deprecations) {
    const t = byDeprecationName.get(target);
    if (t) uf.union(token, t);
  }
  return uf.groups().filter((g) => g.length > 1);
}

/**
 * Tokens that are not taggable by their own declarations but name the same resource as a taggable type
 * (legacy module names, deprecated classes that still register their own token): generated into
 * lib/aws-type-facts.json with the taggable types, so the pack does not scan the package when it loads.
 */
export function taggableAliasesOf(taggable: readonly string[], dir: string = awsPackageDir()): string[] {
  const own = new Set(taggable);
  return scanAliasGroups(dir)
    .filter((group) => group.some((t) => own.has(t)))
    .flat()
    .filter((t) => !own.has(t))
    .sort();
}
