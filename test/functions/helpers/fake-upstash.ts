/**
 * Upstash Vector's REST API on loopback, per its documentation: POST /upsert/{ns} (one vector or an array of up
 * to 1,000), /range/{ns} ({cursor, limit, prefix, includeData?, includeMetadata?} → {nextCursor, vectors}),
 * /delete/{ns} ({ids} → {deleted}), answers wrapped as {"result": ...} or {"error": ...}, bearer-token
 * authentication, and a request size limit.
 */
import { LoopbackServer, RecordedRequest, Reply } from "./loopback";

export interface StoredVector {
  id: string;
  vector: number[];
  data?: string;
  metadata?: Record<string, unknown>;
}

export class FakeUpstash extends LoopbackServer {
  readonly namespaces = new Map<string, Map<string, StoredVector>>();

  constructor(
    readonly token: string,
    readonly dimensions: number,
    readonly maxRequestBytes = 10 * 1024 * 1024,
  ) {
    super();
  }

  vectors(namespace: string): Map<string, StoredVector> {
    let ns = this.namespaces.get(namespace);
    if (!ns) {
      ns = new Map();
      this.namespaces.set(namespace, ns);
    }
    return ns;
  }

  commands(command: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path.split("/")[1] === command);
  }

  protected handle(request: RecordedRequest): Reply {
    if (request.headers.authorization !== `Bearer ${this.token}`)
      return { status: 401, body: { error: "Unauthorized" } };
    if (Buffer.byteLength(request.body) > this.maxRequestBytes) {
      return { status: 400, body: { error: `Request body is larger than ${this.maxRequestBytes} bytes` } };
    }
    const [, command, namespace = ""] = request.path.split("/");
    const body = JSON.parse(request.body) as unknown;
    const store = this.vectors(namespace);
    switch (command) {
      case "upsert": {
        const items = (Array.isArray(body) ? body : [body]) as StoredVector[];
        if (items.length > 1000) return { status: 400, body: { error: "Batch size exceeds 1000" } };
        for (const item of items) {
          if (item.vector.length !== this.dimensions) {
            return {
              status: 400,
              body: {
                error: `Invalid vector dimension: ${item.vector.length}, expected: ${this.dimensions}`,
              },
            };
          }
        }
        for (const item of items) store.set(String(item.id), item);
        return { status: 200, body: { result: "Success" } };
      }
      case "range": {
        const { cursor, limit, prefix, includeData, includeMetadata } = body as {
          cursor: string;
          limit: number;
          prefix?: string;
          includeData?: boolean;
          includeMetadata?: boolean;
        };
        const ids = [...store.keys()].filter((id) => !prefix || id.startsWith(prefix)).sort();
        const from = Number(cursor) || 0;
        const page = ids.slice(from, from + limit).map((id) => {
          const { data, metadata } = store.get(id)!;
          return {
            id,
            ...(includeData && data !== undefined ? { data } : {}),
            ...(includeMetadata && metadata !== undefined ? { metadata } : {}),
          };
        });
        const next = from + limit < ids.length ? String(from + limit) : "";
        return { status: 200, body: { result: { nextCursor: next, vectors: page } } };
      }
      case "delete": {
        const ids = (body as { ids: string[] }).ids;
        let deleted = 0;
        for (const id of ids) if (store.delete(String(id))) deleted++;
        return { status: 200, body: { result: { deleted } } };
      }
      default:
        return { status: 404, body: { error: `unknown command ${command}` } };
    }
  }
}
