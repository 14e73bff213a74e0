import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { join } from "node:path";
import { Client } from "pg";
import { loadMigrations, migrate, MigrationResult } from "./runner";

/**
 * The migration runner: invoked by the stack (aws.lambda.Invocation) whenever a file under migrations/
 * changes. It reads the master credentials RDS manages in Secrets Manager, connects over TLS (the RDS CA
 * comes from NODE_EXTRA_CA_CERTS=/var/runtime/ca-cert.pem, set on the function) and applies the SQL files
 * shipped in its own code archive (never SQL from the event, so invoking it can only apply reviewed files).
 */
function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

const config = {
  host: env("DB_HOST"),
  port: Number(env("DB_PORT")),
  database: env("DB_NAME"),
  secretArn: env("DB_SECRET_ARN"),
};
const secrets = new SecretsManagerClient({});

export async function handler(): Promise<MigrationResult> {
  const secret = await secrets.send(new GetSecretValueCommand({ SecretId: config.secretArn }));
  const { username, password } = JSON.parse(secret.SecretString ?? "{}") as {
    username?: string;
    password?: string;
  };
  if (!username || !password) throw new Error(`secret ${config.secretArn} holds no username and password`);
  const client = new Client({
    host: config.host,
    port: config.port,
    database: config.database,
    user: username,
    password,
    ssl: { rejectUnauthorized: true },
    connectionTimeoutMillis: 10_000,
  });
  await client.connect();
  try {
    const result = await migrate(client, loadMigrations(join(__dirname, "migrations")), (m) =>
      console.log(JSON.stringify({ level: "INFO", message: m })),
    );
    console.log(JSON.stringify({ level: "INFO", message: "migrations done", ...result }));
    return result;
  } finally {
    await client.end();
  }
}
