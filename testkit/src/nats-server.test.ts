import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, describe, it } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { PROVISIONED_NATS_SERVER } from "./binaries.js";
import { type NatsCluster, type ServerHandle, startNatsCluster, startNatsServer } from "./index.js";
import { probeNats } from "./probes.js";

/** Retries `attempt` until it resolves (a new leader takes a moment to be elected). */
async function eventually<T>(attempt: () => Promise<T>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await delay(200);
    }
  }
}

async function withConnection<T>(servers: string | string[], work: (nc: NatsConnection) => Promise<T>): Promise<T> {
  const nc = await connect({ servers });
  try {
    return await work(nc);
  } finally {
    await nc.close();
  }
}

describe("startNatsServer", () => {
  let server: ServerHandle;
  after(() => server?.stop());

  it("keeps JetStream streams and messages across stop and start", async () => {
    server = await startNatsServer();
    await withConnection(server.url, async (nc) => {
      await (await jetstreamManager(nc)).streams.add({ name: "KEEP", subjects: ["keep.>"] });
      for (const n of [1, 2, 3]) await jetstream(nc).publish("keep.it", `m${n}`);
    });
    await server.stop();
    await assert.rejects(withConnection(server.url, async () => {}));
    await server.start();
    const state = await withConnection(server.url, async (nc) => (await jetstreamManager(nc)).streams.info("KEEP"));
    assert.equal(state.state.messages, 3);
  });

  it("runs the provisioned nats-server 2.10 when scripts/provision-nats.sh has run", {
    skip: !existsSync(PROVISIONED_NATS_SERVER) && "not provisioned (bash scripts/provision-nats.sh)",
  }, async () => {
    const own = await startNatsServer({ jetstream: false });
    try {
      const version = await withConnection(own.url, async (nc) => nc.info?.version ?? "");
      const [major = 0, minor = 0] = version.split(".").map(Number);
      assert.ok(major > 2 || (major === 2 && minor >= 10), `version ${version}`);
    } finally {
      await own.stop();
    }
  });

  it("is probed by name: another nats-server on the port is not taken for it", async () => {
    const own = await startNatsServer({ jetstream: false });
    try {
      await assert.rejects(probeNats(own.url, { serverName: "some-other-server" }), /another nats-server/);
      await assert.rejects(probeNats(own.url, { cluster: "some-cluster" }), /cluster/);
      await own.stop();
      await assert.rejects(own.pause(), /not running/, "a stopped server cannot be paused");
    } finally {
      await own.stop();
    }
  });

  it("pause() makes a server hang with its sockets open; resume() lets it answer again", async () => {
    const own = await startNatsServer({ jetstream: false });
    try {
      await own.pause();
      await assert.rejects(connect({ servers: own.url, timeout: 500, reconnect: false }));
      own.resume();
      await withConnection(own.url, async (nc) => nc.flush());
    } finally {
      await own.stop();
    }
  });
});

describe("startNatsCluster", () => {
  let cluster: NatsCluster;
  after(() => cluster?.stop());

  it("has a meta leader and a replicated stream survives losing its leader node", async () => {
    cluster = await startNatsCluster();
    assert.equal(cluster.nodes.length, 3);
    assert.match(await cluster.metaLeader(), /^n[123]$/);

    const info = await withConnection(cluster.urls, async (nc) => {
      const added = await (await jetstreamManager(nc)).streams.add({ name: "R3", subjects: ["r3.>"], num_replicas: 3 });
      await jetstream(nc).publish("r3.a", "before");
      return added;
    });
    assert.equal(info.config.num_replicas, 3);
    const leader = Number(info.cluster?.leader?.replace(/^n/, ""));
    assert.ok(leader >= 1 && leader <= 3, `stream leader ${info.cluster?.leader}`);
    await cluster.nodes[leader - 1]!.stop();

    const survivors = cluster.urls.filter((_, index) => index !== leader - 1);
    const state = await withConnection(survivors, (nc) =>
      eventually(async () => {
        await jetstream(nc).publish("r3.a", "after", { timeout: 2_000 });
        return (await jetstreamManager(nc)).streams.info("R3");
      }),
    );
    assert.equal(state.state.messages, 2);
    assert.notEqual(state.cluster?.leader, `n${leader}`);
  });
});
