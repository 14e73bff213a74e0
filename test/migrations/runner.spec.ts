import * as assert from "assert";
import { join } from "node:path";
import { Client } from "pg";
import {
  checksum,
  loadMigrations,
  migrate,
  Migration,
  MigrationError,
  parseMigrations,
} from "../../functions/migrate/runner";
import { REPO_ROOT } from "../helpers/offline";
import { postgresBinDir, startPostgres, TestServer } from "./postgres";

const TABLES = ["activities", "chat_messages", "chat_sessions", "email_events", "inquiries", "reports"];

describe("migration files", () => {
  it("are versioned 0001.. in order and parse", () => {
    const migrations = loadMigrations(join(REPO_ROOT, "migrations"));
    assert.deepStrictEqual(
      migrations.map((m) => [m.version, m.name]),
      [
        [1, "core"],
        [2, "chat"],
        [3, "email_events"],
      ],
    );
  });

  it("refuses a bad file name and a repeated version", () => {
    assert.throws(() => parseMigrations([{ file: "1_core.sql", sql: "" }]), {
      message: "1_core.sql: migration files are named NNNN_snake_case_name.sql",
    });
    assert.throws(
      () =>
        parseMigrations([
          { file: "0001_a.sql", sql: "" },
          { file: "0001_b.sql", sql: "" },
        ]),
      { message: "version 1 is used by two files (0001_a, 0001_b)" },
    );
  });
});

const bin = postgresBinDir();

describe("migration runner against PostgreSQL", function () {
  this.timeout(60_000);
  let server: TestServer;
  let db = 0;

  before(async function () {
    if (!bin) {
      console.log(
        "    skipped: no PostgreSQL binaries under /usr/lib/postgresql/*/bin (apt-get install postgresql; .ci/run does)",
      );
      this.skip();
    }
    server = await startPostgres(bin);
  });
  after(() => server?.stop());

  /** A fresh, empty database per test. */
  async function connect(): Promise<Client> {
    const admin = new Client({
      host: "127.0.0.1",
      port: server.port,
      user: "postgres",
      database: "postgres",
    });
    await admin.connect();
    const name = `t${++db}`;
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const client = new Client({ host: "127.0.0.1", port: server.port, user: "postgres", database: name });
    await client.connect();
    return client;
  }
  const tables = async (c: Client) =>
    (
      await c.query<{ t: string }>(
        "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
      )
    ).rows.map((r) => r.t);
  const files = loadMigrations(join(REPO_ROOT, "migrations"));
  const extra = (version: number, name: string, sql: string): Migration => ({
    version,
    name,
    sql,
    checksum: checksum(sql),
  });

  it("applies every migration to an empty database and records each with its checksum", async () => {
    const c = await connect();
    try {
      const result = await migrate(c, files);
      assert.deepStrictEqual(result, {
        applied: ["0001_core", "0002_chat", "0003_email_events"],
        alreadyApplied: 0,
      });
      assert.deepStrictEqual(await tables(c), [...TABLES, "schema_migrations"].sort());
      const { rows } = await c.query(
        "SELECT version, name, checksum FROM schema_migrations ORDER BY version",
      );
      assert.deepStrictEqual(
        rows,
        files.map((m) => ({ version: m.version, name: m.name, checksum: m.checksum })),
      );
      // The schema works: an inquiry, its chat session and a message, and the foreign keys hold.
      const { rows: inq } = await c.query(
        "INSERT INTO inquiries (name, email, message) VALUES ('A', 'a@example.com', 'hi') RETURNING id",
      );
      const { rows: s } = await c.query("INSERT INTO chat_sessions (inquiry_id) VALUES ($1) RETURNING id", [
        inq[0].id,
      ]);
      await c.query("INSERT INTO chat_messages (session_id, type, content) VALUES ($1, 'user', 'hello')", [
        s[0].id,
      ]);
      await assert.rejects(
        c.query(
          "INSERT INTO chat_messages (session_id, type, content) VALUES (gen_random_uuid(), 'user', 'x')",
        ),
        /violates foreign key constraint/,
      );
    } finally {
      await c.end();
    }
  });

  it("re-applying is a no-op", async () => {
    const c = await connect();
    try {
      await migrate(c, files);
      const before = (await c.query("SELECT version, applied_at FROM schema_migrations ORDER BY 1")).rows;
      assert.deepStrictEqual(await migrate(c, files), { applied: [], alreadyApplied: 3 });
      assert.deepStrictEqual(
        (await c.query("SELECT version, applied_at FROM schema_migrations ORDER BY 1")).rows,
        before,
      );
      // A new file on top applies alone.
      const next = extra(4, "inquiry_notes", "ALTER TABLE inquiries ADD COLUMN notes text");
      assert.deepStrictEqual(await migrate(c, [...files, next]), {
        applied: ["0004_inquiry_notes"],
        alreadyApplied: 3,
      });
    } finally {
      await c.end();
    }
  });

  it("a failing migration leaves nothing half-applied, and the next run retries it", async () => {
    const c = await connect();
    try {
      await migrate(c, files);
      // The first statement succeeds, the second fails: the table must not survive.
      const bad = extra(
        4,
        "broken",
        "CREATE TABLE half_done (id int); INSERT INTO no_such_table VALUES (1);",
      );
      await assert.rejects(migrate(c, [...files, bad]), {
        name: "MigrationError",
        message: '0004_broken failed and was rolled back: relation "no_such_table" does not exist',
      });
      assert.ok(!(await tables(c)).includes("half_done"));
      assert.deepStrictEqual((await c.query("SELECT max(version) AS v FROM schema_migrations")).rows, [
        { v: 3 },
      ]);
      // The lock was released and the session is usable: the fixed migration applies.
      const fixed = extra(4, "broken", "CREATE TABLE half_done (id int)");
      assert.deepStrictEqual(await migrate(c, [...files, fixed]), {
        applied: ["0004_broken"],
        alreadyApplied: 3,
      });
    } finally {
      await c.end();
    }
  });

  it("refuses an applied migration whose file changed, before running anything", async () => {
    const c = await connect();
    try {
      await migrate(c, files);
      const changed = files.map((m) => (m.version === 2 ? extra(2, m.name, m.sql + "\n-- edited\n") : m));
      const next = extra(4, "later", "CREATE TABLE later (id int)");
      const error = await migrate(c, [...changed, next]).then(
        () => assert.fail("expected a MigrationError"),
        (e: unknown) => e as MigrationError,
      );
      assert.strictEqual(error.name, "MigrationError");
      assert.match(
        error.message,
        /^0002_chat changed after it was applied \(checksum [0-9a-f]{12} -> [0-9a-f]{12}\); restore the file and put the change in a new migration$/,
      );
      assert.ok(!(await tables(c)).includes("later"));
      await assert.rejects(migrate(c, files.slice(0, 2)), {
        message: "0003_email_events is applied but its file is missing; restore it",
      });
    } finally {
      await c.end();
    }
  });

  it("serialises concurrent runners with the advisory lock", async () => {
    const a = await connect();
    const dbName = (await a.query("SELECT current_database() AS d")).rows[0].d as string;
    const b = new Client({ host: "127.0.0.1", port: server.port, user: "postgres", database: dbName });
    await b.connect();
    try {
      const results = await Promise.all([migrate(a, files), migrate(b, files)]);
      assert.deepStrictEqual(results.map((r) => r.applied.length).sort(), [0, 3]);
    } finally {
      await a.end();
      await b.end();
    }
  });
});
