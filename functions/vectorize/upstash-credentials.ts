/**
 * The Upstash URL and token, from Secrets Manager by ARN: fetched on first use, then cached for the life of the
 * container. A failed fetch is not cached, so the next record tries again.
 *
 * The Secrets Manager SDK is loaded on first use too (functions/shared/secrets-manager.ts).
 */
import type { UpstashCredentials } from "../../contracts/pipeline-env";
import { DependencyError } from "../shared/outcome";
import type { SecretsManagerProvider } from "../shared/secrets-manager";

export function credentialsLoader(
  secretsManager: SecretsManagerProvider,
  secretArn: string,
): () => Promise<UpstashCredentials> {
  let cached: Promise<UpstashCredentials> | undefined;
  return () => {
    cached ??= fetchCredentials(secretsManager, secretArn).catch((error: unknown) => {
      cached = undefined;
      throw error;
    });
    return cached;
  };
}

async function fetchCredentials(
  secretsManager: SecretsManagerProvider,
  secretArn: string,
): Promise<UpstashCredentials> {
  let secret: string | undefined;
  try {
    const { GetSecretValueCommand } = await import("@aws-sdk/client-secrets-manager");
    const client = await secretsManager();
    const response = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    secret = response.SecretString;
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    throw new DependencyError(
      "secrets-manager",
      status === 400 && (error as Error).name === "AccessDeniedException"
        ? "access-denied"
        : status === undefined || status >= 500
          ? "unavailable"
          : "error",
      `Secrets Manager GetSecretValue ${secretArn} failed: ${(error as Error).name}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return parseCredentials(secret, secretArn);
}

/** `{"url": ..., "token": ...}`; the names the Upstash console shows (UPSTASH_VECTOR_REST_URL/TOKEN) also work. */
export function parseCredentials(secret: string | undefined, secretArn: string): UpstashCredentials {
  const invalid = (why: string) =>
    new DependencyError(
      "secrets-manager",
      "error",
      `secret ${secretArn} ${why}; expected JSON {"url": "https://…", "token": "…"}`,
    );
  if (!secret) throw invalid("has no SecretString");
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(secret) as Record<string, unknown>;
  } catch {
    throw invalid("is not JSON");
  }
  const url = value.url ?? value.UPSTASH_VECTOR_REST_URL;
  const token = value.token ?? value.UPSTASH_VECTOR_REST_TOKEN;
  if (typeof url !== "string" || !/^https?:\/\/[^\s]+$/.test(url)) throw invalid("has no http(s) url");
  if (typeof token !== "string" || token.trim() === "") throw invalid("has no token");
  return { url, token: token.trim() };
}
