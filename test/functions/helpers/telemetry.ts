import type { MetricName } from "../../../contracts/metrics";
import type { Attributes } from "../../../functions/shared/outcome";
import type { Telemetry } from "../../../functions/shared/telemetry";

export interface LogEntry {
  level: "debug" | "info" | "warn" | "error";
  message: string;
  attributes: Attributes;
}

/** A Telemetry that keeps what it is given, for assertions. */
export class RecordingTelemetry implements Telemetry {
  readonly logs: LogEntry[] = [];
  readonly metrics = new Map<MetricName, number>();
  invocations = 0;
  published = 0;

  readonly log = {
    debug: (message: string, attributes: Attributes = {}) =>
      this.logs.push({ level: "debug", message, attributes }),
    info: (message: string, attributes: Attributes = {}) =>
      this.logs.push({ level: "info", message, attributes }),
    warn: (message: string, attributes: Attributes = {}) =>
      this.logs.push({ level: "warn", message, attributes }),
    error: (message: string, attributes: Attributes = {}) =>
      this.logs.push({ level: "error", message, attributes }),
  };

  count(name: MetricName, value = 1): void {
    this.metrics.set(name, (this.metrics.get(name) ?? 0) + value);
  }

  milliseconds(name: MetricName, value: number): void {
    this.metrics.set(name, (this.metrics.get(name) ?? 0) + value);
  }

  bytes(name: MetricName, value: number): void {
    this.metrics.set(name, (this.metrics.get(name) ?? 0) + value);
  }

  begin(): () => void {
    this.invocations++;
    return () => {
      this.published++;
    };
  }

  traceClient<T>(client: T): T {
    return client;
  }

  metric(name: MetricName): number {
    return this.metrics.get(name) ?? 0;
  }

  /** The attributes of log lines that carry an `outcome`, in order. */
  outcomes(): Attributes[] {
    return this.logs.filter((l) => "outcome" in l.attributes).map((l) => l.attributes);
  }
}
