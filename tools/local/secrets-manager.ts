/**
 * A local Secrets Manager: GetSecretValue and PutSecretValue over the JSON protocol, for secrets the runner
 * declares (as the program creates them). A secret declared without a value answers GetSecretValue with
 * ResourceNotFoundException, as a real secret with no version does; PutSecretValue is idempotent per
 * ClientRequestToken (the same value again succeeds, another value is ResourceExistsException).
 */
import { createServer, Server } from "node:http";
import type { AddressInfo } from "node:net";

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
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const op = String(req.headers["x-amz-target"] ?? "").replace(/^secretsmanager\./, "");
        const input = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, string>;
        const [status, body] = this.handle(op, input);
        res.statusCode = status;
        res.setHeader("content-type", "application/x-amz-json-1.1");
        res.end(JSON.stringify(body));
      });
    });
    const server = this.server;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    this.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
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
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
