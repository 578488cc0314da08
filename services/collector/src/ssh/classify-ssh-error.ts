import type { ErrorCode } from "@netledger/contracts";

/** Where in the SSH conversation an error surfaced. */
export type SshPhase = "connect" | "command";

/** What is known about a failure, as plain data: ssh2 error fields plus what the adapter saw. */
export interface SshFailureFacts {
  readonly phase: SshPhase;
  /** Node system error code (ECONNREFUSED, ...), when there is one. */
  readonly errno?: string | undefined;
  /** ssh2's `err.level` (client-socket, client-timeout, client-authentication, handshake, protocol, ...). */
  readonly level?: string | undefined;
  /** The connection closed without an error event. */
  readonly closed?: boolean;
  /** ssh2 completed key exchange before the failure (the device speaks SSH). */
  readonly handshakeDone?: boolean;
  /** The TCP connection was accepted (ssh2's `connect` event) before the failure. */
  readonly tcpConnected?: boolean;
}

export interface SshFailure {
  readonly code: ErrorCode;
  /** Fixed wording per case: never derived from the device or from ssh2 messages. */
  readonly message: string;
}

const UNREACHABLE = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN", "EADDRNOTAVAIL"]);
const LOST = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED"]);

/**
 * The device let us connect and hung up before key exchange: a plain close or reset, or what
 * ssh2 reports as a protocol error when the socket ends before the server's identification line
 * (OpenSSH dropping a connection over `MaxStartups`, a device at its session limit, a port
 * forwarded to nothing). Nothing was negotiated, so it is "unreachable for now", not a protocol
 * mismatch; a failed negotiation is level `handshake` and stays SSH_CONNECTION_LOST.
 */
function closedEarly(facts: SshFailureFacts): boolean {
  if (facts.closed || (facts.errno && LOST.has(facts.errno))) return true;
  return facts.tcpConnected === true && facts.level === "protocol" && facts.errno === undefined;
}

/**
 * Maps a failed SSH connect or command to a stable contract code. Host-key mismatch, the byte
 * cap and command timeouts are decided by the adapter itself and never reach this function.
 */
export function classifySshFailure(facts: SshFailureFacts): SshFailure {
  if (facts.errno && UNREACHABLE.has(facts.errno)) {
    return { code: "SSH_UNREACHABLE", message: `device unreachable (${facts.errno})` };
  }
  if (facts.errno === "ETIMEDOUT" || facts.level === "client-timeout") {
    return {
      code: "SSH_TIMEOUT",
      message: facts.phase === "connect" ? "SSH connection timed out" : "SSH command timed out",
    };
  }
  if (facts.level === "client-authentication") {
    return { code: "SSH_AUTH_FAILED", message: "SSH authentication failed" };
  }
  if (facts.phase === "connect" && !facts.handshakeDone && closedEarly(facts)) {
    return { code: "SSH_UNREACHABLE", message: "device closed the connection before the SSH handshake" };
  }
  if (facts.level === "handshake" || facts.level === "protocol") {
    return { code: "SSH_CONNECTION_LOST", message: "SSH protocol negotiation failed" };
  }
  return {
    code: "SSH_CONNECTION_LOST",
    message: facts.phase === "connect" ? "SSH connection lost while connecting" : "SSH connection lost during command",
  };
}
