import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { createLogger, createRedis } from "@netledger/platform";
import { createWorld, startRedisServer, type World } from "@netledger/testkit";
import express from "express";
import type { Redis } from "ioredis";
import { errorHandler } from "./api/problem.js";
import { Api } from "./api/route.js";
import { createAuthenticator } from "./auth/authenticate.js";
import { createTenantGuard } from "./auth/tenant-scope.js";
import { generateApiToken, hashApiToken } from "./auth/tokens.js";
import { createRateLimiterFactory, type RateLimiterFactory } from "./rate-limit.js";

const logger = createLogger({ name: "rate-limit-test", level: "silent" });

/** A gateway "replica": one limited route behind the real authenticator, on its own port. */
async function replica(world: World, factory: RateLimiterFactory, limit = 3): Promise<{ url: string; server: Server }> {
  const api = new Api({
    authenticate: createAuthenticator({ db: world.db, bootstrapToken: undefined, logger }),
    tenantGuard: createTenantGuard(world.db),
    bodyLimit: 1024,
  });
  const limiter = factory({ name: "test", limit, windowMs: 60_000 });
  api.route({
    method: "post",
    path: "/limited",
    operationId: "limited",
    summary: "limited",
    tags: [],
    access: { role: "operator" },
    use: [limiter],
    responses: { 201: { description: "ok" } },
    handler: async () => ({ status: 201 }),
  });
  const app = express();
  app.use(api.router);
  app.use(errorHandler(logger));
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe("rate limits", () => {
  let world: World;
  let token: string;
  const servers: Server[] = [];
  const clients: Redis[] = [];
  const post = (url: string, bearer = token) =>
    fetch(`${url}/limited`, { method: "POST", headers: { authorization: `Bearer ${bearer}` } });

  before(async () => {
    world = await createWorld({ streams: false, nats: false });
    const { id: tenantId } = await world.db
      .insertInto("tenants")
      .values({ name: "rl" })
      .returning("id")
      .executeTakeFirstOrThrow();
    token = generateApiToken();
    await world.db
      .insertInto("api_tokens")
      .values({ tenant_id: tenantId, name: "op", role: "operator", token_hash: hashApiToken(token) })
      .execute();
  });
  after(async () => {
    for (const server of servers) server.close();
    for (const client of clients) client.disconnect();
    await world?.close();
  });

  test("the count is shared by two replicas; the 4th request is 429 with RateLimit and Retry-After", async () => {
    const factory = () =>
      createRateLimiterFactory({ redis: world.redis, keyPrefix: world.keyPrefix, onStoreError: "reject", logger });
    const a = await replica(world, factory());
    const b = await replica(world, factory());
    servers.push(a.server, b.server);
    const statuses = [];
    for (const url of [a.url, b.url, a.url]) statuses.push((await post(url)).status);
    assert.deepEqual(statuses, [201, 201, 201]);
    const limited = await post(b.url);
    assert.equal(limited.status, 429);
    assert.match(limited.headers.get("content-type") ?? "", /problem\+json/);
    assert.equal(((await limited.json()) as { code: string }).code, "RATE_LIMITED");
    assert.match(limited.headers.get("ratelimit-policy") ?? "", /q=3; w=60/);
    assert.match(limited.headers.get("ratelimit") ?? "", /r=0/);
    assert.ok(Number(limited.headers.get("retry-after")) > 0);
    const keys = await world.redis.keys(`${world.keyPrefix}rl:test:*`);
    assert.equal(keys.length, 1);
    assert.ok(!keys[0]?.includes(token), "keys hold the token's hash, never the token");
  });

  test("Redis down: reject answers 503 quickly, allow lets requests through; back up, limits work again", async () => {
    const redisServer = await startRedisServer();
    try {
      const rejecting = createRedis(redisServer.url, { logger, name: "rl-reject" });
      const allowing = createRedis(redisServer.url, { logger, name: "rl-allow" });
      clients.push(rejecting, allowing);
      const r = await replica(
        world,
        createRateLimiterFactory({
          redis: rejecting,
          keyPrefix: "x:",
          onStoreError: "reject",
          logger,
          storeTimeoutMs: 300,
        }),
        100,
      );
      const p = await replica(
        world,
        createRateLimiterFactory({
          redis: allowing,
          keyPrefix: "y:",
          onStoreError: "allow",
          logger,
          storeTimeoutMs: 300,
        }),
        100,
      );
      servers.push(r.server, p.server);
      assert.equal((await post(r.url)).status, 201);

      await redisServer.stop();
      const rejected = await post(r.url);
      assert.equal(rejected.status, 503);
      assert.equal(((await rejected.json()) as { code: string }).code, "RATE_LIMITER_UNAVAILABLE");
      assert.equal((await post(p.url)).status, 201);

      await redisServer.start();
      let status = 0;
      for (let i = 0; i < 100 && status !== 201; i++) {
        status = (await post(r.url)).status;
        if (status !== 201) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal(status, 201, "the limiter heals once Redis is back");
    } finally {
      await redisServer.stop();
    }
  });
});
