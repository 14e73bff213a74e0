/**
 * Rotates the WebSocket ticket key (functions/shared/ticket.ts), as Secrets Manager drives a rotation function:
 *  - createSecret: a new version (the rotation's token) holding 32 random bytes, staged AWSPENDING;
 *  - setSecret: nothing (the key lives only in the secret);
 *  - testSecret: the pending version decodes to a 32-byte key;
 *  - finishSecret: AWSCURRENT moves to the new version (the old one becomes AWSPREVIOUS, which verifiers accept).
 * Every step is safe to repeat: Secrets Manager retries a step that failed.
 */
import { randomBytes } from "node:crypto";
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import { ROTATION_STAGES } from "../shared/ticket";

export interface RotationEvent {
  readonly SecretId: string;
  readonly ClientRequestToken: string;
  readonly Step: string;
}

export const KEY_BYTES = 32;

export function createRotation(client: SecretsManagerClient) {
  return async function rotate(event: RotationEvent): Promise<void> {
    const { SecretId, ClientRequestToken: token, Step } = event;
    const secret = await client.send(new DescribeSecretCommand({ SecretId }));
    if (!secret.RotationEnabled) throw new Error(`secret ${SecretId} is not set for rotation`);
    const stages = secret.VersionIdsToStages?.[token];
    if (!stages) throw new Error(`secret ${SecretId} has no version ${token} to rotate`);
    if (stages.includes(ROTATION_STAGES.current) && Step !== "finishSecret") return; // rotated already
    switch (Step) {
      case "createSecret": {
        try {
          await client.send(
            new GetSecretValueCommand({ SecretId, VersionId: token, VersionStage: ROTATION_STAGES.pending }),
          );
          return; // created by an earlier attempt
        } catch (error) {
          if ((error as Error).name !== "ResourceNotFoundException") throw error;
        }
        await client.send(
          new PutSecretValueCommand({
            SecretId,
            ClientRequestToken: token,
            SecretString: randomBytes(KEY_BYTES).toString("base64"),
            VersionStages: [ROTATION_STAGES.pending],
          }),
        );
        return;
      }
      case "setSecret":
        return;
      case "testSecret": {
        const pending = await client.send(
          new GetSecretValueCommand({ SecretId, VersionId: token, VersionStage: ROTATION_STAGES.pending }),
        );
        if (Buffer.from(pending.SecretString ?? "", "base64").length !== KEY_BYTES)
          throw new Error(`secret ${SecretId} version ${token} is not a ${KEY_BYTES}-byte key`);
        return;
      }
      case "finishSecret": {
        const current = Object.entries(secret.VersionIdsToStages ?? {}).find(([, s]) =>
          s.includes(ROTATION_STAGES.current),
        )?.[0];
        if (current === token) return;
        await client.send(
          new UpdateSecretVersionStageCommand({
            SecretId,
            VersionStage: ROTATION_STAGES.current,
            MoveToVersionId: token,
            ...(current ? { RemoveFromVersionId: current } : {}),
          }),
        );
        return;
      }
      default:
        throw new Error(`unknown rotation step ${Step}`);
    }
  };
}
