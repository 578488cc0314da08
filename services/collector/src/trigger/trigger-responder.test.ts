import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, it } from "node:test";
import { TriggerReplyCodec } from "@netledger/contracts";
import { startHarness } from "../../test/harness.js";
import { UNKNOWN_REQUEST_ID } from "./trigger-reply.js";

describe("trigger responder", () => {
  it("answers invalid requests and unreadable credentials with stable codes, never echoing values", {
    timeout: 30_000,
  }, async () => {
    const h = await startHarness({ fleet: { count: 1 } });
    try {
      const ask = async (payload: string) =>
        TriggerReplyCodec.decode(
          (await h.world.nc.request(h.world.wire.subjects.trigger, payload, { timeout: 10_000 })).data,
        );

      assert.deepEqual(await ask("not json"), {
        kind: "failed",
        requestId: UNKNOWN_REQUEST_ID,
        code: "INVALID_MESSAGE",
        message: "invalid trigger request message: not valid UTF-8 JSON",
      });

      const requestId = randomUUID();
      const partial = await ask(JSON.stringify({ requestId, tenantId: "t", password: "hunter2-secret" }));
      assert.equal(partial.kind, "failed");
      assert.equal(partial.requestId, requestId);
      assert.equal(partial.kind === "failed" && partial.code, "INVALID_MESSAGE");
      assert.doesNotMatch(JSON.stringify(partial), /hunter2/);

      // Credentials sealed for another device do not open for this one (AAD binds them).
      const sim = h.fleet.devices[0]!;
      const other = { ...h.ref(sim), deviceId: randomUUID() };
      const reply = await h.trigger(other);
      assert.equal(reply.kind === "failed" && reply.code, "CREDENTIALS_UNREADABLE");
      assert.equal(sim.stats.sessions, 0, "no SSH session without credentials");
      assert.equal((await h.lastFailure(other))?.permanent, true);
    } finally {
      await h.close();
    }
  });
});
