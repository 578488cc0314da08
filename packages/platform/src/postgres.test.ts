import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createWorld } from "@netledger/testkit";
import { sql } from "kysely";
import pg from "pg";
import { DatabaseUnavailableError } from "./errors.js";
import { createDatabase, waitForDatabase } from "./postgres.js";
import { closedPort, memoryLogger } from "./test-helpers.js";

describe("postgres", () => {
  it("returns int8 and int8[] as strings, even when pg's global int8 parser was changed", async () => {
    const logger = memoryLogger().logger;
    const world = await createWorld({ nats: false, redis: false });
    const db = createDatabase({ url: world.databaseUrl, max: 2, logger, applicationName: "platform-test" });
    const globalInt8 = pg.types.getTypeParser(20, "text");
    pg.types.setTypeParser(20, "text", (value) => Number(value));
    try {
      await waitForDatabase(db, { attempts: 3, logger });
      const { rows } = await sql<{ big: unknown; n: unknown; list: unknown; small: unknown; app: unknown }>`
        select 9007199254740993::int8 as big, count(*) as n, array[1, 2]::int8[] as list, 7::int4 as small,
               current_setting('application_name') as app`.execute(db);
      assert.deepEqual(rows[0], { big: "9007199254740993", n: "1", list: ["1", "2"], small: 7, app: "platform-test" });
    } finally {
      pg.types.setTypeParser(20, "text", globalInt8);
      await db.destroy();
      await world.close();
    }
  });

  it("waitForDatabase gives up with DATABASE_UNAVAILABLE after its attempts", async () => {
    const { logger, lines } = memoryLogger();
    const db = createDatabase({
      url: `postgres://postgres:pw-secret@127.0.0.1:${await closedPort()}/test`,
      logger,
      applicationName: "platform-test",
    });
    try {
      await assert.rejects(
        waitForDatabase(db, { attempts: 2, logger }),
        (err: unknown) => err instanceof DatabaseUnavailableError && err.code === "DATABASE_UNAVAILABLE",
      );
      assert.equal(lines().filter((line) => line.msg === "database not answering, retrying").length, 1);
      assert.ok(!JSON.stringify(lines()).includes("pw-secret"));
    } finally {
      await db.destroy();
    }
  });
});
