/** Lambda entry of the ticket key's rotation function (Secrets Manager invokes it, one step at a time). */
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { createRotation, RotationEvent } from "./app";

const rotate = createRotation(new SecretsManagerClient({}));

export const handler = (event: RotationEvent) => rotate(event);
