import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PGlite } from "@electric-sql/pglite";
import { Kysely, PGliteDialect, sql } from "kysely";
import { type Database, MigrationError, migrateDown, migrateToLatest, migrations } from "./index.js";
import { describeSchema } from "./schema-suite.js";

// Booting PGlite runs initdb in wasm (seconds on 2 cores): the file shares one instance, and
// the failure test leaves it unmigrated for the schema suite.
const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite: new PGlite() }) });

describe("migrateToLatest failures", () => {
  it("names the failing migration and applies none of the run", async () => {
    const first = migrations[0]!;
    const broken = {
      name: "0002-broken",
      migration: { up: (d: Kysely<unknown>) => sql`create table tenants (id int)`.execute(d).then(() => {}) },
    };
    const err = await migrateToLatest(db, [first, broken]).then(
      () => assert.fail("expected the broken migration to fail"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof MigrationError);
    assert.equal(err.code, "DB_MIGRATION_FAILED");
    assert.equal(err.migrationName, "0002-broken");
    assert.match(err.message, /"0002-broken" failed: relation "tenants" already exists/);
    // The run is one transaction on PostgreSQL: 0001 was rolled back with it.
    assert.deepEqual(await migrateToLatest(db, [first]), [first.name]);
    assert.deepEqual(await migrateDown(db, [first]), [first.name]);
  });
});

describeSchema("PGlite", async () => {
  assert.deepEqual(
    await migrateToLatest(db),
    migrations.map((m) => m.name),
  );
  return { db, close: () => db.destroy() };
});
