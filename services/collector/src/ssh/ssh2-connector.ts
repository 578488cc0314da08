import type { CommandOutput } from "@netledger/drivers";
import ssh2 from "ssh2";
import { BackupError, SshError } from "../errors.js";
import { hostKeyFamily, PROBE_ORDER, type SshAlgorithms, sshAlgorithms } from "./algorithms.js";
import { authSequence } from "./auth-methods.js";
import { classifySshFailure, type SshFailureFacts } from "./classify-ssh-error.js";
import { hostKeyType, verifyHostKey } from "./host-key.js";
import {
  type SshConnectOptions,
  type SshConnector,
  type SshExecOptions,
  type SshSession,
  type SshTarget,
  STDOUT_HEAD_BYTES,
} from "./ssh-session.js";

/** Stderr is only read to recognise "bad command" replies; keep a bounded prefix. */
const MAX_STDERR_CHARS = 4096;
/** Safety net above ssh2's own readyTimeout, in case no event ever fires. */
const CONNECT_SAFETY_MARGIN_MS = 1_000;
/** Keyboard-interactive rounds answered with the password; a server asking more is refused. */
const MAX_KEYBOARD_ROUNDS = 2;
/** A device that does not finish the close handshake by then gets its socket destroyed. */
const CLOSE_TIMEOUT_MS = 2_000;

type Ssh2Client = InstanceType<typeof ssh2.Client>;
type SshErrorLike = Error & { code?: unknown; level?: unknown };

function factsOf(
  err: SshErrorLike | undefined,
  phase: SshFailureFacts["phase"],
  progress: { handshakeDone: boolean; tcpConnected: boolean },
): SshFailureFacts {
  return {
    phase,
    errno: typeof err?.code === "string" ? err.code : undefined,
    level: typeof err?.level === "string" ? err.level : undefined,
    closed: err === undefined,
    ...progress,
  };
}

function classified(facts: SshFailureFacts, cause?: unknown): SshError {
  const failure = classifySshFailure(facts);
  return new SshError(failure.code, failure.message, { cause });
}

function abortError(signal: AbortSignal): BackupError {
  return signal.reason instanceof BackupError
    ? signal.reason
    : new SshError("SSH_CONNECTION_LOST", "SSH session aborted by the collector");
}

export interface Ssh2ConnectorSettings {
  /** Offer `LEGACY_KEX` after the modern key exchange methods (default true). */
  readonly legacyKex?: boolean;
}

/**
 * ssh2-backed {@link SshConnector}. ssh2's client channel window is already 2 MiB and refilled
 * as we read (lib/Channel.js MAX_WINDOW), which is what keeps multi-MB RouterOS exports whole;
 * ssh2 exposes no option to enlarge it, so we read promptly and never pause the stream.
 * Nagle is disabled: without it every request/reply round trip waits ~40 ms.
 *
 * Logs in with the private key, then the password, then keyboard-interactive answered with the
 * password (servers that offer only that, e.g. PAM-based ones). With a pinned host key, the
 * pinned key's type is asked for first; when the device presents another key anyway (it lacks
 * the type, or the pin's type is unknown), the other key types are asked for one by one, each on
 * a new connection, before the device is called SSH_HOSTKEY_MISMATCH.
 */
export function createSsh2Connector(settings: Ssh2ConnectorSettings = {}): SshConnector {
  const legacyKex = settings.legacyKex ?? true;
  return { connect: (target, options) => connectPinned(target, options, legacyKex) };
}

async function connectPinned(target: SshTarget, options: SshConnectOptions, legacyKex: boolean): Promise<SshSession> {
  let mismatch: SshError;
  try {
    return await connectSsh2(target, options, sshAlgorithms({ legacyKex, pinnedKeyType: target.pinnedKeyType }));
  } catch (err) {
    if (!(err instanceof SshError) || err.code !== "SSH_HOSTKEY_MISMATCH") throw err;
    mismatch = err;
  }
  const seen = hostKeyFamily(mismatch.observedHostKeyType ?? "");
  const pinned = hostKeyFamily(target.pinnedKeyType ?? "");
  for (const family of PROBE_ORDER) {
    if (family === seen || family === pinned) continue;
    try {
      return await connectSsh2(target, options, sshAlgorithms({ legacyKex, onlyFamily: family }));
    } catch (err) {
      // The device has no key of this type (no host-key algorithm in common), or another wrong one.
      const noSuchKey =
        err instanceof SshError && (err.code === "SSH_HOSTKEY_MISMATCH" || err.code === "SSH_CONNECTION_LOST");
      if (!noSuchKey) throw err;
    }
  }
  throw mismatch;
}

function connectSsh2(target: SshTarget, options: SshConnectOptions, algorithms: SshAlgorithms): Promise<SshSession> {
  return new Promise<SshSession>((resolve, reject) => {
    const client = new ssh2.Client();
    let observedFingerprint: string | undefined;
    let observedKeyType: string | null = null;
    let hostKeyRejected = false;
    const progress = { handshakeDone: false, tcpConnected: false };
    let settled = false;

    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(safety);
      options.signal?.removeEventListener("abort", onAbort);
      return true;
    };
    const fail = (err: BackupError): void => {
      if (!settle()) return;
      client.destroy();
      reject(err);
    };
    const failFrom = (err: SshErrorLike | undefined): void => {
      // Every session ends with 'close': once settled there is nothing to classify (and no error to build).
      if (settled) return;
      if (hostKeyRejected) {
        fail(
          new SshError("SSH_HOSTKEY_MISMATCH", "device presented a host key different from the pinned one", {
            observedHostKeyFingerprint: observedFingerprint,
            observedHostKeyType: observedKeyType ?? undefined,
          }),
        );
        return;
      }
      fail(classified(factsOf(err, "connect", progress), err));
    };
    const onAbort = (): void => fail(abortError(options.signal!));
    const safety = setTimeout(
      () => fail(new SshError("SSH_TIMEOUT", "SSH connection timed out")),
      options.timeoutMs + CONNECT_SAFETY_MARGIN_MS,
    );
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener("abort", onAbort, { once: true });

    // Listeners stay for the client's whole life: a late 'error' without a listener would crash the process.
    client.on("error", (err: SshErrorLike) => failFrom(err));
    client.on("close", () => failFrom(undefined));
    client.on("connect", () => {
      progress.tcpConnected = true;
    });
    client.on("handshake", () => {
      progress.handshakeDone = true;
    });
    let keyboardRounds = 0;
    client.on("keyboard-interactive", (_name, _instructions, _lang, prompts, finish) => {
      // Every prompt of the first rounds gets the password; a server that keeps asking is refused.
      keyboardRounds++;
      const answer = target.password !== undefined && keyboardRounds <= MAX_KEYBOARD_ROUNDS ? target.password : null;
      finish(answer === null ? [] : prompts.map(() => answer));
    });
    client.on("ready", () => {
      if (!settle()) return;
      resolve(new Ssh2Session(client, observedFingerprint!, observedKeyType));
    });
    try {
      client.connect({
        host: target.host,
        port: target.port,
        username: target.username,
        password: target.password,
        privateKey: target.privateKey,
        passphrase: target.passphrase,
        tryKeyboard: target.password !== undefined,
        authHandler: authSequence({
          password: target.password !== undefined,
          privateKey: target.privateKey !== undefined,
        }) as ssh2.AuthHandlerMiddleware,
        readyTimeout: options.timeoutMs,
        keepaliveInterval: 0,
        algorithms: algorithms as ssh2.Algorithms,
        hostVerifier: (key: Buffer): boolean => {
          const decision = verifyHostKey(key, target.pinnedFingerprint);
          observedFingerprint = decision.fingerprint;
          observedKeyType = hostKeyType(key);
          hostKeyRejected = decision.kind === "reject";
          return decision.kind === "accept";
        },
      });
      client.setNoDelay(true);
    } catch (cause) {
      // ssh2 throws synchronously only for unusable local input, i.e. a private key it cannot parse.
      fail(new BackupError("CREDENTIALS_UNREADABLE", "device private key could not be parsed", { cause }));
    }
  });
}

class Ssh2Session implements SshSession {
  #closed = false;
  #onClose: (() => void) | undefined;
  readonly #socketClosed: Promise<void>;

  constructor(
    private readonly client: Ssh2Client,
    readonly hostKeyFingerprint: string,
    readonly hostKeyType: string | null,
  ) {
    this.#socketClosed = new Promise((resolve) => {
      client.on("close", () => {
        this.#closed = true;
        this.#onClose?.();
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.client.end();
    }
    let timer: NodeJS.Timeout | undefined;
    const forced = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.client.destroy();
        resolve();
      }, CLOSE_TIMEOUT_MS);
    });
    await Promise.race([this.#socketClosed, forced]);
    clearTimeout(timer);
  }

  exec(command: string, options: SshExecOptions): Promise<CommandOutput> {
    return new Promise<CommandOutput>((resolve, reject) => {
      if (this.#closed) {
        reject(new SshError("SSH_CONNECTION_LOST", "SSH connection already closed"));
        return;
      }
      const chunks: Buffer[] = [];
      let total = 0;
      let head = 0;
      let stderr = "";
      let exitCode: number | null = null;
      let settled = false;
      let idle: NodeJS.Timeout | undefined;

      const settle = (): boolean => {
        if (settled) return false;
        settled = true;
        clearTimeout(idle);
        clearTimeout(deadline);
        options.signal?.removeEventListener("abort", onAbort);
        this.#onClose = undefined;
        return true;
      };
      const fail = (err: BackupError): void => {
        if (!settle()) return;
        this.#closed = true;
        this.client.destroy();
        reject(err);
      };
      const finish = (): void => {
        // A drop before any output is a lost connection; after some output, the driver's
        // completeness check sees exitCode null and reports EXPORT_TRUNCATED.
        if (exitCode === null && total === 0 && this.#closed) {
          fail(classified({ phase: "command", closed: true }));
          return;
        }
        if (!settle()) return;
        const stdout = Buffer.concat(chunks);
        // The stream's listeners keep this closure alive a while: let the chunks go now.
        chunks.length = 0;
        resolve({ stdout, stderr, exitCode });
      };
      const timeout = (): void => fail(classified({ phase: "command", level: "client-timeout" }));
      const touch = (): void => {
        clearTimeout(idle);
        idle = setTimeout(timeout, options.idleTimeoutMs);
      };
      const onAbort = (): void => fail(abortError(options.signal!));
      const deadline = setTimeout(timeout, options.deadlineMs);
      touch();
      if (options.signal?.aborted) return onAbort();
      options.signal?.addEventListener("abort", onAbort, { once: true });
      // The channel normally closes on its own when the socket goes; this covers a channel that never opened.
      this.#onClose = () => setImmediate(finish);

      this.client.exec(command, (err, stream) => {
        if (err) {
          fail(
            this.#closed
              ? classified({ phase: "command", closed: true }, err)
              : new SshError("COMMAND_FAILED", "device refused to open a command channel", { cause: err }),
          );
          return;
        }
        if (settled) {
          stream.destroy();
          return;
        }
        stream.on("data", (chunk: Buffer) => {
          if (settled) return;
          total += chunk.length;
          if (total > options.maxBytes) {
            fail(new BackupError("EXPORT_TOO_LARGE", `export exceeds the ${options.maxBytes}-byte limit`));
            return;
          }
          if (options.onStdout === undefined) chunks.push(chunk);
          else {
            // Only the head is kept, copied: a slice would keep ssh2's whole packet buffer alive.
            if (head < STDOUT_HEAD_BYTES) chunks.push(Buffer.from(chunk.subarray(0, STDOUT_HEAD_BYTES - head)));
            head = Math.min(STDOUT_HEAD_BYTES, head + chunk.length);
            options.onStdout(chunk);
          }
          touch();
        });
        stream.stderr.on("data", (chunk: Buffer) => {
          if (stderr.length < MAX_STDERR_CHARS)
            stderr += chunk.toString("utf8").slice(0, MAX_STDERR_CHARS - stderr.length);
          touch();
        });
        stream.on("exit", (code: number | null) => {
          exitCode = typeof code === "number" ? code : null;
        });
        stream.on("close", finish);
      });
    });
  }
}
