import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import pg from "pg";
import { type ServerHandle, startPostgres } from "./index.js";

async function query(url: string, text: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

describe("startPostgres", () => {
  let server: ServerHandle;
  after(() => server?.stop());

  it("accepts connections and keeps its data across stop/start and kill/start", async () => {
    server = await startPostgres();
    assert.match(server.url, /^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
    await query(server.url, "create table kept (v text); insert into kept values ('row')");

    await server.stop();
    await assert.rejects(query(server.url, "select 1"));
    await server.start();
    assert.deepEqual(await query(server.url, "select v from kept"), [{ v: "row" }]);

    await server.kill();
    await server.start();
    assert.deepEqual(await query(server.url, "select v from kept"), [{ v: "row" }]);
  });
});
