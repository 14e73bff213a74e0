/**
 * API Gateway's GetApiKey on loopback (REST JSON: GET /apikeys/{id}?includeValue=true): the key's value only
 * when asked for it, as the service answers; an unknown id gets NotFoundException.
 */
import { LoopbackServer, RecordedRequest, Reply } from "./loopback";

export class FakeApiGateway extends LoopbackServer {
  /** id -> the key's value and whether it is enabled. */
  readonly keys = new Map<string, { value: string; enabled: boolean }>();

  protected handle(request: RecordedRequest): Reply {
    const match = /^\/apikeys\/([^/]+)$/.exec(request.path);
    if (request.method !== "GET" || !match)
      return { status: 404, body: { message: `no route ${request.method} ${request.path}` } };
    const key = this.keys.get(match[1]);
    if (!key)
      return {
        status: 404,
        headers: { "x-amzn-ErrorType": "NotFoundException" },
        body: { message: "Invalid API Key identifier specified" },
      };
    return {
      status: 200,
      body: {
        id: match[1],
        name: "agent-platform-default",
        enabled: key.enabled,
        createdDate: 1767225600,
        ...(request.query.get("includeValue") === "true" ? { value: key.value } : {}),
      },
    };
  }
}
