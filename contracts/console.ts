/**
 * What the web console (console/) reads at start-up from `config.json`, the one file next to its index.html
 * that differs between stacks: the Frontend component writes it from the stack's outputs, and the local runner
 * serves it with its own endpoints. So one build of the console serves every stack.
 */

/** The file's name, at the site's root. */
export const CONSOLE_CONFIG_FILE = "config.json";

export interface ConsoleConfig {
  /**
   * The REST API's base URL, no trailing slash: the site's own URL, whose /api/* reaches the API (the
   * distribution deployed, the local site server locally).
   */
  readonly apiUrl: string;
  /** The WebSocket API's URL; absent where the stack has none (the console then polls for updates). */
  readonly wsUrl?: string;
}
