import { fingerprintOf } from "@netledger/device-sim";
import ssh2 from "ssh2";
import type { BenchDevice } from "./bench-world.js";
import { mapPool } from "./pool.js";

/** One device's bare export: connect → exec → read all → close. */
export type BareResult =
  | { readonly kind: "ok"; readonly ms: number; readonly bytes: number }
  | { readonly kind: "failed"; readonly ms: number; readonly reason: string };

export interface BarePassOptions {
  readonly concurrency: number;
  /** Per-device safety net; the session is destroyed and counted failed past it. */
  readonly timeoutMs: number;
}

/**
 * Phase A, the floor under the collector: plain ssh2 with the same transport settings the
 * collector uses (Nagle off, host key checked against the pinned fingerprint), no lock, no
 * parsing, no publish. `concurrency` sessions at a time over all devices.
 */
export function runBareSshPass(devices: readonly BenchDevice[], options: BarePassOptions): Promise<BareResult[]> {
  return mapPool(devices, options.concurrency, (device) => exportOnce(device, options.timeoutMs));
}

function exportOnce(device: BenchDevice, timeoutMs: number): Promise<BareResult> {
  const started = performance.now();
  return new Promise<BareResult>((resolve) => {
    const client = new ssh2.Client();
    let bytes = 0;
    let exitCode: number | null = null;
    let failure: string | undefined;
    const fail = (reason: string): void => {
      failure ??= reason;
      client.destroy();
    };
    const timer = setTimeout(() => fail(`no result within ${timeoutMs} ms`), timeoutMs);
    // Done only once the socket is closed, as the collector's session close: the device sees the session end.
    client.on("close", () => {
      clearTimeout(timer);
      const ms = performance.now() - started;
      if (failure === undefined && exitCode !== 0) failure = `exit status ${exitCode}`;
      if (failure === undefined && bytes !== device.sim.exportBytes)
        failure = `read ${bytes} of ${device.sim.exportBytes} bytes`;
      resolve(failure === undefined ? { kind: "ok", ms, bytes } : { kind: "failed", ms, reason: failure });
    });
    client.on("error", (err: Error & { level?: string }) => fail(`ssh error (${err.level ?? err.name})`));
    client.on("ready", () => {
      client.exec(device.exportCommand, (err, channel) => {
        if (err) return fail("exec refused");
        channel.on("data", (chunk: Buffer) => {
          bytes += chunk.length;
        });
        channel.stderr.resume();
        channel.on("exit", (code: number | null) => {
          exitCode = code;
        });
        channel.on("close", () => client.end());
      });
    });
    client.connect({
      host: device.target.host,
      port: device.target.port,
      username: device.sim.username,
      password: device.sim.password,
      readyTimeout: timeoutMs,
      keepaliveInterval: 0,
      hostVerifier: (key: Buffer) => fingerprintOf(key) === device.target.hostKeyFingerprint,
    });
    client.setNoDelay(true);
  });
}
