import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** One versioned SQL file: `migrations/0001_core.sql` is version 1, name `core`. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  /** SHA-256 (hex) of the file's text: an applied migration must never change. */
  readonly checksum: string;
}

/** What the runner needs of a PostgreSQL client (`pg.Client` fits); one session, so locks and transactions hold. */
export interface SqlClient {
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

export interface MigrationResult {
  /** `0001_core` for each migration applied by this run, in order. */
  readonly applied: string[];
  /** How many were already applied. */
  readonly alreadyApplied: number;
}

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MigrationError";
  }
}

const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.sql$/;
/** Session advisory lock key shared by every runner of every stack's database ("agent-platform migrations"). */
export const LOCK_KEY = 727_100_001;

export function checksum(sql: string): string {
  return createHash("sha256").update(sql).digest("hex");
}

const label = (m: { version: number; name: string }) => `${String(m.version).padStart(4, "0")}_${m.name}`;

/** Migrations from file names and texts, in version order; a bad name or a repeated version is an error. */
export function parseMigrations(files: readonly { file: string; sql: string }[]): Migration[] {
  const migrations = files.map(({ file, sql }) => {
    const m = FILE_PATTERN.exec(file);
    if (!m) throw new MigrationError(`${file}: migration files are named NNNN_snake_case_name.sql`);
    return { version: Number(m[1]), name: m[2], sql, checksum: checksum(sql) };
  });
  migrations.sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (i > 0 && migrations[i - 1].version === m.version)
      throw new MigrationError(
        `version ${m.version} is used by two files (${label(migrations[i - 1])}, ${label(m)})`,
      );
  });
  return migrations;
}

/** Every `*.sql` file of a directory (other files are ignored). */
export function loadMigrations(dir: string): Migration[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .map((file) => ({ file, sql: readFileSync(join(dir, file), "utf8") }));
  return parseMigrations(files);
}

/**
 * Applies the pending migrations, each in its own transaction together with its schema_migrations row, so a
 * failing migration leaves nothing behind and the next run retries it. Idempotent: applied versions are skipped.
 * A session advisory lock makes a concurrent runner wait, then find the work done. An applied migration whose
 * file changed (checksum) or disappeared is refused before anything runs: write a new migration instead.
 */
export async function migrate(
  client: SqlClient,
  migrations: readonly Migration[],
  log: (message: string) => void = () => undefined,
): Promise<MigrationResult> {
  await client.query("SELECT pg_advisory_lock($1)", [LOCK_KEY]);
  try {
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version    integer PRIMARY KEY,
         name       text NOT NULL,
         checksum   text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const { rows } = await client.query(
      "SELECT version, name, checksum FROM schema_migrations ORDER BY version",
    );
    const byVersion = new Map(migrations.map((m) => [m.version, m]));
    for (const row of rows) {
      const applied = { version: Number(row.version), name: String(row.name) };
      const file = byVersion.get(applied.version);
      if (!file) throw new MigrationError(`${label(applied)} is applied but its file is missing; restore it`);
      if (file.checksum !== row.checksum)
        throw new MigrationError(
          `${label(file)} changed after it was applied (checksum ${String(row.checksum).slice(0, 12)} -> ` +
            `${file.checksum.slice(0, 12)}); restore the file and put the change in a new migration`,
        );
    }
    const done = new Set(rows.map((r) => Number(r.version)));
    const applied: string[] = [];
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      log(`applying ${label(m)}`);
      await client.query("BEGIN");
      try {
        await client.query(m.sql);
        await client.query("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", [
          m.version,
          m.name,
          m.checksum,
        ]);
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw new MigrationError(`${label(m)} failed and was rolled back: ${(error as Error).message}`);
      }
      applied.push(label(m));
    }
    return { applied, alreadyApplied: done.size };
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [LOCK_KEY]);
  }
}
