import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { NatsConnection } from "@nats-io/nats-core";
import { connectNats, createLogger } from "@netledger/platform";
import { type ServerHandle, startNatsServer } from "@netledger/testkit";
import { monitorBus } from "./bus-monitor.js";
import { requestCollector } from "./collector-request.js";

const logger = createLogger({ name: "collector-request-test", level: "silent" });
const SUBJECT = "t.backup.trigger";
const QUEUE = "t-collectors";
const settings = { timeoutMs: 30_000, busGraceMs: 20_000, resubscribeGraceMs: 5_000 };

async function until(what: string, probe: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("collector request over a private NATS server", { timeout: 120_000 }, () => {
  let server: ServerHandle;
  let gateway: NatsConnection;
  let collector: NatsConnection;
  before(async () => {
    server = await startNatsServer({ jetstream: false });
    gateway = await connectNats({ servers: [server.url], name: "gateway-test", logger });
    collector = await connectNats({ servers: [server.url], name: "collector-test", logger });
  });
  after(async () => {
    await gateway?.close();
    await collector?.close();
    await server?.stop();
  });

  it("answers no-collector at once when nobody listens", async () => {
    const answer = await requestCollector(gateway, monitorBus(gateway), {
      ...settings,
      subject: SUBJECT,
      payload: new TextEncoder().encode("{}"),
    });
    assert.deepEqual(answer, { kind: "no-collector" });
  });

  it("answers timeout when the collector stays silent", async () => {
    const sub = collector.subscribe(SUBJECT, { queue: QUEUE });
    await collector.flush();
    try {
      const answer = await requestCollector(gateway, monitorBus(gateway), {
        ...settings,
        timeoutMs: 300,
        subject: SUBJECT,
        payload: new TextEncoder().encode("{}"),
      });
      assert.deepEqual(answer, { kind: "timeout", resends: 0 });
    } finally {
      sub.unsubscribe();
    }
  });

  it("sends the same request again after a reconnect, so a lost request or reply is not a timeout", async () => {
    const bus = monitorBus(gateway);
    const received: string[] = [];
    const sub = collector.subscribe(SUBJECT, {
      queue: QUEUE,
      callback: (_err, msg) => {
        received.push(new TextDecoder().decode(msg.data));
        // The first copy's reply is lost in the outage (never sent); the resend is answered.
        if (received.length > 1) msg.respond(new TextEncoder().encode("done"));
      },
    });
    await collector.flush();
    try {
      const pending = requestCollector(gateway, bus, {
        ...settings,
        subject: SUBJECT,
        payload: new TextEncoder().encode('{"requestId":"same"}'),
      });
      await until("the collector got the first copy", () => received.length === 1);
      await server.stop();
      await until("the gateway saw the disconnect", () => !bus.connected());
      await server.start();
      const answer = await pending;
      assert.equal(answer.kind, "reply");
      assert.equal(answer.kind === "reply" && new TextDecoder().decode(answer.data), "done");
      assert.ok(answer.kind === "reply" && answer.resends >= 1);
      assert.deepEqual(new Set(received), new Set(['{"requestId":"same"}']), "the same request id each time");
    } finally {
      sub.unsubscribe();
    }
  });

  it("after a resend, a reply that may concern our own first copy (device locked by it) is asked again", async () => {
    const bus = monitorBus(gateway);
    let copies = 0;
    const sub = collector.subscribe(SUBJECT, {
      queue: QUEUE,
      callback: (_err, msg) => {
        copies++;
        // First copy: still "running" (no reply yet); second: locked by the first; third: done.
        if (copies === 2) msg.respond(new TextEncoder().encode("locked"));
        if (copies >= 3) msg.respond(new TextEncoder().encode("done"));
      },
    });
    await collector.flush();
    try {
      await until("connected", () => bus.connected());
      const pending = requestCollector(gateway, bus, {
        ...settings,
        subject: SUBJECT,
        payload: new TextEncoder().encode("{}"),
        retryAfterResend: (data) => new TextDecoder().decode(data) === "locked",
      });
      await until("the collector got the first copy", () => copies === 1);
      await server.stop();
      await until("the gateway saw the disconnect", () => !bus.connected());
      await server.start();
      const answer = await pending;
      assert.equal(answer.kind === "reply" && new TextDecoder().decode(answer.data), "done");
    } finally {
      sub.unsubscribe();
    }
  });

  it("a request made while NATS is down waits for the reconnect within the grace, then is answered", async () => {
    const bus = monitorBus(gateway);
    const sub = collector.subscribe(SUBJECT, {
      queue: QUEUE,
      callback: (_err, msg) => {
        msg.respond(new TextEncoder().encode("done"));
      },
    });
    await collector.flush();
    try {
      await until("connected", () => bus.connected());
      await server.stop();
      await until("the gateway saw the disconnect", () => !bus.connected());
      const pending = requestCollector(gateway, bus, {
        ...settings,
        subject: SUBJECT,
        payload: new TextEncoder().encode("{}"),
      });
      await server.start();
      const answer = await pending;
      assert.equal(answer.kind, "reply");
    } finally {
      sub.unsubscribe();
    }
  });

  it("answers bus-unavailable when NATS stays down longer than the grace", async () => {
    const bus = monitorBus(gateway);
    await until("connected", () => bus.connected());
    await server.stop();
    try {
      await until("the gateway saw the disconnect", () => !bus.connected());
      const answer = await requestCollector(gateway, bus, {
        ...settings,
        busGraceMs: 200,
        subject: SUBJECT,
        payload: new TextEncoder().encode("{}"),
      });
      assert.deepEqual(answer, { kind: "bus-unavailable" });
    } finally {
      await server.start();
    }
  });
});
