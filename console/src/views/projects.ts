/** The projects: listed by status or owner (as the API lists them), and created from a template. */
import { PROJECT_STATUSES } from "../../../contracts/api-schemas";
import { busy, card, errorBox, field, formatTime, type App, type Project } from "../app";
import { fill, h, uid } from "../dom";

interface Template {
  readonly id: string;
  readonly name: string;
  readonly description?: string;
  readonly required_vars?: string[];
  readonly optional_vars?: string[];
}

interface Page<T> {
  readonly items: T[];
  readonly next_token: string | null;
}

export function projectsView(app: App, main: HTMLElement): void {
  const title = h("h1", { tabindex: "-1" }, "Projects");
  main.replaceChildren(title, listSection(app), createSection(app));
  title.focus();
}

function listSection(app: App): HTMLElement {
  const by = h(
    "select",
    { id: uid("list-by"), name: "by" },
    h("option", { value: "status" }, "Status"),
    h("option", { value: "owner" }, "Owner"),
  );
  const status = h(
    "select",
    { id: uid("status"), name: "status" },
    PROJECT_STATUSES.map((s) => h("option", { value: s }, s)),
  );
  const owner = h("input", { id: uid("owner"), name: "owner", maxlength: 128, autocomplete: "off" });
  const statusField = field("Status", status);
  const ownerField = field(
    "Owner id",
    owner,
    "The owner a project was created for (the API key's id by default).",
  );
  ownerField.hidden = true;
  by.addEventListener("change", () => {
    statusField.hidden = by.value !== "status";
    ownerField.hidden = by.value !== "owner";
  });
  const show = h("button", { type: "submit" }, "Show projects");
  const area = h("div", { class: "status-area" });
  const results = h("div", { "aria-live": "polite" });
  const more = h("button", { type: "button", hidden: true }, "More projects");
  let nextToken: string | null = null;

  const load = async (append: boolean) => {
    const query = new URLSearchParams(
      by.value === "owner" ? { owner_id: owner.value.trim() } : { status: status.value },
    );
    if (append && nextToken) query.set("next_token", nextToken);
    const page = await busy(app, append ? more : show, area, "Loading projects…", () =>
      app.api.get<Page<Project>>(`/api/projects?${query}`),
    );
    if (!page) return;
    nextToken = page.next_token;
    more.hidden = !nextToken;
    const rows = page.items.map((p) =>
      h(
        "tr",
        {},
        h("td", { "data-label": "Name" }, h("a", { href: `#/projects/${encodeURIComponent(p.id)}` }, p.name)),
        h("td", { "data-label": "Status" }, p.status),
        h("td", { "data-label": "Template" }, p.template_id ?? p.type),
        h("td", { "data-label": "Created" }, formatTime(p.created_at)),
      ),
    );
    const tbody = results.querySelector("tbody");
    if (append && tbody) tbody.append(...rows);
    else if (rows.length === 0)
      results.replaceChildren(
        h(
          "p",
          {},
          by.value === "owner"
            ? `No projects of owner ${owner.value.trim()}.`
            : `No ${status.value} projects yet. Create one below.`,
        ),
      );
    else
      results.replaceChildren(
        h(
          "table",
          { class: "stack" },
          h("caption", { class: "visually-hidden" }, "Projects"),
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              ["Name", "Status", "Template", "Created"].map((c) => h("th", { scope: "col" }, c)),
            ),
          ),
          h("tbody", {}, rows),
        ),
      );
  };
  const form = h(
    "form",
    { class: "filters" },
    h("div", { class: "row" }, field("List by", by), statusField, ownerField, show),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void load(false);
  });
  more.addEventListener("click", () => void load(true));
  void load(false);
  return card("list-title", "Your projects", form, area, results, more);
}

function createSection(app: App): HTMLElement {
  const template = h("select", { id: uid("template"), name: "template", required: true });
  const description = h("p", { class: "small", id: `${template.id}-hint` });
  template.setAttribute("aria-describedby", description.id);
  const name = h("input", { id: uid("project-name"), name: "project_name", required: true, maxlength: 200 });
  const variables = h("fieldset", { class: "vars" });
  const create = h("button", { type: "submit", class: "primary" }, "Create project");
  const area = h("div", { class: "status-area" });
  let templates: Template[] = [];

  const showTemplate = () => {
    const t = templates.find((x) => x.id === template.value);
    description.textContent = t?.description ?? "";
    const required = (t?.required_vars ?? []).filter((v) => v !== "project_name");
    const optional = (t?.optional_vars ?? []).filter((v) => v !== "project_name");
    fill(
      variables,
      h("legend", {}, "Template variables"),
      required.length + optional.length === 0
        ? h("p", { class: "small" }, "This template has no variables.")
        : null,
      ...[...required.map((v) => [v, true] as const), ...optional.map((v) => [v, false] as const)].map(
        ([v, req]) =>
          field(
            [h("code", {}, v), req ? " (required)" : " (optional)"],
            h("input", { id: uid(`var-${v}`), name: v, required: req, maxlength: 1000, autocomplete: "off" }),
          ),
      ),
    );
  };
  template.addEventListener("change", showTemplate);

  const form = h(
    "form",
    {},
    field("Template", template),
    description,
    field("Project name", name),
    variables,
    create,
    area,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const values: Record<string, string> = {};
    for (const input of variables.querySelectorAll("input"))
      if (input.value.trim() !== "") values[input.name] = input.value.trim();
    void busy(app, create, area, "Creating the project…", () =>
      app.api.post<{ project: Project }>("/api/projects/from-template", {
        template_id: template.value,
        project_name: name.value.trim(),
        variables: values,
      }),
    ).then((created) => {
      if (!created) return;
      app.announce(`Project ${created.project.name} created`);
      location.hash = `#/projects/${encodeURIComponent(created.project.id)}`;
    });
  });

  const section = card(
    "create-title",
    "New project from a template",
    h("p", { class: "small" }, "Loading templates…"),
  );
  app.api
    .get<Page<Template>>("/api/templates?limit=100")
    .then((page) => {
      templates = page.items;
      template.replaceChildren(...templates.map((t) => h("option", { value: t.id }, `${t.name} (${t.id})`)));
      showTemplate();
      section.replaceChildren(section.firstElementChild!, form);
    })
    .catch((error: unknown) => section.replaceChildren(section.firstElementChild!, errorBox(error)));
  return section;
}
