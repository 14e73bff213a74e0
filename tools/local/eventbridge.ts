/**
 * A local EventBridge bus: a loopback endpoint speaking PutEvents (what @aws-sdk/client-eventbridge sends),
 * the routing table's rules (contracts/routing.ts) evaluated in-process with the same patterns and input
 * transformers the AgentWorkflow component deploys, an archive of every event, and delivery to the targets:
 * an agent's queue, or the workflow function invoked asynchronously (two retries, then the dead-letter queue,
 * as Lambda does). A hook delivers each event twice, as EventBridge may (at-least-once delivery).
 */
import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import { eventPattern, inputTransformer, RoutingRule } from "../../contracts/routing";
import { matchesPattern, transformInput } from "./event-pattern";
import type { FunctionHost } from "./function-host";
import { awsJsonServer, closeServer, listenOnLoopback } from "./loopback";
import { LOCAL_ACCOUNT_ID, LOCAL_REGION, LocalQueue } from "./sqs";

export interface BusEvent {
  readonly version: "0";
  readonly id: string;
  readonly "detail-type": string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: string[];
  readonly detail: unknown;
}

export type Target = { readonly queue: LocalQueue } | { readonly fn: FunctionHost };

export interface LocalRule {
  readonly rule: RoutingRule;
  readonly pattern: Record<string, unknown>;
  readonly transformer: ReturnType<typeof inputTransformer>;
  readonly target: Target;
}

export interface Delivery {
  readonly rule: string;
  readonly eventId: string;
  readonly input: string;
}

/** Lambda's asynchronous invocation: the first attempt and two retries (with short waits locally). */
const ASYNC_RETRY_DELAYS_MS = [100, 200];

export class LocalEventBridge {
  private server: Server | undefined;
  endpoint = "";
  private readonly rules: LocalRule[] = [];
  /** Every event put on the bus (the archive). */
  readonly archive: BusEvent[] = [];
  /** Every delivery to a target, in order. */
  readonly deliveries: Delivery[] = [];
  /** How many times each event is delivered (2 simulates EventBridge's occasional duplicate). */
  deliveriesPerEvent = 1;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    readonly busName: string,
    private readonly deadLetterQueue: LocalQueue,
    private readonly onError: (message: string, error: unknown) => void = () => undefined,
  ) {}

  addRule(rule: RoutingRule, target: Target): void {
    this.rules.push({ rule, pattern: eventPattern(rule), transformer: inputTransformer(rule), target });
  }

  async start(): Promise<this> {
    this.server = awsJsonServer("application/x-amz-json-1.1", (operation, input) => {
      if (operation !== "PutEvents")
        return [
          400,
          { __type: "UnknownOperationException", message: `${operation} is not supported locally` },
        ];
      const entries = ((input.Entries ?? []) as Parameters<LocalEventBridge["put"]>[0][]).map((e) =>
        this.put(e),
      );
      return [200, { FailedEntryCount: entries.filter((e) => "ErrorCode" in e).length, Entries: entries }];
    });
    this.endpoint = `http://127.0.0.1:${await listenOnLoopback(this.server)}`;
    return this;
  }

  private put(entry: {
    Source?: string;
    DetailType?: string;
    Detail?: string;
    EventBusName?: string;
    Resources?: string[];
  }): { EventId: string } | { ErrorCode: string; ErrorMessage: string } {
    if (entry.EventBusName !== this.busName)
      return {
        ErrorCode: "ResourceNotFoundException",
        ErrorMessage: `Event bus ${entry.EventBusName} does not exist.`,
      };
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail ?? "");
    } catch {
      return { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." };
    }
    const event: BusEvent = {
      version: "0",
      id: randomUUID(),
      "detail-type": entry.DetailType ?? "",
      source: entry.Source ?? "",
      account: LOCAL_ACCOUNT_ID,
      time: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
      region: LOCAL_REGION,
      resources: entry.Resources ?? [],
      detail,
    };
    this.archive.push(event);
    for (const r of this.rules) {
      if (!matchesPattern(r.pattern, event)) continue;
      const input = transformInput(r.transformer, event);
      for (let n = 0; n < this.deliveriesPerEvent; n++) this.track(this.deliver(r, event, input));
    }
    return { EventId: event.id };
  }

  private track(delivery: Promise<void>) {
    this.inFlight.add(delivery);
    void delivery.finally(() => this.inFlight.delete(delivery));
  }

  private async deliver(r: LocalRule, event: BusEvent, input: string): Promise<void> {
    this.deliveries.push({ rule: r.rule.name, eventId: event.id, input });
    if ("queue" in r.target) {
      r.target.queue.send(input);
      return;
    }
    let last: unknown;
    for (let attempt = 0; attempt <= ASYNC_RETRY_DELAYS_MS.length; attempt++) {
      if (attempt > 0)
        await new Promise((resolve) => setTimeout(resolve, ASYNC_RETRY_DELAYS_MS[attempt - 1]));
      try {
        await r.target.fn.invoke(JSON.parse(input));
        return;
      } catch (error) {
        last = error;
      }
    }
    this.onError(
      `rule ${r.rule.name}: ${r.target.fn.spec.name} failed 3 times; event sent to the dead-letter queue`,
      last,
    );
    this.deadLetterQueue.send(JSON.stringify(event));
  }

  /** Waits for the deliveries in flight (the runner's stop). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await closeServer(server);
  }
}
