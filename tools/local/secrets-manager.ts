/**
 * A local Secrets Manager over the JSON protocol, for the secrets the runner declares (as the program creates
 * them): versions with staging labels (AWSCURRENT, AWSPREVIOUS, AWSPENDING), GetSecretValue by version or
 * stage, PutSecretValue (idempotent per ClientRequestToken), DescribeSecret, UpdateSecretVersionStage, and
 * `rotate`, which drives a rotation function through its four steps as Secrets Manager does.
 */
import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import { awsJsonServer, closeServer, listenOnLoopback } from "./loopback";

interface Version {
  value?: string;
  readonly stages: Set<string>;
}

interface Secret {
  readonly versions: Map<string, Version>;
  rotationEnabled: boolean;
}

const CURRENT = "AWSCURRENT";
const PREVIOUS = "AWSPREVIOUS";
const PENDING = "AWSPENDING";

export class LocalSecretsManager {
  private server: Server | undefined;
  endpoint = "";
  private readonly secrets = new Map<string, Secret>();

  /** Declares a secret (by ARN), optionally with a current value. */
  declare(arn: string, value?: string): void {
    const versions = new Map<string, Version>();
    if (value !== undefined) versions.set(randomUUID(), { value, stages: new Set([CURRENT]) });
    this.secrets.set(arn, { versions, rotationEnabled: false });
  }

  /** The value staged `stage`. */
  value(arn: string, stage = CURRENT): string | undefined {
    return [...(this.secrets.get(arn)?.versions.values() ?? [])].find((v) => v.stages.has(stage))?.value;
  }

  /** One rotation, as Secrets Manager runs it: a pending version for a new token, then the function's four steps. */
  async rotate(arn: string, invoke: (event: object) => Promise<unknown>): Promise<void> {
    const secret = this.secrets.get(arn);
    if (!secret) throw new Error(`no secret ${arn}`);
    secret.rotationEnabled = true;
    const token = randomUUID();
    secret.versions.set(token, { stages: new Set([PENDING]) });
    for (const Step of ["createSecret", "setSecret", "testSecret", "finishSecret"])
      await invoke({ SecretId: arn, ClientRequestToken: token, Step });
    secret.versions.get(token)?.stages.delete(PENDING);
  }

  async start(): Promise<this> {
    this.server = awsJsonServer("application/x-amz-json-1.1", (operation, input) =>
      this.handle(operation, input as Record<string, string & string[]>),
    );
    this.endpoint = `http://127.0.0.1:${await listenOnLoopback(this.server)}`;
    return this;
  }

  /** Moves `stage` to version `to`; moving AWSCURRENT leaves AWSPREVIOUS on the version it left. */
  private move(secret: Secret, stage: string, to: string) {
    for (const [id, v] of secret.versions) {
      if (id === to || !v.stages.has(stage)) continue;
      v.stages.delete(stage);
      if (stage === CURRENT) {
        for (const other of secret.versions.values()) other.stages.delete(PREVIOUS);
        v.stages.add(PREVIOUS);
      }
    }
    secret.versions.get(to)!.stages.add(stage);
  }

  private handle(operation: string, input: Record<string, string & string[]>): [number, object] {
    const secret = this.secrets.get(input.SecretId);
    const error = (type: string, message: string): [number, object] => [400, { __type: type, message }];
    if (!secret)
      return error("ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
    switch (operation) {
      case "GetSecretValue": {
        const stage = input.VersionStage ?? (input.VersionId ? undefined : CURRENT);
        const found = [...secret.versions].find(
          ([id, v]) => (!input.VersionId || id === input.VersionId) && (!stage || v.stages.has(stage)),
        );
        if (!found || found[1].value === undefined)
          return error(
            "ResourceNotFoundException",
            `Secrets Manager can't find the specified secret value for ${input.VersionId ? `VersionId: ${input.VersionId}` : `staging label: ${stage}`}`,
          );
        return [
          200,
          {
            ARN: input.SecretId,
            SecretString: found[1].value,
            VersionId: found[0],
            VersionStages: [...found[1].stages],
          },
        ];
      }
      case "PutSecretValue": {
        const token = input.ClientRequestToken ?? randomUUID();
        const existing = secret.versions.get(token);
        if (existing?.value !== undefined) {
          if (existing.value !== input.SecretString)
            return error(
              "ResourceExistsException",
              "A version with this ClientRequestToken already exists with another value.",
            );
          return [200, { ARN: input.SecretId, VersionId: token }];
        }
        const version = existing ?? { stages: new Set<string>() };
        version.value = input.SecretString;
        secret.versions.set(token, version);
        for (const stage of input.VersionStages ?? [CURRENT]) this.move(secret, stage, token);
        return [200, { ARN: input.SecretId, VersionId: token, VersionStages: [...version.stages] }];
      }
      case "DescribeSecret":
        return [
          200,
          {
            ARN: input.SecretId,
            RotationEnabled: secret.rotationEnabled,
            VersionIdsToStages: Object.fromEntries(
              [...secret.versions].map(([id, v]) => [id, [...v.stages]]),
            ),
          },
        ];
      case "UpdateSecretVersionStage":
        if (!secret.versions.has(input.MoveToVersionId))
          return error("ResourceNotFoundException", `no version ${input.MoveToVersionId}`);
        this.move(secret, input.VersionStage, input.MoveToVersionId);
        return [200, { ARN: input.SecretId }];
      default:
        return error("UnknownOperationException", `${operation} is not supported locally`);
    }
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await closeServer(server);
  }
}
