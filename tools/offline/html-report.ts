import * as fs from "fs";
import { summarizeAlarms } from "./alarms";
import { architectureOf, componentDiagram, itemUsd, monitoringSummary } from "./architecture";
import { resourceSummary, signedUsd, StackDiff, unchanged, usd } from "./diff";
import type { DocStack, PolicyInfo, PreviewDocument } from "./document";
import { usdRange } from "../../cost/report";
import { shortType, typeName } from "./graph";
import type { StackReport } from "./preview";

/*
 * The offline preview as one self-contained HTML file (`--html`): per stack the component diagram, the
 * findings and exemptions by domain and severity with their remediation, the cost estimate as charts by
 * component and by kind with the usage-priced items, the alarms, and the difference against a base preview.
 * Nothing is fetched: the page carries Mermaid's own bundle and draws the diagrams in the reader's browser,
 * and its Content-Security-Policy forbids every request. Figures shown carry `data-*` attributes with the
 * JSON's values, so a test can hold the page to the document.
 */

export interface HtmlReportInput {
  reports: StackReport[];
  doc: PreviewDocument;
  diffs?: StackDiff[];
  /** What the base was (a file name or a branch), for the difference's heading. */
  baseLabel?: string;
}

const MERMAID = require.resolve("mermaid/dist/mermaid.min.js");

const esc = (s: unknown) =>
  String(s).replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );

/** Script text safe inside a <script> element. */
const scriptText = (s: string) => s.replace(/<\/(script)/gi, "<\\/$1");

const SEVERITIES = ["critical", "high", "medium", "low"];
const severityRank = (s: string) => (SEVERITIES.includes(s) ? SEVERITIES.indexOf(s) : SEVERITIES.length);

interface Finding {
  policy: string;
  name: string;
  type: string;
  message: string;
  level?: string;
  reason?: string;
  source?: string;
}

/** Findings (or exemptions) by domain, then severity, each with its policy's remediation. */
function findingsByDomain(findings: Finding[], policies: Map<string, PolicyInfo>, kind: string): string {
  if (findings.length === 0) return `<p class="none">No ${kind}.</p>`;
  const domains = new Map<string, Finding[]>();
  for (const f of findings) {
    const d = policies.get(f.policy)?.domain ?? "other";
    domains.set(d, [...(domains.get(d) ?? []), f]);
  }
  const out: string[] = [];
  for (const [domain, fs] of [...domains].sort((a, b) => a[0].localeCompare(b[0]))) {
    out.push(`<h4>${esc(domain)} <span class="count">${fs.length}</span></h4>`);
    const bySeverity = new Map<string, Finding[]>();
    for (const f of fs) {
      const s = policies.get(f.policy)?.severity ?? "unspecified";
      bySeverity.set(s, [...(bySeverity.get(s) ?? []), f]);
    }
    for (const [severity, group] of [...bySeverity].sort((a, b) => severityRank(a[0]) - severityRank(b[0]))) {
      out.push(`<div class="severity sev-${esc(severity)}"><h5>${esc(severity)}</h5><ul class="findings">`);
      for (const f of group) {
        const p = policies.get(f.policy);
        const detail = f.message.split("\n").slice(1).join(" ").trim() || f.message;
        out.push(
          `<li><b>${esc(f.policy)}</b>${f.level ? ` <span class="level level-${esc(f.level)}">${esc(f.level)}</span>` : ""} on <code>${esc(f.name || "(stack)")}</code> <span class="type">${esc(shortType(f.type))}</span>` +
            `<div class="message">${esc(detail)}</div>` +
            (f.reason !== undefined
              ? `<div class="reason">Accepted: ${esc(f.reason)} <span class="source">(${esc(f.source)})</span></div>`
              : "") +
            (p?.remediation
              ? `<details><summary>Remediation</summary><p>${esc(p.remediation)}</p></details>`
              : "") +
            "</li>",
        );
      }
      out.push("</ul></div>");
    }
  }
  return out.join("\n");
}

/** A horizontal bar chart: one row per entry, the bar's length its share of the largest. */
function barChart(id: string, rows: { label: string; usd: number; note?: string }[]): string {
  if (rows.length === 0) return `<p class="none">Nothing priced.</p>`;
  const max = Math.max(...rows.map((r) => r.usd), 0.01);
  return (
    `<div class="chart" id="${esc(id)}">` +
    rows
      .map(
        (r) =>
          `<div class="row" data-label="${esc(r.label)}" data-usd="${r.usd}"><span class="label">${esc(r.label)}${r.note ? ` <small>${esc(r.note)}</small>` : ""}</span>` +
          `<span class="bar"><span style="width:${((100 * r.usd) / max).toFixed(1)}%"></span></span><span class="value">${usd(r.usd)}</span></div>`,
      )
      .join("") +
    "</div>"
  );
}

const KNOWN_ITEM_FIELDS = new Set(["urn", "type", "name", "description", "monthlyUsd", "reason"]);

/** Fields an estimate item carries beyond the known ones (ranges, notes), shown as they are. */
function extraFields(item: Record<string, unknown>): string {
  const extra = Object.entries(item).filter(
    ([k, v]) => !KNOWN_ITEM_FIELDS.has(k) && v !== undefined && v !== null,
  );
  return extra.map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : String(v)}`).join("; ");
}

function costSection(report: StackReport, doc: DocStack, componentOf: (urn: string) => string): string {
  const cost = doc.costEstimate;
  const items = cost.items ?? [];
  const byComponent = new Map<string, number>();
  const byKind = new Map<string, { usd: number; n: number }>();
  for (const i of items) {
    const c = componentOf(String(i.urn));
    byComponent.set(c, (byComponent.get(c) ?? 0) + itemUsd(i));
    const k = shortType(String(i.type));
    const g = byKind.get(k) ?? { usd: 0, n: 0 };
    byKind.set(k, { usd: g.usd + itemUsd(i), n: g.n + 1 });
  }
  const rows = <T>(m: Map<string, T>, usdOf: (t: T) => number, note?: (t: T) => string) =>
    [...m]
      .map(([label, t]) => ({ label, usd: Math.round(usdOf(t) * 100) / 100, note: note?.(t) }))
      .sort((a, b) => b.usd - a.usd || a.label.localeCompare(b.label));
  const notEstimated = cost.notEstimated ?? [];
  const usage = new Map<string, Record<string, unknown>[]>();
  for (const n of notEstimated) {
    const key = `${shortType(String(n.type))}\n${String(n.reason ?? "not estimated")}`;
    usage.set(key, [...(usage.get(key) ?? []), n]);
  }
  const extraTotals = Object.entries(cost).filter(
    ([k, v]) =>
      ![
        "monthlyUsd",
        "minMonthlyUsd",
        "maxMonthlyUsd",
        "currency",
        "priceRegion",
        "priceDate",
        "items",
        "notEstimated",
      ].includes(k) && v !== undefined,
  );
  return `
<p>Fixed monthly estimate: <b data-metric="monthlyUsd" data-value="${cost.monthlyUsd}">${usd(cost.monthlyUsd)}</b>${cost.priceRegion ? ` (${esc(cost.priceRegion)} prices of ${esc(cost.priceDate)})` : ""}; ${items.length} priced items, <span data-metric="notEstimated" data-value="${notEstimated.length}">${notEstimated.length}</span> usage-priced or not estimated.</p>
${
  typeof cost.maxMonthlyUsd === "number" && cost.maxMonthlyUsd > cost.monthlyUsd
    ? `<p>Up to <b data-metric="maxMonthlyUsd" data-value="${cost.maxMonthlyUsd}">${usd(cost.maxMonthlyUsd)}</b> where a figure depends on what the program cannot know (the items' ranges are listed below); the charts show the low end.</p>`
    : ""
}
${extraTotals.length ? `<p class="extra">${extraTotals.map(([k, v]) => `${esc(k)}: ${esc(typeof v === "object" ? JSON.stringify(v) : v)}`).join("; ")}</p>` : ""}
<div class="charts">
<div><h4>By component</h4>${barChart(
    `cost-component-${report.stack}`,
    rows(byComponent, (u) => u),
  )}</div>
<div><h4>By kind</h4>${barChart(
    `cost-kind-${report.stack}`,
    rows(
      byKind,
      (g) => g.usd,
      (g) => `× ${g.n}`,
    ),
  )}</div>
</div>
<h4>Usage-priced and not estimated</h4>
${
  usage.size === 0
    ? `<p class="none">None.</p>`
    : `<div class="scroll"><table class="usage stackable"><thead><tr><th>kind</th><th>count</th><th>why</th><th>resources</th></tr></thead><tbody>${[
        ...usage,
      ]
        .sort((a, b) => a[0].localeCompare(b[0]))
        .map(([key, ns]) => {
          const [kind, reason] = key.split("\n");
          const extra = ns.map(extraFields).filter(Boolean);
          return `<tr><td>${esc(kind)}</td><td>${ns.length}</td><td>${esc(reason)}${extra.length ? `<br><small>${esc([...new Set(extra)].join("; "))}</small>` : ""}</td><td>${esc(
            ns.map((n) => String(n.name)).join(", "),
          )}</td></tr>`;
        })
        .join("")}</tbody></table></div>`
}
<details><summary>Every priced item (${items.length})</summary><div class="scroll"><table><thead><tr><th>resource</th><th>component</th><th>what</th><th>monthly</th><th>more</th></tr></thead><tbody>${items
    .map(
      (i) =>
        `<tr><td>${esc(String(i.name))}</td><td>${esc(componentOf(String(i.urn)))}</td><td>${esc(String(i.description ?? ""))}</td><td class="num">${usd(itemUsd(i))}</td><td>${esc(extraFields(i))}</td></tr>`,
    )
    .join("")}</tbody></table></div></details>`;
}

function alarmsSection(report: StackReport, componentOf: (urn: string) => string): string {
  const alarms = summarizeAlarms(report.resources);
  if (alarms.length === 0) return `<p class="none">No alarms.</p>`;
  const silent = alarms.filter((a) => a.actions === 0).length;
  const byComponent = new Map<string, typeof alarms>();
  for (const a of alarms) {
    const c = componentOf(a.urn);
    byComponent.set(c, [...(byComponent.get(c) ?? []), a]);
  }
  return (
    `<p><span data-metric="alarms" data-value="${alarms.length}">${alarms.length}</span> alarms${silent ? `, <b class="warn">${silent} notify nobody</b>` : ", every one notifies someone"}.</p>` +
    [...byComponent]
      .sort((a, b) => a[0].localeCompare(b[0]))
      .map(
        ([c, as]) =>
          `<details><summary>${esc(c)} (${as.length})</summary><div class="scroll"><table><thead><tr><th>alarm</th><th>watches</th><th>fires when</th><th>actions</th></tr></thead><tbody>${as
            .map(
              (a) =>
                `<tr><td>${esc(a.name)}</td><td>${esc(a.watches)}</td><td>${esc(a.condition)}</td><td class="num${a.actions === 0 ? " warn" : ""}">${a.actions}</td></tr>`,
            )
            .join("")}</tbody></table></div></details>`,
      )
      .join("\n")
  );
}

function diffSection(d: StackDiff | undefined, baseLabel: string): string {
  if (!d) return "";
  const head = `<h3>Difference against ${esc(baseLabel)}</h3>`;
  if (d.presence === "added")
    return `<section class="diff">${head}<p>A new stack: the base has no such stack.</p></section>`;
  if (unchanged(d))
    return `<section class="diff">${head}<p data-metric="diff-unchanged">No change.</p></section>`;
  const r = d.resources;
  const list = (title: string, items: string[]) =>
    items.length ? `<h4>${title}</h4><ul>${items.map((i) => `<li>${i}</li>`).join("")}</ul>` : "";
  return `<section class="diff">${head}
<dl class="cards">
<div><dt>Resources</dt><dd><span data-metric="diff-added" data-value="${r.added.length}">+${r.added.length}</span> <span data-metric="diff-removed" data-value="${r.removed.length}">−${r.removed.length}</span> <span data-metric="diff-changed" data-value="${r.changed.length}">~${r.changed.length}</span></dd><dd class="small">${esc(resourceSummary(d))}</dd></div>
<div><dt>Findings</dt><dd><span data-metric="diff-new" data-value="${d.findings.new.length}">${d.findings.new.length} new</span>, <span data-metric="diff-fixed" data-value="${d.findings.fixed.length}">${d.findings.fixed.length} fixed</span></dd></div>
<div><dt>Monthly cost</dt><dd><span data-metric="diff-delta" data-value="${d.cost.deltaUsd}">${signedUsd(d.cost.deltaUsd)}</span></dd><dd class="small">${usd(d.cost.baseUsd)} → ${usd(d.cost.headUsd)}</dd></div>
</dl>
${
  r.byType.length
    ? `<div class="scroll"><table><thead><tr><th>type</th><th>added</th><th>removed</th><th>changed</th></tr></thead><tbody>${r.byType
        .map(
          (t) =>
            `<tr><td title="${esc(t.type)}">${esc(shortType(t.type))}</td><td class="num">${t.added}</td><td class="num">${t.removed}</td><td class="num">${t.changed}</td></tr>`,
        )
        .join("")}</tbody></table></div>`
    : ""
}
${list(
  "New findings",
  d.findings.new.map(
    (f) => `<b>${esc(f.policy)}</b> (${esc(f.enforcementLevel)}) on <code>${esc(f.name)}</code>`,
  ),
)}
${list(
  "Fixed findings",
  d.findings.fixed.map((f) => `<b>${esc(f.policy)}</b> on <code>${esc(f.name)}</code>`),
)}
${list(
  "Cost by component",
  d.cost.byComponent.map(
    (c) => `${esc(c.component)}: ${usd(c.baseUsd)} → ${usd(c.headUsd)} (${signedUsd(c.deltaUsd)})`,
  ),
)}
</section>`;
}

function stackSection(
  report: StackReport,
  doc: DocStack,
  policies: Map<string, PolicyInfo>,
  diff: StackDiff | undefined,
  baseLabel: string,
): string {
  const arch = architectureOf(report.resources, doc.costEstimate.items);
  const componentOf = (urn: string) => {
    const r = arch.graph.byUrn.get(urn);
    const top = r && arch.graph.topOf(r);
    return arch.components.find((c) => c.urn === top)?.name ?? "(other)";
  };
  const mandatory = doc.violations.filter((v) => v.enforcementLevel === "mandatory").length;
  const advisory = doc.violations.length - mandatory;
  const exemptions = doc.exemptions ?? [];
  const resources = arch.components.reduce((t, c) => t + c.resources.length, 0);
  const monitoring = monitoringSummary(arch);
  return `<section class="stack" id="stack-${esc(report.stack)}" data-stack="${esc(report.stack)}">
<h2>${esc(report.stack)}</h2>
<dl class="cards summary">
<div><dt>Resources</dt><dd data-metric="resources" data-value="${resources}">${resources}</dd><dd class="small">in ${arch.components.length} components</dd></div>
<div><dt>Mandatory findings</dt><dd data-metric="mandatory" data-value="${mandatory}" class="${mandatory ? "bad" : "good"}">${mandatory}</dd></div>
<div><dt>Advisory findings</dt><dd data-metric="advisory" data-value="${advisory}">${advisory}</dd></div>
<div><dt>Exemptions</dt><dd data-metric="exemptions" data-value="${exemptions.length}">${exemptions.length}</dd></div>
<div><dt>Fixed monthly</dt><dd data-metric="summary-monthlyUsd" data-value="${doc.costEstimate.monthlyUsd}">${usd(doc.costEstimate.monthlyUsd)}</dd></div>
</dl>
${diffSection(diff, baseLabel)}
<section><h3>Components</h3>
<figure class="diagram"><button type="button" class="zoom" aria-pressed="false">Actual size</button><pre class="mermaid">${esc(componentDiagram(arch))}</pre>
<figcaption>One box per component: its key facts, resources and fixed monthly estimate. Arrows point to the components whose resources it refers to.</figcaption></figure>
${monitoring.length ? `<p class="small">Monitoring ties (not drawn): ${monitoring.map(esc).join("; ")}.</p>` : ""}
<div class="scroll"><table class="components stackable"><thead><tr><th>component</th><th>key facts</th><th>resources</th><th>monthly</th></tr></thead><tbody>${arch.components
    .map(
      (c) =>
        `<tr data-component="${esc(c.name)}"><td><b>${esc(c.name)}</b><br><small>${esc(typeName(c.type))}</small></td><td>${esc(c.facts.map((f) => f.text).join("; "))}</td><td class="num">${c.resources.length}</td><td class="num">${usdRange(c.monthlyUsd, c.maxMonthlyUsd)}</td></tr>`,
    )
    .join("")}</tbody></table></div>
</section>
<section><h3>Policy findings</h3>${findingsByDomain(
    doc.violations.map((v) => ({ ...v, level: v.enforcementLevel })),
    policies,
    "policy findings",
  )}</section>
<section><h3>Exemptions</h3>${findingsByDomain(exemptions, policies, "exemptions")}</section>
<section><h3>Cost</h3>${costSection(report, doc, componentOf)}</section>
<section><h3>Alarms</h3>${alarmsSection(report, componentOf)}</section>
</section>`;
}

const STYLE = `
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#fff;--soft:#f6f8fa;--accent:#0969da;--bad:#cf222e;--good:#1a7f37;--warn:#9a6700}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header,main{max-width:1180px;margin:0 auto;padding:12px 16px}
h1{font-size:1.4rem;margin:.2rem 0}h2{font-size:1.3rem;border-bottom:1px solid var(--line);padding-bottom:.3rem}
h3{font-size:1.1rem;margin-top:1.6rem}h4{margin:1rem 0 .3rem}h5{margin:.4rem 0;text-transform:capitalize}
nav{display:flex;flex-wrap:wrap;gap:6px}nav a{padding:4px 12px;border:1px solid var(--line);border-radius:16px;text-decoration:none;color:var(--accent)}
nav a[aria-current=true]{background:var(--accent);color:#fff}
.stack{display:none}.stack.shown{display:block}
.cards{display:flex;flex-wrap:wrap;gap:8px;margin:0}.cards div{flex:1 1 140px;border:1px solid var(--line);border-radius:8px;padding:8px 12px;background:var(--soft)}
.cards dt{font-size:.8rem;color:var(--muted)}.cards dd{margin:0;font-size:1.3rem;font-weight:600}.cards dd.small{font-size:.8rem;font-weight:400;color:var(--muted)}
.bad{color:var(--bad)}.good{color:var(--good)}.warn{color:var(--warn)}.small,small{font-size:.85rem;color:var(--muted)}
.diff{border-left:4px solid var(--accent);padding-left:12px}
.diagram{margin:0;border:1px solid var(--line);border-radius:8px;padding:8px;overflow:auto;position:relative}
.diagram svg{max-width:100%;height:auto}.diagram.natural svg{max-width:none}
.diagram pre.mermaid{white-space:pre-wrap;font-size:.7rem;color:var(--muted)}
.zoom{position:sticky;left:0;font:inherit;font-size:.8rem;border:1px solid var(--line);border-radius:6px;background:var(--soft);padding:2px 8px}
figcaption{font-size:.85rem;color:var(--muted)}
.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{border-bottom:1px solid var(--line);padding:4px 6px;text-align:left;vertical-align:top}
td.num{text-align:right;white-space:nowrap}
ul.findings{padding-left:1.1rem}ul.findings li{margin:.4rem 0}.message{color:var(--fg)}.reason{color:var(--good)}.type{color:var(--muted);font-size:.85rem}
.level{font-size:.75rem;padding:0 6px;border-radius:8px;background:var(--soft);border:1px solid var(--line)}.level-mandatory{color:var(--bad)}
.sev-critical h5,.sev-high h5{color:var(--bad)}.sev-medium h5{color:var(--warn)}
.count{font-weight:400;color:var(--muted)}.none{color:var(--muted)}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:16px}
.chart .row{display:grid;grid-template-columns:minmax(90px,38%) 1fr auto;gap:8px;align-items:center;margin:3px 0;font-size:.9rem}
.chart .label{overflow-wrap:anywhere}.chart .bar{background:var(--soft);border-radius:3px;height:12px}.chart .bar span{display:block;height:100%;background:var(--accent);border-radius:3px;min-width:1px}
.chart .value{text-align:right;font-variant-numeric:tabular-nums}
@media (max-width:520px){.chart .row{grid-template-columns:1fr auto}.chart .bar{grid-column:1/-1;order:3}h2{font-size:1.15rem}
table.stackable thead{display:none}table.stackable tr{display:block;border-bottom:1px solid var(--line);padding:6px 0}
table.stackable td{display:inline-block;border:0;padding:2px 6px}table.stackable td:nth-child(2),table.stackable td:nth-child(3){display:block}}
`;

/** Shows one stack at a time (from the address's #stack-<name>), drawing its diagrams when first shown. */
const APP = `
(function () {
  mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: "default", flowchart: { useMaxWidth: true } });
  var sections = Array.prototype.slice.call(document.querySelectorAll("section.stack"));
  var links = Array.prototype.slice.call(document.querySelectorAll("nav a"));
  var drawn = 0;
  function draw(section) {
    var pres = Array.prototype.slice.call(section.querySelectorAll("pre.mermaid"));
    return Promise.all(pres.map(function (pre) {
      var id = "diagram-" + (drawn++);
      return mermaid.render(id, pre.textContent).then(function (r) {
        var holder = document.createElement("div");
        holder.className = "svg";
        holder.innerHTML = r.svg;
        pre.replaceWith(holder);
      });
    }));
  }
  function show() {
    var name = decodeURIComponent((location.hash || "").replace(/^#stack-/, "")) || sections[0].dataset.stack;
    var target = sections.filter(function (s) { return s.dataset.stack === name; })[0] || sections[0];
    sections.forEach(function (s) { s.classList.toggle("shown", s === target); });
    links.forEach(function (a) { a.setAttribute("aria-current", String(a.dataset.stack === target.dataset.stack)); });
    document.body.dataset.ready = "false";
    return draw(target).then(function () { document.body.dataset.ready = "true"; });
  }
  document.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest("button.zoom");
    if (!b) return;
    var natural = b.parentElement.classList.toggle("natural");
    b.setAttribute("aria-pressed", String(natural));
    b.textContent = natural ? "Fit to width" : "Actual size";
  });
  window.addEventListener("hashchange", show);
  show();
})();
`;

export function renderHtmlReport(input: HtmlReportInput): string {
  const { reports, doc, diffs } = input;
  const policies = new Map((doc.policies ?? []).map((p) => [p.name, p]));
  const baseLabel = input.baseLabel ?? "the base";
  const sections = reports.map((r) =>
    stackSection(
      r,
      doc.stacks.find((s) => s.stack === r.stack)!,
      policies,
      diffs?.find((d) => d.stack === r.stack),
      baseLabel,
    ),
  );
  const gone = (diffs ?? []).filter((d) => d.presence === "removed").map((d) => d.stack);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; font-src data:">
<title>Offline preview: ${esc(reports.map((r) => r.stack).join(", "))}</title>
<style>${STYLE}</style></head>
<body data-ready="false">
<header><h1>Offline preview</h1>
<p class="small">The program evaluated under mocks, the policy pack and the fixed monthly estimate, as <code>npm run -s preview:offline</code> reports them${diffs ? `; compared with ${esc(baseLabel)}` : ""}.${gone.length ? ` Stacks only the base has: ${esc(gone.join(", "))}.` : ""}</p>
<nav>${reports.map((r) => `<a href="#stack-${esc(r.stack)}" data-stack="${esc(r.stack)}">${esc(r.stack)}</a>`).join("")}</nav></header>
<main>
${sections.join("\n")}
</main>
<script>${scriptText(fs.readFileSync(MERMAID, "utf8"))}</script>
<script>${scriptText(APP)}</script>
</body></html>
`;
}
