import { createConnection } from "node:net";
import ssh2 from "ssh2";
import { fingerprintOf } from "../fingerprint.js";
import type { SimDevice } from "../types.js";

/**
 * Test-side SSH client: a real ssh2 Client that pins the device's host key fingerprint, as the
 * collector does. Default window and packet sizes, so large exports exercise real flow control.
 */

export interface ConnectOptions {
  readonly username?: string;
  readonly password?: string;
  readonly privateKey?: string;
  /** Fingerprint to pin; default the device's current one. */
  readonly fingerprint?: string;
  readonly readyTimeoutMs?: number;
}

export interface ExecResult {
  readonly stdout: Buffer;
  readonly text: string;
  /** null when the channel closed without an exit status. */
  readonly exitCode: number | null;
}

/** Opens an authenticated connection; rejects with ssh2's error (auth, host key, refused, timeout). */
export function connect(device: SimDevice, options: ConnectOptions = {}): Promise<ssh2.Client> {
  const expected = options.fingerprint ?? device.hostKeyFingerprint;
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    client.once("ready", () => resolve(client));
    // Errors after "ready" (a dropped connection) surface on the channel; keep them from throwing.
    client.on("error", (err) => {
      client.end();
      reject(err);
    });
    const sock = createConnection({ host: device.host, port: device.port, noDelay: true });
    client.connect({
      sock,
      username: options.username ?? device.username,
      ...(options.privateKey === undefined ? { password: options.password ?? device.password } : {}),
      ...(options.privateKey === undefined ? {} : { privateKey: options.privateKey }),
      readyTimeout: options.readyTimeoutMs ?? 5000,
      hostVerifier: (key: Buffer) => fingerprintOf(key) === expected,
    });
  });
}

/** Runs one command on an open connection and collects stdout until the channel closes. */
export function execOn(client: ssh2.Client, command: string, timeoutMs = 10_000): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    client.exec(command, (err, channel) => {
      if (err) return reject(err);
      const chunks: Buffer[] = [];
      let exitCode: number | null = null;
      const timer = setTimeout(() => {
        channel.close();
        reject(new Error(`no answer to ${JSON.stringify(command)} within ${timeoutMs} ms`));
      }, timeoutMs);
      channel.on("data", (data: Buffer) => chunks.push(data));
      channel.on("exit", (code: number | null) => {
        exitCode = code;
      });
      channel.on("close", () => {
        clearTimeout(timer);
        const stdout = Buffer.concat(chunks);
        resolve({ stdout, text: stdout.toString("utf8"), exitCode });
      });
    });
  });
}

/** Ends a connection and resolves once its socket has closed (the server has seen the end). */
export function disconnect(client: ssh2.Client): Promise<void> {
  return new Promise((resolve) => {
    client.once("close", () => resolve());
    client.end();
  });
}

/** Connects, runs one command, disconnects (waiting for the close, as a careful collector does). */
export async function exec(
  device: SimDevice,
  command: string,
  options: ConnectOptions & { timeoutMs?: number } = {},
): Promise<ExecResult> {
  const client = await connect(device, options);
  try {
    return await execOn(client, command, options.timeoutMs);
  } finally {
    await disconnect(client);
  }
}

/** An interactive shell: send lines, read until a marker appears. */
export interface Shell {
  send(data: string): void;
  /** Resolves with everything received so far once it contains `marker` after `from`. */
  waitFor(marker: string, from?: number, timeoutMs?: number): Promise<string>;
  /** Resolves when the server closes the channel. */
  readonly closed: Promise<void>;
  received(): string;
}

/** Opens a shell (with a pty, like a terminal) on an open connection. */
export function openShell(client: ssh2.Client): Promise<Shell> {
  return new Promise((resolve, reject) => {
    client.shell({ term: "vt100", cols: 200, rows: 50 }, (err, channel) => {
      if (err) return reject(err);
      let buffer = "";
      const waiters = new Set<() => void>();
      channel.on("data", (data: Buffer) => {
        buffer += data.toString("utf8");
        for (const check of waiters) check();
      });
      const closed = new Promise<void>((done) => channel.on("close", () => done()));
      resolve({
        send: (data) => channel.write(data),
        received: () => buffer,
        closed,
        waitFor: (marker, from = 0, timeoutMs = 5000) =>
          new Promise((done, fail) => {
            const timer = setTimeout(() => {
              waiters.delete(check);
              fail(new Error(`shell never printed ${JSON.stringify(marker)}`));
            }, timeoutMs);
            const check = (): void => {
              if (buffer.indexOf(marker, from) === -1) return;
              clearTimeout(timer);
              waiters.delete(check);
              done(buffer);
            };
            waiters.add(check);
            check();
          }),
      });
    });
  });
}
