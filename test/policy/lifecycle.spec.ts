import * as assert from "assert";
import * as life from "../../policy/lifecycle";
import { expectFindings, res, UNKNOWN_STRING } from "./helpers";

const T = {
  db: "aws:rds/instance:Instance",
  cluster: "aws:rds/cluster:Cluster",
};

describe("policy: rds-minor-version-drift", () => {
  it("flags a pinned minor with automatic minor upgrades, explicit or by the provider's default", async () => {
    await expectFindings(
      life.rdsMinorVersionDrift,
      [
        // What components/database.ts declared before the fix.
        res(T.db, "db-postgres", {
          engine: "postgres",
          engineVersion: "16.4",
          autoMinorVersionUpgrade: true,
        }),
        res(T.db, "legacy", { engine: "mysql", engineVersion: "8.0.36" }),
        res(T.cluster, "multi-az", { engine: "postgres", engineVersion: "16.4" }),
      ],
      [
        "RDS instance 'db-postgres' pins postgres 16.4 with autoMinorVersionUpgrade on: once RDS upgrades the " +
          "minor, every `pulumi up` tries to move the database back (a perpetual diff).",
        "RDS instance 'legacy' pins mysql 8.0.36 with autoMinorVersionUpgrade on: once RDS upgrades the minor, " +
          "every `pulumi up` tries to move the database back (a perpetual diff).",
        "RDS cluster 'multi-az' pins postgres 16.4 with autoMinorVersionUpgrade on: once RDS upgrades the minor, " +
          "every `pulumi up` tries to move the database back (a perpetual diff).",
      ],
    );
  });

  it("passes a major version with automatic upgrades, a pinned minor without them, and Aurora clusters", async () => {
    await expectFindings(
      life.rdsMinorVersionDrift,
      [
        res(T.db, "major", { engine: "postgres", engineVersion: "16", autoMinorVersionUpgrade: true }),
        res(T.db, "mysql-major", { engine: "mysql", engineVersion: "8.0" }),
        res(T.db, "pinned", { engine: "postgres", engineVersion: "16.6", autoMinorVersionUpgrade: false }),
        res(T.db, "unknown", { engine: "postgres", engineVersion: UNKNOWN_STRING }),
        res(T.cluster, "aurora", { engine: "aurora-postgresql", engineVersion: "16.4" }),
      ],
      [],
    );
  });

  it("reads versions per engine", () => {
    const cases: Array<[string, string, boolean | undefined]> = [
      ["postgres", "16", false],
      ["postgres", "16.4", true],
      ["postgres", "9.6", false],
      ["postgres", "9.6.24", true],
      ["aurora-postgresql", "15.4", true],
      ["mysql", "8.0", false],
      ["mariadb", "10.11.8", true],
      ["oracle-ee", "19.0.0.0.ru-2024-01.rur-2024-01.r1", undefined],
      ["postgres", "latest", undefined],
    ];
    assert.deepStrictEqual(
      cases.map(([e, v]) => life.pinsMinorVersion(e, v)),
      cases.map((c) => c[2]),
    );
  });
});
