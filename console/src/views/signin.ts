/**
 * The key form. The key is checked with one keyed call before it is kept, and then kept in sessionStorage
 * only: it lasts as long as the tab, and is never part of the bundle or the config.
 */
import { Api } from "../api";
import { busy, field, type App } from "../app";
import { h } from "../dom";

export function signInView(
  app: Omit<App, "api">,
  main: HTMLElement,
  message: string | undefined,
  accept: (key: string) => void,
): void {
  const input = h("input", {
    id: "api-key",
    name: "api-key",
    type: "password",
    required: true,
    autocomplete: "off",
    spellcheck: "false",
  });
  const status = h("div", { class: "status-area" });
  const button = h("button", { type: "submit", class: "primary" }, "Sign in");
  const form = h(
    "form",
    { class: "card narrow", "aria-labelledby": "signin-title" },
    h("h1", { id: "signin-title", tabindex: "-1" }, "Sign in with an API key"),
    h("p", {}, "The console calls the agent platform's API at ", h("code", {}, app.config.apiUrl), "."),
    field(
      "API key",
      input,
      "Kept in this tab only (sessionStorage) until you sign out or close the tab. Deployed: " +
        "aws apigateway get-api-key --api-key <apiKeyId> --include-value; locally: the apiKey npm run -s local printed.",
    ),
    button,
    status,
  );
  if (message)
    status.replaceChildren(h("div", { class: "notice error", role: "alert" }, h("p", {}, message)));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const key = input.value.trim();
    if (key === "") return;
    const api = new Api(app.config.apiUrl, key);
    void busy(
      { ...app, api, signOut: (m) => showRefused(status, m) },
      button,
      status,
      "Checking the key…",
      () => api.get("/api/templates?limit=1"),
    ).then((ok) => {
      if (ok !== undefined) accept(key);
      else input.focus();
    });
  });
  main.replaceChildren(form);
  (message ? input : form.querySelector("h1"))?.focus();
}

function showRefused(status: HTMLElement, message: string | undefined): void {
  status.replaceChildren(
    h("div", { class: "notice error", role: "alert" }, h("p", {}, message ?? "Refused.")),
  );
}
