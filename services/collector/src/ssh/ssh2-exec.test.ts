import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startFleet } from "@netledger/device-sim";
import { STDOUT_HEAD_BYTES } from "./ssh-session.js";
import { createSsh2Connector } from "./ssh2-connector.js";

describe("ssh2 exec with onStdout", () => {
  it("hands every stdout chunk on and keeps only the head of stdout", { timeout: 60_000 }, async () => {
    const fleet = await startFleet({ count: 1, versions: ["7.16.1"], config: { kind: "synthetic", bytes: 400_000 } });
    try {
      const device = fleet.devices[0]!;
      const session = await createSsh2Connector().connect(
        {
          host: device.host,
          port: device.port,
          username: device.username,
          password: device.password,
          pinnedFingerprint: null,
        },
        { timeoutMs: 10_000 },
      );
      try {
        const options = { idleTimeoutMs: 10_000, deadlineMs: 30_000, maxBytes: 8 * 1024 * 1024 };
        const chunks: Buffer[] = [];
        const streamed = await session.exec("/export show-sensitive", { ...options, onStdout: (c) => chunks.push(c) });
        const whole = Buffer.concat(chunks);
        assert.ok(whole.length > 4 * STDOUT_HEAD_BYTES, `${whole.length} bytes`);
        assert.equal(streamed.exitCode, 0);
        assert.deepEqual(streamed.stdout, whole.subarray(0, STDOUT_HEAD_BYTES));
        const joined = await session.exec("/export show-sensitive", options);
        assert.equal(joined.stdout.length, whole.length);
        const afterHeader = (bytes: Buffer) => bytes.subarray(bytes.indexOf(0x0a));
        assert.deepEqual(afterHeader(joined.stdout), afterHeader(whole));
      } finally {
        await session.close();
      }
    } finally {
      await fleet.stop();
    }
  });
});
