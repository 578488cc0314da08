import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { locateServer } from "@netledger/testkit";
import pg from "pg";
import { dropDatabase, ensureDatabase, migrations, withDatabaseName } from "./index.js";

const run = promisify(execFile);
const cli = fileURLToPath(new URL("./migrate-cli.ts", import.meta.url));

async function databaseExists(serverUrl: string, name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: withDatabaseName(serverUrl, "postgres") });
  await client.connect();
  try {
    return Boolean((await client.query("select 1 from pg_database where datname = $1", [name])).rowCount);
  } finally {
    await client.end();
  }
}

describe("database admin and the migrate command", () => {
  const created: string[] = [];
  after(() => Promise.all(created.map((url) => dropDatabase(url))));

  const freshDatabase = async () => {
    const { url } = await locateServer("postgres");
    const name = `nl_test_${randomBytes(4).toString("hex")}`;
    created.push(withDatabaseName(url, name));
    return { serverUrl: url, name, url: withDatabaseName(url, name) };
  };

  it("ensureDatabase creates once, also when called concurrently; dropDatabase removes it", async () => {
    const { serverUrl, name, url } = await freshDatabase();
    const results = await Promise.all([ensureDatabase(url), ensureDatabase(url), ensureDatabase(url)]);
    assert.deepEqual(results.filter(Boolean), [true]);
    assert.equal(await ensureDatabase(url), false);
    const session = new pg.Client({ connectionString: url });
    await session.connect();
    session.on("error", () => {}); // terminated by dropDatabase
    await dropDatabase(url);
    assert.equal(await databaseExists(serverUrl, name), false);
    await session.end().catch(() => {});
  });

  it("creates the database, applies every migration, and applies nothing the second time", async () => {
    const { url } = await freshDatabase();
    const migrate = () =>
      run(process.execPath, ["--import", "tsx", cli], { env: { ...process.env, DATABASE_URL: url } });
    const first = await migrate();
    assert.match(first.stdout, /"msg":"created database"/);
    for (const { name } of migrations) assert.ok(first.stdout.includes(`"migration":"${name}"`), first.stdout);
    const second = await migrate();
    assert.match(second.stdout, /"applied":0,"msg":"database already up to date"/);
  });

  it("exits 1 with the configuration problem on a bad DATABASE_URL", async () => {
    const failed = await run(process.execPath, ["--import", "tsx", cli], {
      env: { ...process.env, DATABASE_URL: "mysql://nope" },
    }).then(
      () => assert.fail("expected exit 1"),
      (err: { code: number; stderr: string }) => err,
    );
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /DATABASE_URL: must be a PostgreSQL URL/);
  });
});
