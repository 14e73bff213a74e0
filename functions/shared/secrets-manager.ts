/**
 * A Secrets Manager client for functions that read a secret by ARN once per container. The SDK is loaded on
 * first use (a dynamic import, which esbuild keeps lazy inside the bundle): it is needed once per container, so
 * its initialisation stays out of the cold start.
 */
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";

/** A Secrets Manager client, created when first needed. */
export type SecretsManagerProvider = () => Promise<SecretsManagerClient>;

export function defaultSecretsManager(
  wrap: (client: SecretsManagerClient) => SecretsManagerClient,
): SecretsManagerProvider {
  let client: SecretsManagerClient | undefined;
  return async () => {
    const { SecretsManagerClient } = await import("@aws-sdk/client-secrets-manager");
    client ??= wrap(new SecretsManagerClient({}));
    return client;
  };
}
