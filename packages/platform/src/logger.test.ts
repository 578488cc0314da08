import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isSecretKey, REDACTED, redactSecrets, redactUrlCredentials, SECRET_KEYS } from "./redact.js";
import { memoryLogger } from "./test-helpers.js";

const SECRET = "hunter2-S3CRET";

/** Every spelling the brief and redact.ts promise to cover. */
const SECRET_FIELDS = [
  ...SECRET_KEYS,
  "privateKey",
  "private_key",
  "Authorization",
  "set-cookie",
  "x-api-key",
  "adminPassword",
  "clientSecret",
  "accessToken",
  "sealed",
  "sealedCredentials",
  "sealedContent",
  "sealedGzipBase64",
];

describe("createLogger redaction", () => {
  it("never writes a secret held under any covered key, at any depth, in objects and arrays", () => {
    const { logger, lines, text } = memoryLogger();
    for (const field of SECRET_FIELDS) {
      logger.info({ [field]: SECRET }, "top");
      logger.info({ device: { nested: { deeper: { [field]: SECRET } } }, list: [{ [field]: SECRET }] }, "deep");
      logger.info({ [field]: { value: SECRET, again: [SECRET] } }, "object value");
    }
    assert.equal(lines().length, SECRET_FIELDS.length * 3);
    assert.ok(!text().includes(SECRET), "secret reached the output");
    const first = lines()[0] ?? {};
    assert.equal(first[SECRET_FIELDS[0] ?? ""], REDACTED);
  });

  it("redacts error properties (err.config), child bindings, format arguments and URL passwords", () => {
    const { logger, lines, text } = memoryLogger();
    const err = Object.assign(new Error("export failed", { cause: new Error("channel closed") }), {
      config: `/user set admin password=${SECRET}`,
      code: "EXPORT_TRUNCATED",
    });
    logger.error({ err }, "backup failed");
    logger.error(err);
    logger.error({ wrapped: { err } }, "nested error");
    logger.child({ token: SECRET, tenantId: "t1" }).child({ sealedCredentials: SECRET }).info("child");
    logger.info("connecting to %s with %o", `redis://default:${SECRET}@cache:6379`, { password: SECRET });
    logger.info({ url: `nats://svc:${SECRET}@nats:4222` }, "url field");
    assert.ok(!text().includes(SECRET), "secret reached the output");

    const [first, second, third, child, format, url] = lines();
    const serialized = (first?.err ?? {}) as Record<string, unknown>;
    assert.equal(serialized.type, "Error");
    assert.equal(serialized.code, "EXPORT_TRUNCATED", "non-secret error fields stay");
    assert.equal(serialized.config, REDACTED);
    assert.match(String(serialized.message), /export failed: channel closed/);
    assert.equal((second?.err as Record<string, unknown> | undefined)?.config, REDACTED);
    assert.equal(second?.msg, "export failed");
    assert.deepEqual(third?.wrapped, { err: { ...serialized } });
    assert.equal(child?.tenantId, "t1");
    assert.equal(child?.token, REDACTED);
    assert.equal(child?.sealedCredentials, REDACTED);
    assert.match(String(format?.msg), /redis:\/\/default:\[redacted\]@cache:6379/);
    assert.equal(url?.url, "nats://svc:[redacted]@nats:4222");
  });

  it("keeps ordinary fields, handles cycles and binary, does not modify the logged object", () => {
    const { logger, lines } = memoryLogger();
    const cyclic: Record<string, unknown> = { deviceId: "d1", password: SECRET };
    cyclic.self = cyclic;
    logger.info({ cyclic, bytes: Buffer.from(SECRET), at: new Date(0), sha256: "abc" }, "misc");
    const [line] = lines();
    assert.deepEqual(line?.cyclic, { deviceId: "d1", password: REDACTED, self: "[circular]" });
    assert.equal(line?.bytes, `[binary ${SECRET.length} bytes]`);
    assert.equal(line?.at, "1970-01-01T00:00:00.000Z");
    assert.equal(line?.sha256, "abc");
    assert.equal(line?.level, "info");
    assert.equal(cyclic.password, SECRET, "input untouched");
  });

  it("cuts off data nested beyond the depth limit instead of showing it", () => {
    let deep: Record<string, unknown> = { value: SECRET };
    for (let i = 0; i < 40; i++) deep = { next: deep };
    assert.ok(!JSON.stringify(redactSecrets(deep)).includes(SECRET));
  });

  it("classifies keys and URLs", () => {
    for (const key of SECRET_FIELDS) assert.ok(isSecretKey(key), key);
    for (const key of ["deviceId", "tenantId", "sha256", "host", "port", "contentType", "configVersion", "name"]) {
      assert.ok(!isSecretKey(key), key);
    }
    assert.equal(redactUrlCredentials("postgres://app:pw@db:5432/x"), "postgres://app:[redacted]@db:5432/x");
    assert.equal(redactUrlCredentials("postgres://app@db:5432/x"), "postgres://app@db:5432/x");
    assert.equal(redactUrlCredentials("plain text: a@b"), "plain text: a@b");
  });
});
