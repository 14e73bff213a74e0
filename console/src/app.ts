/** What every view is given: the config, the API client, and the shell's few services. */
import type { ConsoleConfig } from "../../contracts/console";
import { Api, ConsoleError } from "./api";
import { h, type Child } from "./dom";

/** A project as the API returns it (the fields the console shows). */
export interface Project {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly status: string;
  readonly owner_id: string;
  readonly template_id?: string;
  readonly description?: string;
  readonly created_at: string;
}

export interface App {
  readonly config: ConsoleConfig;
  readonly api: Api;
  /** The id acknowledgements are kept under: one per browser tab, kept across reconnects and reloads. */
  readonly clientId: string;
  /** Says `text` to screen readers (a polite live region). */
  announce(text: string): void;
  /** Forgets the key and shows the key form, with `message` on it. */
  signOut(message?: string): void;
}

/** A view renders into `main` and returns what stops it (timers, sockets) when the person leaves it. */
export type View = (app: App, main: HTMLElement, params: Record<string, string>) => (() => void) | void;

/** An error as a message box: the message, then the request id for a failed API call (support can find it). */
export function errorBox(error: unknown): HTMLElement {
  const e = error instanceof ConsoleError ? error : undefined;
  const message = e
    ? e.message
    : `Something went wrong in the console: ${(error as Error)?.message ?? error}`;
  return h(
    "div",
    { class: "notice error", role: "alert" },
    h("p", {}, message),
    e?.requestId ? h("p", { class: "small" }, `Request id: ${e.requestId}`) : null,
  );
}

/** Runs `task` with `button` disabled and `status` showing progress, then the error if it failed. */
export async function busy<T>(
  app: App,
  button: HTMLButtonElement,
  status: HTMLElement,
  doing: string,
  task: () => Promise<T>,
): Promise<T | undefined> {
  button.disabled = true;
  status.replaceChildren(h("p", { class: "small" }, doing));
  try {
    const result = await task();
    status.replaceChildren();
    return result;
  } catch (error) {
    if (error instanceof ConsoleError && error.kind === "key") {
      app.signOut(error.message);
      return undefined;
    }
    status.replaceChildren(errorBox(error));
    return undefined;
  } finally {
    button.disabled = false;
  }
}

/** A card: a section named by its heading (`id` wires the two), then its content. */
export function card(id: string, title: string, ...children: Child[]): HTMLElement {
  return h("section", { class: "card", "aria-labelledby": id }, h("h2", { id }, title), ...children);
}

/** `<label for>` + control, wired by id. */
export function field(label: Child, control: HTMLElement, hint?: string): HTMLElement {
  const id = control.id;
  const hintId = hint ? `${id}-hint` : undefined;
  if (hintId) control.setAttribute("aria-describedby", hintId);
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    control,
    hint ? h("p", { class: "small", id: hintId }, hint) : null,
  );
}

export function formatTime(iso: string | undefined | null): string {
  if (!iso) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}
