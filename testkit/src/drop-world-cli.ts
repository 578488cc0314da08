/**
 * Removes what one NetLedger installation left on shared servers: its streams and blob bucket
 * (`--namespace`), its database (`--database-url`) and its Redis keys (`--redis-prefix`). Used by
 * `scripts/newcomer-check.sh`, which runs `npm start` under a throw-away namespace on the shared
 * servers and must leave them as it found them.
 *
 *   node --import tsx testkit/src/drop-world-cli.ts --namespace nlci-x --database-url postgres://... --redis-prefix nlci-x:
 */
import { parseArgs } from "node:util";
import { connect } from "@nats-io/transport-node";
import { createWire } from "@netledger/contracts";
import { dropDatabase } from "@netledger/db";
import { deleteNamespace } from "@netledger/platform";
import { Redis } from "ioredis";
import { deleteKeysWithPrefix } from "./redis-keys.js";

const { values } = parseArgs({
  options: {
    namespace: { type: "string" },
    "database-url": { type: "string" },
    "redis-prefix": { type: "string" },
    "nats-url": { type: "string", default: process.env.NATS_URL ?? "nats://127.0.0.1:4222" },
    "redis-url": { type: "string", default: process.env.REDIS_URL ?? "redis://127.0.0.1:6379" },
  },
});

if (values.namespace) {
  const nc = await connect({ servers: values["nats-url"]!.split(",") });
  await deleteNamespace(nc, createWire(values.namespace));
  await nc.drain();
}
if (values["database-url"]) await dropDatabase(values["database-url"]);
if (values["redis-prefix"]) {
  if (values["redis-prefix"].length < 4) throw new Error("refusing a Redis prefix shorter than 4 characters");
  const redis = new Redis(values["redis-url"]!, { lazyConnect: true });
  await redis.connect();
  await deleteKeysWithPrefix(redis, values["redis-prefix"]);
  redis.disconnect();
}
