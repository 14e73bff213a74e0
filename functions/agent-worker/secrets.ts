/**
 * Provider secrets by ARN (the environment carries only ARNs): each read from Secrets Manager on first use and
 * cached for the life of the container; a failed read is not cached, so the next task tries again.
 */
import { GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { DependencyError } from "../shared/outcome";
import type { SecretsManagerProvider } from "../shared/secrets-manager";

export function secretReader(
  secretsManager: SecretsManagerProvider,
  arns: Readonly<Record<string, string>>,
): (name: string) => Promise<string> {
  const cache = new Map<string, Promise<string>>();
  return (name) => {
    const arn = arns[name];
    if (!arn) return Promise.reject(new Error(`no secret named ${name} is configured`));
    let value = cache.get(name);
    if (!value) {
      value = read(secretsManager, arn).catch((error: unknown) => {
        cache.delete(name);
        throw error;
      });
      cache.set(name, value);
    }
    return value;
  };
}

async function read(secretsManager: SecretsManagerProvider, arn: string): Promise<string> {
  let secret: string | undefined;
  try {
    const client = await secretsManager();
    secret = (await client.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString;
  } catch (error) {
    throw new DependencyError(
      "secrets-manager",
      "unavailable",
      `GetSecretValue ${arn} failed: ${(error as Error).name}`,
      {
        cause: error,
      },
    );
  }
  if (!secret) throw new DependencyError("secrets-manager", "error", `secret ${arn} has no SecretString`);
  return secret;
}
