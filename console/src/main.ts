/**
 * The web console's entry: reads config.json (where the APIs are), then shows the key form or, with a key in
 * this tab's sessionStorage, the route in the URL's hash: `#/projects` or `#/projects/<id>`.
 */
import { CONSOLE_CONFIG_FILE, type ConsoleConfig } from "../../contracts/console";
import { Api } from "./api";
import type { App, View } from "./app";
import { h } from "./dom";
import { projectView } from "./views/project";
import { projectsView } from "./views/projects";
import { signInView } from "./views/signin";

const KEY_ITEM = "agent-platform.console.apiKey";
const CLIENT_ITEM = "agent-platform.console.clientId";

/** Each route: the hash it answers and the view, given the hash's captured groups. */
const ROUTES: [RegExp, (app: App, main: HTMLElement, match: RegExpExecArray) => ReturnType<View>][] = [
  [/^#\/projects\/([A-Za-z0-9_-]{1,100})$/, (app, main, m) => projectView(app, main, { id: m[1] })],
  [/^(#\/?(projects)?)?$/, (app, main) => projectsView(app, main)],
];

async function loadConfig(): Promise<ConsoleConfig> {
  const response = await fetch(`/${CONSOLE_CONFIG_FILE}`, { cache: "no-store" });
  if (!response.ok) throw new Error(`/${CONSOLE_CONFIG_FILE} answered HTTP ${response.status}`);
  const config = (await response.json()) as Partial<ConsoleConfig>;
  if (typeof config.apiUrl !== "string" || !/^https?:\/\//.test(config.apiUrl))
    throw new Error(`/${CONSOLE_CONFIG_FILE} has no apiUrl (http or https URL)`);
  return {
    apiUrl: config.apiUrl.replace(/\/+$/, ""),
    ...(typeof config.wsUrl === "string" && config.wsUrl !== "" ? { wsUrl: config.wsUrl } : {}),
  };
}

function clientId(): string {
  let id = sessionStorage.getItem(CLIENT_ITEM);
  if (!id) {
    const bytes = crypto.getRandomValues(new Uint8Array(12));
    id = `console_${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
    sessionStorage.setItem(CLIENT_ITEM, id);
  }
  return id;
}

async function boot(): Promise<void> {
  const main = document.getElementById("main")!;
  const where = document.getElementById("where")!;
  const signOutButton = document.getElementById("signout") as HTMLButtonElement;
  const announcer = document.getElementById("announce")!;
  let config: ConsoleConfig;
  try {
    config = await loadConfig();
  } catch (error) {
    main.replaceChildren(
      h(
        "div",
        { class: "notice error", role: "alert" },
        h("h1", {}, "The console could not start"),
        h("p", {}, `Its settings could not be read: ${(error as Error).message}.`),
        h(
          "p",
          {},
          "The site must serve config.json next to index.html (the Frontend component writes it on deploy; " +
            "npm run -s local serves it).",
        ),
      ),
    );
    return;
  }
  where.textContent = new URL(config.apiUrl).host;
  const announce = (text: string) => {
    announcer.textContent = "";
    // A new text node after a tick, so the same text twice is announced twice.
    setTimeout(() => (announcer.textContent = text), 50);
  };
  let stopView: (() => void) | void;
  let signInMessage: string | undefined;

  const signOut = (message?: string) => {
    sessionStorage.removeItem(KEY_ITEM);
    signInMessage = message;
    render();
  };
  signOutButton.addEventListener("click", () => signOut());

  function render(): void {
    stopView?.();
    stopView = undefined;
    document.title = "Agent platform console";
    const key = sessionStorage.getItem(KEY_ITEM);
    signOutButton.hidden = !key;
    const base = { config, clientId: clientId(), announce, signOut };
    if (!key) {
      const message = signInMessage;
      signInMessage = undefined;
      signInView(base, main, message, (accepted) => {
        sessionStorage.setItem(KEY_ITEM, accepted);
        if (location.hash.startsWith("#/projects")) render();
        else location.hash = "#/projects";
      });
      return;
    }
    const app: App = { ...base, api: new Api(config.apiUrl, key) };
    for (const [pattern, view] of ROUTES) {
      const match = pattern.exec(location.hash);
      if (match) {
        stopView = view(app, main, match);
        return;
      }
    }
    location.hash = "#/projects";
  }
  window.addEventListener("hashchange", render);
  render();
}

void boot();
