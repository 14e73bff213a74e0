import { usdRange } from "../../cost/report";
import type { RegisteredResource } from "./evaluate";
import { componentFacts, Fact } from "./facts";
import { nodeId, ResourceGraph, shortType, STACK_TYPE, typeName } from "./graph";

/*
 * A stack's architecture at two levels a person can read: one box per top-level component with its key facts
 * and arrows for the references between components, and per component its resources grouped by type. Both
 * are Mermaid flowcharts drawn from the offline preview's resource graph, for the architecture pages and the
 * HTML report alike.
 */

export interface ComponentView {
  urn: string;
  name: string;
  /** The type token, `agent-platform:index:Api`. */
  type: string;
  /** Custom resources inside it, its nested components' included. */
  resources: RegisteredResource[];
  /** Components nested inside it. */
  nested: RegisteredResource[];
  facts: Fact[];
  /** Fixed monthly estimate of its resources: the low end, and the high end where items give one. */
  monthlyUsd: number;
  maxMonthlyUsd: number;
}

export interface ComponentLink {
  from: string;
  to: string;
  /** What is referred to, as short types (`sqs Queue`), sorted. */
  targets: string[];
  /** What refers, as short types, sorted. */
  sources: string[];
  /** Every reference behind the link comes from an alarm, a dashboard or a log group. */
  monitoring: boolean;
}

export interface Architecture {
  graph: ResourceGraph;
  components: ComponentView[];
  links: ComponentLink[];
}

/** References from these types watch or record the target rather than use it: drawn dotted. */
const MONITORING = new Set([
  "aws:cloudwatch/metricAlarm:MetricAlarm",
  "aws:cloudwatch/compositeAlarm:CompositeAlarm",
  "aws:cloudwatch/dashboard:Dashboard",
  "aws:cloudwatch/logGroup:LogGroup",
]);

/** Beyond this many, another component's references, or the components watching this one, are drawn as one. */
const MAX_SEPARATE = 3;

/** The name a component goes by in the pictures; resources outside every component belong to `(stack)`. */
function displayName(c: RegisteredResource): string {
  return c.type === STACK_TYPE ? "(stack)" : c.name;
}

/** A cost item's monthly figure (its low end), read defensively (the estimate's item shape may grow). */
export function itemUsd(item: unknown): number {
  const v = (item as { monthlyUsd?: unknown } | null)?.monthlyUsd;
  return typeof v === "number" && isFinite(v) ? v : 0;
}

/** A cost item's high end: its `maxMonthlyUsd` where it gives one, else its figure. */
export function itemMaxUsd(item: unknown): number {
  const v = (item as { maxMonthlyUsd?: unknown } | null)?.maxMonthlyUsd;
  return typeof v === "number" && isFinite(v) ? Math.max(v, itemUsd(item)) : itemUsd(item);
}

export function architectureOf(
  resources: RegisteredResource[],
  costItems: readonly unknown[] = [],
): Architecture {
  const graph = new ResourceGraph(resources);
  const tops = new Map<string, ComponentView>();
  const viewOf = (urn: string | undefined) => {
    const c = urn ? graph.byUrn.get(urn) : undefined;
    if (!c) return undefined;
    let view = tops.get(c.urn);
    if (!view) {
      view = {
        urn: c.urn,
        name: displayName(c),
        type: c.type,
        resources: [],
        nested: [],
        facts: [],
        monthlyUsd: 0,
        maxMonthlyUsd: 0,
      };
      tops.set(c.urn, view);
    }
    return view;
  };
  for (const c of graph.components) {
    const top = graph.topOf(c);
    if (top === c.urn) viewOf(c.urn);
    else viewOf(top)?.nested.push(c);
  }
  for (const r of graph.custom) viewOf(graph.topOf(r))?.resources.push(r);
  for (const item of costItems) {
    const urn = (item as { urn?: unknown } | null)?.urn;
    const r = typeof urn === "string" ? graph.byUrn.get(urn) : undefined;
    const view = r && tops.get(graph.topOf(r) ?? "");
    if (!view) continue;
    view.monthlyUsd += itemUsd(item);
    view.maxMonthlyUsd += itemMaxUsd(item);
  }
  for (const v of tops.values()) {
    v.facts = componentFacts(v.resources);
    v.monthlyUsd = Math.round(v.monthlyUsd * 100) / 100;
    v.maxMonthlyUsd = Math.round(v.maxMonthlyUsd * 100) / 100;
  }
  const components = [...tops.values()]
    .filter((v) => v.resources.length > 0 || v.type !== STACK_TYPE)
    .sort((a, b) => a.name.localeCompare(b.name) || a.type.localeCompare(b.type));

  const links = new Map<string, ComponentLink>();
  for (const { from, to } of graph.references()) {
    const a = graph.topOf(from);
    const b = graph.topOf(to);
    if (!a || !b || a === b || !tops.has(a) || !tops.has(b)) continue;
    const key = `${a}\n${b}`;
    const link = links.get(key) ?? { from: a, to: b, targets: [], sources: [], monitoring: true };
    link.targets = [...new Set([...link.targets, shortType(to.type)])].sort();
    link.sources = [...new Set([...link.sources, shortType(from.type)])].sort();
    link.monitoring &&= MONITORING.has(from.type);
    links.set(key, link);
  }
  const order = new Map(components.map((c, i) => [c.urn, i]));
  return {
    graph,
    components,
    links: [...links.values()].sort(
      (x, y) => order.get(x.from)! - order.get(y.from)! || order.get(x.to)! - order.get(y.to)!,
    ),
  };
}

/**
 * The monitoring links the component diagram leaves out, as sentences: a component watching many others
 * ("dashboard -> a, b, c"), then the rest by what they watch ("a, b, c -> observability").
 */
export function monitoringSummary(a: Architecture): string[] {
  const name = new Map(a.components.map((c) => [c.urn, c.name]));
  const links = a.links.filter((l) => l.monitoring);
  const out: string[] = [];
  const bySource = new Map<string, ComponentLink[]>();
  for (const l of links) bySource.set(l.from, [...(bySource.get(l.from) ?? []), l]);
  const taken = new Set<ComponentLink>();
  const refs = (ls: ComponentLink[]) =>
    `${[...new Set(ls.flatMap((l) => l.sources))].sort().join(", ")} → ${[...new Set(ls.flatMap((l) => l.targets))].sort().join(", ")}`;
  for (const [from, ls] of bySource) {
    if (ls.length <= MAX_SEPARATE) continue;
    ls.forEach((l) => taken.add(l));
    out.push(`${name.get(from)} → ${ls.map((l) => name.get(l.to)).join(", ")} (${refs(ls)})`);
  }
  const byTarget = new Map<string, ComponentLink[]>();
  for (const l of links.filter((l) => !taken.has(l))) byTarget.set(l.to, [...(byTarget.get(l.to) ?? []), l]);
  for (const [to, ls] of byTarget)
    out.push(`${ls.map((l) => name.get(l.from)).join(", ")} → ${name.get(to)} (${refs(ls)})`);
  return out;
}

/** Text safe inside a quoted Mermaid label (HTML-like characters as Mermaid's entity codes). */
export function mermaidText(s: string): string {
  return s.replace(/#/g, "#35;").replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;");
}

/** Ids from names, not positions, so adding a component changes only its own lines in a diff. */
function componentId(c: { type: string; name: string }): string {
  return nodeId("c", `${typeName(c.type)}_${c.name}`);
}

/** How many facts a box shows; the tables list them all. */
export const FACTS_PER_BOX = 3;

/** The facts a component's box shows: its headline facts, or its first supporting one when it has none. */
export function boxFacts(c: ComponentView): string[] {
  const headline = c.facts.filter((f) => !f.detail);
  return (headline.length > 0 ? headline : c.facts).slice(0, FACTS_PER_BOX).map((f) => f.text);
}

/** The component-level flowchart: one box per component with its key facts, arrows for references. */
export function componentDiagram(a: Architecture): string {
  // Labels a little wider than Mermaid's default 200 px keep most facts on one line, so boxes stay short;
  // wider ones make prod's five columns pass the 2,000 px the pages must fit in.
  const lines = ["---", "config:", "  flowchart:", "    wrappingWidth: 240", "---", "flowchart LR"];
  for (const c of a.components) {
    const title = `<b>${mermaidText(c.name)}</b> · ${mermaidText(typeName(c.type))}`;
    const facts = boxFacts(c).map(mermaidText);
    const footer = `<i>${c.resources.length} ${c.resources.length === 1 ? "resource" : "resources"}${c.maxMonthlyUsd > 0 ? ` · ${usdRange(c.monthlyUsd, c.maxMonthlyUsd)}/mo` : ""}</i>`;
    lines.push(`  ${componentId(c)}["${[title, ...facts, footer].join("<br/>")}"]`);
  }
  const byUrn = new Map(a.components.map((c) => [c.urn, c]));
  const drawn = a.links.filter((l) => !l.monitoring);
  const key = (from: string, to: string) => `${from}\n${to}`;
  const pairs = new Set(drawn.map((l) => key(l.from, l.to)));
  for (const l of drawn) {
    const mutual = pairs.has(key(l.to, l.from));
    // Two components that refer to each other get one two-headed arrow, drawn once: two opposite arrows
    // make a cycle the layout breaks at random, which can add columns.
    if (mutual && l.from > l.to) continue;
    lines.push(
      `  ${componentId(byUrn.get(l.from)!)} ${mutual ? "<-->" : "-->"} ${componentId(byUrn.get(l.to)!)}`,
    );
  }
  return lines.join("\n");
}

interface Group {
  id: string;
  /** The subgraph (nearest component) it is drawn in. */
  component: string;
  type: string;
  count: number;
  /** Groups folded into this one: settings resources that only refer to it (bucket versioning, policy attachments). */
  satellites: Group[];
}

interface Edge {
  from: string;
  to: string;
  monitoring: boolean;
}

/**
 * One component's resources, grouped by type with counts (nested components as subgraphs), the references
 * between its groups, and the other components it refers to or that refer to it as single boxes. To keep it
 * on a screen, a group that only configures another (nothing else refers to it, it refers to that one alone)
 * is folded into that group's box, and many components watching this one are drawn as one box.
 */
export function resourceDiagram(a: Architecture, component: ComponentView): string {
  const { graph } = a;
  const inside = new Set([
    component.urn,
    ...component.nested.map((n) => n.urn),
    ...component.resources.map((r) => r.urn),
  ]);
  const byUrn = new Map(a.components.map((c) => [c.urn, c]));
  const compName = (urn: string) => {
    const c = graph.byUrn.get(urn);
    return !c || c.type === STACK_TYPE ? "stack" : `${typeName(c.type)}_${c.name}`;
  };
  const subgraphId = (urn: string) => nodeId("c", compName(urn));
  const groups = new Map<string, Group>();
  for (const r of component.resources) {
    const owner = graph.componentOf(r) ?? "";
    const id = nodeId("g", `${compName(owner)}_${shortType(r.type)}`);
    const g = groups.get(id) ?? { id, component: owner, type: r.type, count: 0, satellites: [] };
    g.count++;
    groups.set(id, g);
  }
  const groupOf = (r: RegisteredResource) =>
    nodeId("g", `${compName(graph.componentOf(r) ?? "")}_${shortType(r.type)}`);
  // A reference to a component resource (dependsOn) points at its subgraph.
  const nodeOf = (r: RegisteredResource) => (r.custom ? groupOf(r) : subgraphId(r.urn));

  const internal: Edge[] = [];
  const outgoing = new Map<ComponentView, Edge[]>();
  const incoming = new Map<ComponentView, Edge[]>();
  const push = (m: Map<ComponentView, Edge[]>, c: ComponentView, e: Edge) =>
    m.set(c, [...(m.get(c) ?? []), e]);
  for (const { from, to } of graph.references()) {
    const fromIn = inside.has(from.urn);
    const toIn = inside.has(to.urn);
    const monitoring = MONITORING.has(from.type);
    if (fromIn && toIn) {
      if (nodeOf(from) !== nodeOf(to)) internal.push({ from: nodeOf(from), to: nodeOf(to), monitoring });
      continue;
    }
    const other = byUrn.get(graph.topOf(fromIn ? to : from) ?? "");
    if (!other || (!fromIn && !toIn)) continue;
    if (fromIn) push(outgoing, other, { from: nodeOf(from), to: "", monitoring });
    else push(incoming, other, { from: "", to: nodeOf(to), monitoring });
  }

  // Fold settings groups into the group they configure, known by name (a BucketVersioning configures a Bucket,
  // a SecurityGroupIngressRule a SecurityGroup); what they refer to besides is drawn from that group.
  const folded = new Map<string, string>();
  const referrers = (id: string) => internal.filter((e) => e.to === id).length;
  for (const g of groups.values()) {
    if (referrers(g.id) > 0) continue;
    const host = [...new Set(internal.filter((e) => e.from === g.id).map((e) => e.to))]
      .map((id) => groups.get(id))
      .filter(
        (h): h is Group =>
          !!h &&
          h.component === g.component &&
          h.type !== g.type &&
          typeName(g.type).startsWith(typeName(h.type)),
      )
      .sort((x, y) => typeName(y.type).length - typeName(x.type).length)[0];
    if (!host) continue;
    host.satellites.push(g);
    folded.set(g.id, host.id);
  }
  const drawnAs = (id: string) => folded.get(id) ?? id;

  const lines = ["flowchart TB"];
  const label = (g: Group) => {
    const settings = g.satellites
      .map(
        (x) =>
          `${x.count === g.count ? "" : `${x.count} `}${typeName(x.type).slice(typeName(g.type).length)}`,
      )
      .sort();
    return [`${g.count} × ${shortType(g.type)}`, ...(settings.length ? [`+ ${settings.join(", ")}`] : [])]
      .map(mermaidText)
      .join("<br/>");
  };
  const walk = (urn: string, depth: number) => {
    const pad = "  ".repeat(depth);
    const c = graph.byUrn.get(urn);
    if (!c) return;
    lines.push(`${pad}subgraph ${subgraphId(urn)}["${mermaidText(`${c.name}: ${typeName(c.type)}`)}"]`);
    for (const g of [...groups.values()]
      .filter((g) => g.component === urn && !folded.has(g.id))
      .sort((x, y) => x.type.localeCompare(y.type)))
      lines.push(`${pad}  ${g.id}["${label(g)}"]`);
    for (const k of component.nested
      .filter((n) => graph.componentOf(n) === urn)
      .sort((x, y) => x.name.localeCompare(y.name)))
      walk(k.urn, depth + 1);
    lines.push(`${pad}end`);
  };
  walk(component.urn, 1);

  const edges = new Set<string>();
  const arrow = (es: Edge[]) => (es.every((e) => e.monitoring) ? "-.->" : "-->");
  for (const e of internal)
    if (drawnAs(e.from) !== drawnAs(e.to)) edges.add(`  ${drawnAs(e.from)} ${arrow([e])} ${drawnAs(e.to)}`);
  const externalId = (c: ComponentView) => nodeId("x", `${typeName(c.type)}_${c.name}`);
  // Many components tied to this one only by monitoring (their alarms notify its topic, its dashboard shows
  // their alarms) are drawn as one box each way.
  const monitoringOnly = (c: ComponentView) =>
    [...(incoming.get(c) ?? []), ...(outgoing.get(c) ?? [])].every((e) => e.monitoring);
  const watchers = [...incoming.keys()].filter((c) => !outgoing.has(c) && monitoringOnly(c));
  const watchees = [...outgoing.keys()].filter((c) => !incoming.has(c) && monitoringOnly(c));
  const grouped = new Set([
    ...(watchers.length > MAX_SEPARATE ? watchers : []),
    ...(watchees.length > MAX_SEPARATE ? watchees : []),
  ]);
  const watching = new Set<string>();
  const boxes: string[] = [];
  for (const c of new Set([...outgoing.keys(), ...incoming.keys()])) {
    if (grouped.has(c)) continue;
    boxes.push(`  ${externalId(c)}(["${mermaidText(`${c.name}: ${typeName(c.type)}`)}"])`);
  }
  for (const [c, es] of outgoing) {
    if (grouped.has(c)) {
      for (const e of es) watching.add(drawnAs(e.from));
      continue;
    }
    for (const from of new Set(es.map((e) => drawnAs(e.from))))
      edges.add(`  ${from} ${arrow(es.filter((e) => drawnAs(e.from) === from))} ${externalId(c)}`);
  }
  const watched = new Set<string>();
  for (const [c, es] of incoming) {
    const targets = new Set(es.map((e) => drawnAs(e.to)));
    if (grouped.has(c)) {
      for (const t of targets) watched.add(t);
      continue;
    }
    // Another component referring to much of this one gets one arrow to the component.
    if (targets.size > MAX_SEPARATE)
      edges.add(`  ${externalId(c)} ${arrow(es)} ${subgraphId(component.urn)}`);
    else
      for (const t of targets)
        edges.add(`  ${externalId(c)} ${arrow(es.filter((e) => drawnAs(e.to) === t))} ${t}`);
  }
  const many = (cs: ComponentView[], what: string) =>
    mermaidText(
      `${cs.length} components' ${what}: ${cs
        .map((c) => c.name)
        .sort()
        .join(", ")}`,
    );
  if (watched.size > 0) {
    boxes.push(`  x_watchers(["${many(watchers, "alarms and logs")}"])`);
    for (const t of watched) edges.add(`  x_watchers -.-> ${t}`);
  }
  if (watching.size > 0) {
    boxes.push(`  x_watched(["${many(watchees, "alarms")}"])`);
    for (const f of watching) edges.add(`  ${f} -.-> x_watched`);
  }
  lines.push(...boxes.sort(), ...[...edges].sort());
  return lines.join("\n");
}
