/**
 * A local Secrets Manager: GetSecretValue and PutSecretValue over the JSON protocol, for secrets the runner
 * declares (as the program creates them). A secret declared without a value answers GetSecretValue with
 * ResourceNotFoundException, as a real secret with no version does; PutSecretValue is idempotent per
 * ClientRequestToken (the same value again succeeds, another value is ResourceExistsException).
 */
import type { Server } from "node:http";
import { awsJsonServer, closeServer, listenOnLoopback } from "./loopback";

interface Version {
  readonly token: string;
  readonly value: string;
}

export class LocalSecretsManager {
  private server: Server | undefined;
  endpoint = "";
  private readonly secrets = new Map<string, Version[]>();

  /** Declares a secret (by ARN), optionally with a first value. */
  declare(arn: string, value?: string): void {
    this.secrets.set(arn, value === undefined ? [] : [{ token: "initial", value }]);
  }

  current(arn: string): string | undefined {
    const versions = this.secrets.get(arn);
    return versions?.[versions.length - 1]?.value;
  }

  async start(): Promise<this> {
    this.server = awsJsonServer("application/x-amz-json-1.1", (operation, input) =>
      this.handle(operation, input as Record<string, string>),
    );
    this.endpoint = `http://127.0.0.1:${await listenOnLoopback(this.server)}`;
    return this;
  }

  private handle(op: string, input: Record<string, string>): [number, object] {
    const versions = this.secrets.get(input.SecretId);
    const error = (type: string, message: string): [number, object] => [400, { __type: type, message }];
    if (!versions)
      return error("ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
    switch (op) {
      case "GetSecretValue": {
        const latest = versions[versions.length - 1];
        if (!latest)
          return error(
            "ResourceNotFoundException",
            "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
          );
        return [200, { ARN: input.SecretId, SecretString: latest.value, VersionId: latest.token }];
      }
      case "PutSecretValue": {
        const same = versions.find((v) => v.token === input.ClientRequestToken);
        if (same && same.value !== input.SecretString)
          return error(
            "ResourceExistsException",
            "A version with this ClientRequestToken already exists with another value.",
          );
        if (!same)
          versions.push({
            token: input.ClientRequestToken ?? String(versions.length),
            value: input.SecretString,
          });
        return [200, { ARN: input.SecretId, VersionId: input.ClientRequestToken }];
      }
      default:
        return error("UnknownOperationException", `${op} is not supported locally`);
    }
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await closeServer(server);
  }
}
