/**
 * The uptime probe's work: one HTTPS GET per public endpoint (the API's /health, the web service's health path),
 * judged as Route 53 judges a health check: a status from 200 to 399 within the timeout is up. A failed attempt is
 * tried once more after a short pause, so a single lost packet is not counted as a minute of downtime.
 */

export interface ProbeTarget {
  /** Short name used in logs and errors ("api", "web"). */
  readonly name: string;
  readonly url: string;
}

export interface ProbeResult {
  readonly name: string;
  readonly url: string;
  readonly up: boolean;
  /** HTTP status of the last attempt, when one answered. */
  readonly status?: number;
  /** Why the last attempt failed: a status outside 200-399, a timeout or a network error. */
  readonly problem?: string;
  readonly attempts: number;
  /** Duration of the last attempt. */
  readonly ms: number;
}

export interface ProbeOptions {
  readonly timeoutMs: number;
  readonly attempts: number;
  readonly retryDelayMs: number;
  /** Sent on every request, so the endpoints' logs and WAF rules can tell the probe apart. */
  readonly userAgent: string;
}

export const PROBE_DEFAULTS: ProbeOptions = {
  timeoutMs: 10_000,
  attempts: 2,
  retryDelayMs: 2_000,
  userAgent: "agent-platform-uptime-probe",
};

async function attempt(target: ProbeTarget, options: ProbeOptions): Promise<Omit<ProbeResult, "attempts">> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  try {
    const response = await fetch(target.url, {
      method: "GET",
      redirect: "manual",
      headers: { "user-agent": options.userAgent, accept: "application/json, text/html;q=0.9, */*;q=0.1" },
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    // The body is not judged, only drained so the connection is released.
    await response.arrayBuffer().catch(() => undefined);
    const up = response.status >= 200 && response.status < 400;
    return {
      name: target.name,
      url: target.url,
      up,
      status: response.status,
      ...(up ? {} : { problem: `answered HTTP ${response.status}` }),
      ms: ms(),
    };
  } catch (error) {
    const e = error as Error & { cause?: { code?: string } };
    const problem =
      e.name === "TimeoutError" || e.name === "AbortError"
        ? `no answer within ${options.timeoutMs} ms`
        : `failed to connect: ${e.cause?.code ?? e.message}`;
    return { name: target.name, url: target.url, up: false, problem, ms: ms() };
  }
}

export async function probe(
  target: ProbeTarget,
  options: ProbeOptions = PROBE_DEFAULTS,
): Promise<ProbeResult> {
  let last: Omit<ProbeResult, "attempts"> | undefined;
  for (let n = 1; n <= options.attempts; n++) {
    if (n > 1) await new Promise((resolve) => setTimeout(resolve, options.retryDelayMs));
    last = await attempt(target, options);
    if (last.up) return { ...last, attempts: n };
  }
  return { ...last!, attempts: options.attempts };
}

/** Every target at once: one slow endpoint does not delay the other's measurement. */
export function probeAll(targets: readonly ProbeTarget[], options: ProbeOptions = PROBE_DEFAULTS) {
  return Promise.all(targets.map((t) => probe(t, options)));
}

/** The error a failed round throws (so Lambda counts an error, which the SLO alarm counts): every failed target. */
export function failureMessage(results: readonly ProbeResult[]): string | undefined {
  const down = results.filter((r) => !r.up);
  if (down.length === 0) return undefined;
  return `uptime probe: ${down.map((r) => `${r.name} ${r.url} ${r.problem} (${r.attempts} attempts)`).join("; ")}`;
}

/** PROBE_TARGETS: a JSON list of {name, url} with https URLs (the stack writes it). */
export function readTargets(value: string | undefined): ProbeTarget[] {
  const fail = (why: string): never => {
    throw new Error(`PROBE_TARGETS ${why}: expected JSON [{"name": "api", "url": "https://..."}, ...]`);
  };
  if (value === undefined || value.trim() === "") return fail("is not set");
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return fail(`is not JSON (${JSON.stringify(value.slice(0, 80))})`);
  }
  if (!Array.isArray(parsed) || parsed.length === 0) return fail("is not a non-empty list");
  return parsed.map((t: unknown, i) => {
    const { name, url } = (t ?? {}) as { name?: unknown; url?: unknown };
    if (typeof name !== "string" || name === "") return fail(`[${i}] has no name`);
    if (typeof url !== "string" || !/^https?:\/\/[^/]+/.test(url))
      return fail(`[${i}] url is not an http(s) URL`);
    return { name, url };
  });
}
