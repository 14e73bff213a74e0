/** The API's response shapes: `{ success, data | error, request_id, timestamp }`. */

export interface ApiResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** A failure the client is told about: HTTP status, stable code, message and optional details. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export interface ResponseContext {
  readonly requestId: string;
  readonly now: () => Date;
}

const JSON_HEADERS = { "content-type": "application/json" };

export function ok(
  ctx: ResponseContext,
  status: number,
  data: unknown,
  headers: Record<string, string> = {},
): ApiResponse {
  return {
    statusCode: status,
    headers: { ...JSON_HEADERS, ...headers },
    body: JSON.stringify({
      success: true,
      data,
      request_id: ctx.requestId,
      timestamp: ctx.now().toISOString(),
    }),
  };
}

export function failure(ctx: ResponseContext, error: ApiError): ApiResponse {
  return {
    statusCode: error.status,
    headers: JSON_HEADERS,
    body: JSON.stringify({
      success: false,
      error: {
        code: error.code,
        message: error.message,
        ...(error.details ? { details: error.details } : {}),
      },
      request_id: ctx.requestId,
      timestamp: ctx.now().toISOString(),
    }),
  };
}

/** A 302 to `location` (a pre-signed download URL); the body says where, for clients that do not follow. */
export function redirect(ctx: ResponseContext, location: string): ApiResponse {
  const response = ok(ctx, 302, { location });
  return { ...response, headers: { ...response.headers, location } };
}
