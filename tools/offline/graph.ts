import type { RegisteredResource } from "./evaluate";

/*
 * The resource graph of one stack as the pictures read it: which component a resource belongs to, and which
 * resources refer to which. Shared by the architecture pages (tools/gen-diagrams.ts) and the HTML report, so
 * both draw the same graph.
 */

export const STACK_TYPE = "pulumi:pulumi:Stack";

/** `aws:sqs/queue:Queue` -> `sqs Queue`; `pulumiservice:index:Stack` -> `Stack`; `kubernetes:apps/v1:Deployment` -> `apps/v1 Deployment`. */
export function shortType(type: string): string {
  const [pkg, module = "", name = type] = type.split(":");
  if (pkg === "aws") return `${module.split("/")[0]} ${name}`;
  return module && module !== "index" ? `${module} ${name}` : name;
}

/** `agent-platform:index:FargateService` -> `FargateService`. */
export function typeName(type: string): string {
  return type.split(":").pop() ?? type;
}

/** Is this a resource that belongs in a picture (not the stack, not a provider)? */
export function drawn(r: { type: string }): boolean {
  return r.type !== STACK_TYPE && !r.type.startsWith("pulumi:providers:");
}

export function countBy<T>(items: T[], key: (t: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const i of items) m.set(key(i), (m.get(key(i)) ?? 0) + 1);
  return m;
}

/** A Mermaid node id from any string (letters, digits and underscores only). */
export function nodeId(prefix: string, s: string): string {
  return `${prefix}_${s.replace(/[^A-Za-z0-9]+/g, "_")}`;
}

/** Lookups over one stack's resources. */
export class ResourceGraph {
  readonly byUrn: Map<string, RegisteredResource>;
  readonly stack?: RegisteredResource;

  constructor(readonly resources: RegisteredResource[]) {
    this.byUrn = new Map(resources.map((r) => [r.urn, r]));
    this.stack = resources.find((r) => r.type === STACK_TYPE);
  }

  /** Custom resources that belong in a picture. */
  get custom(): RegisteredResource[] {
    return this.resources.filter((r) => r.custom && drawn(r));
  }

  /** Component resources (the stack left out). */
  get components(): RegisteredResource[] {
    return this.resources.filter((r) => !r.custom && drawn(r));
  }

  /** The nearest component ancestor of a resource (the stack itself for top-level resources). */
  componentOf(r: RegisteredResource): string | undefined {
    let parent = r.parent ? this.byUrn.get(r.parent) : undefined;
    while (parent && parent.custom) parent = parent.parent ? this.byUrn.get(parent.parent) : undefined;
    return parent?.urn;
  }

  /**
   * The component directly under the stack that holds this resource (a component is its own top when it sits
   * directly under the stack); the stack's urn for resources outside every component.
   */
  topOf(r: RegisteredResource): string | undefined {
    let current = r;
    for (;;) {
      const parent = current.parent ? this.byUrn.get(current.parent) : undefined;
      if (!parent || parent.type === STACK_TYPE) return current.custom ? this.stack?.urn : current.urn;
      current = parent;
    }
  }

  /**
   * Every reference from a drawn custom resource to another drawn resource through its inputs (the engine's
   * property dependencies). A bare dependsOn orders creation without saying what uses what, so it is left out.
   */
  references(): { from: RegisteredResource; to: RegisteredResource }[] {
    const out: { from: RegisteredResource; to: RegisteredResource }[] = [];
    for (const r of this.custom) {
      for (const d of new Set(Object.values(r.propertyDependencies).flat())) {
        const target = this.byUrn.get(d);
        if (target && drawn(target) && target.urn !== r.urn) out.push({ from: r, to: target });
      }
    }
    return out;
  }
}
