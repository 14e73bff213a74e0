/**
 * One project: request a modification and watch it live (a row per agent step), open the PM's plan, QA's
 * reports and Ops' manifest, browse and open the project's files, delete the project.
 */
import type { ProjectMessage } from "../../../contracts/messages";
import { AGENT_NAMES } from "../../../contracts/agents";
import { ConsoleError } from "../api";
import { busy, card, errorBox, field, formatTime, type App, type Project } from "../app";
import { fill, h, uid } from "../dom";
import { fileTree, formatSize, type FolderNode, type ProjectFile } from "../files";
import { LiveFeed, type EventsPage, type LiveState, type SocketLike, type Ticket } from "../live";
import { AGENT_LABELS, formatDuration, timeline, type ModificationView, type StepView } from "../timeline";

interface ModificationDetail {
  readonly request?: string;
  readonly status?: string;
  /** Artifact key -> pre-signed URL. */
  readonly links?: Record<string, string>;
}

/** Files and artifact links are pre-signed for 5 minutes: they are fetched again before that. */
const LINK_REFRESH_MS = 4 * 60_000;

export function projectView(app: App, main: HTMLElement, params: Record<string, string>): () => void {
  const projectId = params.id;
  const cleanups: (() => void)[] = [];
  const title = h("h1", { tabindex: "-1" }, "Project");
  const area = h("div", { class: "status-area" });
  main.replaceChildren(
    h(
      "nav",
      { class: "crumbs", "aria-label": "Breadcrumb" },
      h("a", { href: "#/projects" }, "Projects"),
      " / ",
      projectId,
    ),
    title,
    area,
  );
  title.focus();

  app.api
    .get<Project>(`/api/projects/${encodeURIComponent(projectId)}`)
    .then((project) => {
      title.textContent = project.name;
      document.title = `${project.name} · Agent platform`;
      const files = filesSection(app, projectId);
      cleanups.push(files.stop);
      const mods = modificationsSection(app, projectId, () => files.refresh());
      cleanups.push(mods.stop);
      main.append(
        h(
          "dl",
          { class: "meta" },
          ...meta("Id", h("code", {}, project.id)),
          ...meta("Template", project.template_id ?? "none"),
          ...meta("Status", project.status),
          ...meta("Owner", project.owner_id),
          ...meta("Created", formatTime(project.created_at)),
        ),
        modifySection(app, projectId),
        mods.element,
        files.element,
        deleteSection(app, project),
      );
    })
    .catch((error: unknown) => {
      if (error instanceof ConsoleError && error.kind === "key") return app.signOut(error.message);
      area.replaceChildren(errorBox(error));
    });
  return () => cleanups.forEach((stop) => stop());
}

function meta(term: string, value: string | Node): HTMLElement[] {
  return [h("dt", {}, term), h("dd", {}, value)];
}

function modifySection(app: App, projectId: string): HTMLElement {
  const request = h("textarea", {
    id: uid("request"),
    name: "request",
    required: true,
    maxlength: 10000,
    rows: 3,
  });
  const submit = h("button", { type: "submit", class: "primary" }, "Request modification");
  const area = h("div", { class: "status-area" });
  const form = h(
    "form",
    {},
    field(
      "What should the agents change?",
      request,
      "PM plans it, Dev writes the code, QA reviews it, Ops plans the deployment.",
    ),
    submit,
    area,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = request.value.trim();
    if (text === "") return;
    void busy(app, submit, area, "Sending the request…", () =>
      app.api.post<{ id: string }>(`/api/projects/${encodeURIComponent(projectId)}/modify`, {
        request: text,
      }),
    ).then((mod) => {
      if (!mod) return;
      request.value = "";
      area.replaceChildren(
        h("p", { class: "small", role: "status" }, `Modification ${mod.id} requested; the PM agent has it.`),
      );
      app.announce("Modification requested");
    });
  });
  return card("modify-title", "Request a modification", form);
}

function modificationsSection(app: App, projectId: string, filesChanged: () => void) {
  const live = h("p", { class: "live", role: "status" }, "Live updates: loading…");
  const list = h("div", { class: "mods" });
  const area = h("div", { class: "status-area" });
  const messages: ProjectMessage[] = [];
  const details = new Map<string, ModificationDetail>();
  const asked = new Set<string>();
  const path = `/api/projects/${encodeURIComponent(projectId)}`;

  const detail = (id: string) => {
    asked.add(id);
    app.api
      .get<ModificationDetail>(`${path}/modifications/${encodeURIComponent(id)}`)
      .then((d) => {
        details.set(id, d);
        render();
      })
      .catch(() => asked.delete(id));
  };
  const render = () => {
    const mods = timeline(messages);
    for (const m of mods) if (!asked.has(m.id)) detail(m.id);
    list.replaceChildren(
      ...(mods.length === 0
        ? [h("p", {}, "No modifications yet. Request one above and watch each agent's step here.")]
        : mods.map((m) => modificationCard(m, details.get(m.id)))),
    );
  };
  const feed = new LiveFeed(
    projectId,
    {
      wsUrl: app.config.wsUrl,
      clientId: app.clientId,
      ticket: (id, clientId) =>
        app.api.post<Ticket>(`/api/projects/${encodeURIComponent(id)}/ws-ticket`, { client_id: clientId }),
      events: (id, after) =>
        app.api.get<EventsPage>(
          `/api/projects/${encodeURIComponent(id)}/events?limit=500${after ? `&after=${after}` : ""}`,
        ),
      openSocket: (url) => new WebSocket(url) as unknown as SocketLike,
    },
    (fresh) => {
      messages.push(...fresh);
      for (const m of fresh) {
        if (m.type === "agent_status" && (m.status === "succeeded" || m.status === "failed"))
          app.announce(`${AGENT_LABELS[m.agent]} ${m.status}`);
        if (m.type === "modification_complete" || m.type === "modification_failed") {
          app.announce(
            m.type === "modification_complete" ? "Modification complete" : `Modification failed: ${m.reason}`,
          );
          detail(m.modification_id); // its links, now that every artifact is written
          filesChanged();
        }
      }
      render();
    },
    (state) => {
      live.textContent = liveText(state);
      live.dataset.mode = state.mode;
    },
  );
  feed.start().catch((error: unknown) => {
    if (error instanceof ConsoleError && error.kind === "key") return app.signOut(error.message);
    live.textContent = "Live updates: stopped (the project's messages could not be loaded).";
    area.replaceChildren(errorBox(error));
  });
  render();
  // Pre-signed links expire: fetch the finished modifications' links again before they do.
  const timer = setInterval(() => {
    for (const m of timeline(messages)) if (m.outcome) detail(m.id);
  }, LINK_REFRESH_MS);
  return {
    element: card("mods-title", "Modifications", live, area, list),
    stop: () => {
      clearInterval(timer);
      feed.stop();
    },
  };
}

export function liveText(state: LiveState): string {
  switch (state.mode) {
    case "connecting":
      return "Live updates: connecting to the WebSocket…";
    case "live":
      return "Live updates: connected (WebSocket).";
    case "reconnecting":
      return `Live updates: reconnecting in ${Math.ceil(state.retryInMs / 1000)} s (attempt ${state.attempt}): ${state.reason}.`;
    case "polling":
      return `Live updates: polling every few seconds instead of the WebSocket (${state.reason}).`;
    case "stopped":
      return "Live updates: stopped.";
  }
}

function modificationCard(m: ModificationView, d: ModificationDetail | undefined): HTMLElement {
  const headingId = uid("mod");
  const outcome = m.outcome;
  // Round 0's four steps are shown from the start, so the person sees what is still to come.
  const shown: (
    StepView | { agent: (typeof AGENT_NAMES)[number]; round: number; status: "waiting" | "not run" }
  )[] = [...m.steps];
  for (const agent of AGENT_NAMES)
    if (!m.steps.some((s) => s.round === 0 && s.agent === agent))
      shown.push({ agent, round: 0, status: outcome ? "not run" : "waiting" });
  shown.sort((a, b) => a.round - b.round || AGENT_NAMES.indexOf(a.agent) - AGENT_NAMES.indexOf(b.agent));
  const rounds = new Set(shown.map((s) => s.round)).size;
  const duration = outcome ? Date.parse(outcome.at) - Date.parse(m.firstAt) : undefined;
  const summary = outcome
    ? outcome.type === "modification_complete"
      ? `Complete in ${formatDuration(duration!)} · ${m.tokens.toLocaleString()} tokens`
      : `Failed${outcome.agent ? ` at ${AGENT_LABELS[outcome.agent]}` : ""}: ${outcome.reason ?? "no reason given"}`
    : "In progress";
  return h(
    "article",
    {
      class: "mod",
      "aria-labelledby": headingId,
      "data-modification": m.id,
      "data-outcome": outcome?.type ?? "running",
    },
    h("h3", { id: headingId }, d?.request ?? `Modification ${m.id}`),
    h(
      "p",
      { class: `outcome ${outcome ? (outcome.type === "modification_complete" ? "ok" : "bad") : "busy"}` },
      summary,
    ),
    h(
      "table",
      { class: "stack steps" },
      h("caption", { class: "visually-hidden" }, `Agent steps of modification ${m.id}`),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ["Agent", ...(rounds > 1 ? ["Round"] : []), "Status", "Time", "Tokens", "Notes"].map((c) =>
            h("th", { scope: "col" }, c),
          ),
        ),
      ),
      h(
        "tbody",
        {},
        shown.map((s) =>
          h(
            "tr",
            { "data-agent": s.agent, "data-status": s.status },
            h("th", { scope: "row", "data-label": "Agent" }, AGENT_LABELS[s.agent]),
            rounds > 1 ? h("td", { "data-label": "Round" }, String(s.round + 1)) : null,
            h(
              "td",
              { "data-label": "Status" },
              h("span", { class: `badge ${s.status.replace(" ", "-")}` }, statusText(s)),
            ),
            h(
              "td",
              { "data-label": "Time" },
              "durationMs" in s && s.durationMs !== undefined ? formatDuration(s.durationMs) : "",
            ),
            h(
              "td",
              { "data-label": "Tokens" },
              "tokens" in s && s.tokens
                ? `${s.tokens.total.toLocaleString()} (${s.tokens.input} in, ${s.tokens.output} out)`
                : "",
            ),
            h("td", { "data-label": "Notes" }, "artifacts" in s ? notes(s) : ""),
          ),
        ),
      ),
    ),
    artifactLinks(m, d),
  );
}

function statusText(s: { status: string; progress?: { step: number; of: number } }): string {
  return s.status === "running" && s.progress
    ? `running (step ${s.progress.step} of ${s.progress.of})`
    : s.status;
}

function notes(s: StepView): string {
  return [s.error, s.verdict ? `verdict: ${s.verdict.replace("_", " ")}` : undefined, s.summary]
    .filter((x) => x)
    .join(" · ");
}

/** The PM's plan, QA's reports and Ops' manifest, through the pre-signed links of GET /modifications/{id}. */
function artifactLinks(m: ModificationView, d: ModificationDetail | undefined): HTMLElement | null {
  if (!d?.links) return null;
  const kinds: [string, (key: string) => boolean][] = [
    ["Plan (PM)", (k) => k.startsWith("plans/")],
    ["QA report", (k) => k.startsWith("reports/")],
    ["Deployment manifest (Ops)", (k) => k.startsWith("deployments/")],
  ];
  const links = kinds.flatMap(([label, test]) => {
    const keys = Object.keys(d.links!).filter(test).sort();
    return keys.map((key, i) =>
      h(
        "li",
        {},
        h(
          "a",
          { href: d.links![key], target: "_blank", rel: "noopener noreferrer", "data-artifact": key },
          keys.length > 1 ? `${label}, round ${i + 1}` : label,
          h("span", { class: "visually-hidden" }, " (opens in a new tab)"),
        ),
      ),
    );
  });
  if (links.length === 0) return null;
  return h("ul", { class: "artifacts", "aria-label": `Documents of modification ${m.id}` }, links);
}

function filesSection(app: App, projectId: string) {
  const tree = h("div", { class: "tree" }, h("p", { class: "small" }, "Loading files…"));
  const area = h("div", { class: "status-area" });
  const refresh = h("button", { type: "button" }, "Refresh files");
  const load = () =>
    void busy(app, refresh, area, "Loading files…", () =>
      app.api.get<{ files: ProjectFile[]; truncated: boolean }>(
        `/api/projects/${encodeURIComponent(projectId)}/files`,
      ),
    ).then((listing) => {
      if (!listing) return;
      fill(
        tree,
        listing.files.length === 0 ? h("p", {}, "No files yet.") : folder(fileTree(listing.files), true),
        listing.truncated ? h("p", { class: "small" }, "Only the first 1,000 files are listed.") : null,
      );
    });
  refresh.addEventListener("click", load);
  load();
  const timer = setInterval(load, LINK_REFRESH_MS);
  return {
    element: card(
      "files-title",
      "Files",
      h(
        "p",
        { class: "small" },
        "Each link opens the file through a pre-signed URL valid for 5 minutes (refreshed here before then).",
      ),
      refresh,
      area,
      tree,
    ),
    refresh: load,
    stop: () => clearInterval(timer),
  };
}

function folder(node: FolderNode, root = false): HTMLElement {
  const list = h(
    "ul",
    root ? { class: "files", "aria-label": "Project files" } : {},
    node.folders.map((f) =>
      h("li", {}, h("details", { open: true }, h("summary", {}, `${f.name}/`), folder(f))),
    ),
    node.files.map((f) =>
      h(
        "li",
        {},
        h(
          "a",
          { href: f.url, target: "_blank", rel: "noopener noreferrer", "data-path": f.path },
          f.name,
          h("span", { class: "visually-hidden" }, " (opens in a new tab)"),
        ),
        " ",
        h("span", { class: "small" }, formatSize(f.size)),
      ),
    ),
  );
  return list;
}

function deleteSection(app: App, project: Project): HTMLElement {
  const area = h("div", { class: "status-area" });
  const ask = h("button", { type: "button", class: "danger" }, "Delete project…");
  const confirm = h("button", { type: "button", class: "danger" }, `Yes, delete ${project.name}`);
  const cancel = h("button", { type: "button" }, "Cancel");
  const confirmRow = h(
    "div",
    { class: "confirm", hidden: true, role: "group", "aria-label": "Confirm deletion" },
    h(
      "p",
      {},
      `Delete ${project.name}? Its record, modifications and messages are removed (its files stay in the artifacts bucket). This cannot be undone.`,
    ),
    confirm,
    " ",
    cancel,
  );
  ask.addEventListener("click", () => {
    confirmRow.hidden = false;
    ask.hidden = true;
    cancel.focus();
  });
  const close = () => {
    confirmRow.hidden = true;
    ask.hidden = false;
    ask.focus();
  };
  cancel.addEventListener("click", close);
  confirmRow.addEventListener("keydown", (e) => {
    if (e.key === "Escape") close();
  });
  confirm.addEventListener("click", () => {
    void busy(app, confirm, area, "Deleting…", () =>
      app.api.delete(`/api/projects/${encodeURIComponent(project.id)}`),
    ).then((done) => {
      if (!done) return;
      app.announce(`Project ${project.name} deleted`);
      location.hash = "#/projects";
    });
  });
  return card("delete-title", "Delete the project", ask, confirmRow, area);
}
