/** Lambda entry of the $connect REQUEST authorizer; the ticket key is read by ARN and cached. */
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { WS_AUTHORIZER_ENV } from "../../contracts/env";
import { ticketKeySource } from "../shared/ticket";
import { AuthorizerEvent, createAuthorizer } from "./app";

const secretArn = process.env[WS_AUTHORIZER_ENV.ticketKeySecretArn];
if (!secretArn) throw new Error(`environment variable ${WS_AUTHORIZER_ENV.ticketKeySecretArn} is not set`);
const secretsManager = new SecretsManagerClient({});

const authorize = createAuthorizer({
  keys: ticketKeySource({ client: () => secretsManager, secretArn }),
  log: (decision) => console.log(JSON.stringify({ level: decision.allowed ? "INFO" : "WARN", ...decision })),
});

export const handler = (event: AuthorizerEvent) => authorize(event);
