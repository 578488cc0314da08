import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { freePort, locateServer, TestkitError } from "./index.js";

const run = promisify(execFile);

describe("locateServer", () => {
  it("finds the configured shared servers", async () => {
    for (const kind of ["nats", "redis", "postgres"] as const) {
      const found = await locateServer(kind);
      assert.equal(found.kind, kind);
      assert.ok(found.url);
    }
  });

  it("fails naming the server, the address tried and the install command when no fallback is allowed", async () => {
    const port = await freePort();
    const cases = [
      ["nats", `nats://127.0.0.1:${port}`, /NATS \(JetStream\) unavailable/, "apt-get install -y nats-server"],
      ["redis", `redis://127.0.0.1:${port}`, /Redis unavailable/, "apt-get install -y redis-server"],
      [
        "postgres",
        `postgres://postgres:hunter2@127.0.0.1:${port}/x`,
        /PostgreSQL unavailable/,
        "apt-get install -y postgresql",
      ],
    ] as const;
    for (const [kind, url, title, apt] of cases) {
      const err = await locateServer(kind, { urls: [url], fallback: [] }).then(
        () => assert.fail(`${kind} should be unavailable`),
        (e: unknown) => e,
      );
      assert.ok(err instanceof TestkitError);
      assert.equal(err.code, "TESTKIT_SERVER_UNAVAILABLE");
      assert.match(err.message, title);
      assert.ok(err.message.includes(`127.0.0.1:${port}`), err.message);
      assert.ok(err.message.includes(apt), err.message);
      assert.match(err.message, /containers: fallback not allowed/);
      assert.doesNotMatch(err.message, /hunter2/);
    }
  });

  it("names the missing binary when the binaries fallback cannot find it", async () => {
    const err = await locateServer("nats", {
      urls: [`nats://127.0.0.1:${await freePort()}`],
      fallback: ["binaries"],
      searchDirs: ["/nonexistent"],
    }).then(
      () => assert.fail("nats should be unavailable"),
      (e: unknown) => e as Error,
    );
    assert.match(
      err.message,
      /binaries: `nats-server` not found in \/nonexistent; install it: sudo apt-get install -y nats-server/,
    );
  });

  it("starts a private server from the installed binary when the configured one is down", async () => {
    const found = await locateServer("redis", {
      urls: [`redis://127.0.0.1:${await freePort()}`],
      fallback: ["binaries"],
    });
    assert.equal(found.source, "private");
    const redis = new Redis(found.url);
    try {
      assert.equal(await redis.ping(), "PONG");
    } finally {
      redis.disconnect();
    }
  });

  it("obeys NATS_URL and NETLEDGER_TESTKIT_FALLBACK from the environment", async () => {
    const port = await freePort();
    const script = fileURLToPath(new URL("./index.ts", import.meta.url));
    const code = `import(${JSON.stringify(script)}).then((t) => t.createWorld({ redis: false, database: false })).then(
      () => console.log("unexpected world"), (e) => console.log(e.code + "|" + e.message))`;
    const { stdout } = await run(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
      env: { ...process.env, NATS_URL: `nats://127.0.0.1:${port}`, NETLEDGER_TESTKIT_FALLBACK: "none" },
    });
    assert.match(stdout, /^TESTKIT_SERVER_UNAVAILABLE\|NATS \(JetStream\) unavailable/);
    assert.ok(stdout.includes(`127.0.0.1:${port}`), stdout);
    assert.match(stdout, /binaries: fallback not allowed/);
  });
});
