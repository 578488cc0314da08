import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { createWorld, type World } from "@netledger/testkit";
import { sql } from "kysely";
import { createIdempotencyStore, type IdempotencyScope } from "./idempotency-store.js";

describe("idempotency store (PostgreSQL)", () => {
  let world: World;
  let tenantId: string;
  before(async () => {
    world = await createWorld({ nats: false, redis: false });
    tenantId = (await world.db.insertInto("tenants").values({ name: "acme" }).returning("id").executeTakeFirstOrThrow())
      .id;
  });
  after(() => world?.close());

  const scope = (over: Partial<IdempotencyScope> = {}): IdempotencyScope => ({
    tenantId,
    tokenId: "token-1",
    key: randomUUID(),
    fingerprint: "POST /x",
    ...over,
  });
  const answer = { status: 201, body: { sha256: "ab" }, headers: { "x-request-id": "r1" } };

  it("of concurrent first uses of a key exactly one claims it; the others see it in progress", async () => {
    const store = createIdempotencyStore(world.db, { ttlMs: 60_000, lockMs: 60_000 });
    const s = scope();
    const claims = await Promise.all(Array.from({ length: 8 }, () => store.claim(s)));
    assert.equal(claims.filter((c) => c.kind === "claimed").length, 1);
    assert.equal(claims.filter((c) => c.kind === "in-progress").length, 7);
  });

  it("replays the stored answer; another request with the same key is a mismatch; other tokens are apart", async () => {
    const store = createIdempotencyStore(world.db, { ttlMs: 60_000, lockMs: 60_000 });
    const s = scope();
    const first = await store.claim(s);
    assert.equal(first.kind, "claimed");
    await store.complete(s, first.kind === "claimed" ? first.claimId : "", answer);
    assert.deepEqual(await store.claim(s), { kind: "replay", answer });
    assert.deepEqual(await store.claim({ ...s, fingerprint: "POST /y" }), { kind: "mismatch" });
    assert.equal((await store.claim({ ...s, tokenId: "token-2" })).kind, "claimed");
  });

  it("a released claim, an expired answer and an abandoned claim can be claimed again", async () => {
    const store = createIdempotencyStore(world.db, { ttlMs: 60_000, lockMs: 60_000 });
    const released = scope();
    const c1 = await store.claim(released);
    await store.release(released, c1.kind === "claimed" ? c1.claimId : "");
    assert.equal((await store.claim(released)).kind, "claimed");

    const expired = scope();
    const c2 = await store.claim(expired);
    await store.complete(expired, c2.kind === "claimed" ? c2.claimId : "", answer);
    await sql`update idempotency_keys set expires_at = now() - interval '1 second' where key = ${expired.key}`.execute(
      world.db,
    );
    assert.equal((await store.claim(expired)).kind, "claimed");

    const abandoned = scope();
    const shortLock = createIdempotencyStore(world.db, { ttlMs: 60_000, lockMs: 1 });
    const c3 = await shortLock.claim(abandoned);
    assert.equal(c3.kind, "claimed");
    await sql`select pg_sleep(0.01)`.execute(world.db);
    const c4 = await shortLock.claim(abandoned);
    assert.equal(c4.kind, "claimed");
    // The first claimant's late answer does not overwrite the new claim.
    await shortLock.complete(abandoned, c3.kind === "claimed" ? c3.claimId : "", answer);
    const row = await world.db
      .selectFrom("idempotency_keys")
      .select("state")
      .where("key", "=", abandoned.key)
      .executeTakeFirstOrThrow();
    assert.equal(row.state, "pending");
  });
});
