import type { ErrorCode } from "@netledger/contracts";
import type { FailureMode } from "@netledger/device-sim";

/**
 * Every failure mode of the device simulator and the stable code(s) a backup of such a device
 * ends with, for tests at any layer (collector reply, gateway 502). `drop` cuts the connection
 * after part of the export: the channel closes without an exit status, so the completeness check
 * reports EXPORT_TRUNCATED (SSH_CONNECTION_LOST only when not a byte had arrived yet).
 */
export const SIM_FAILURE_CODES: ReadonlyArray<readonly [FailureMode, readonly ErrorCode[]]> = [
  ["auth-fail", ["SSH_AUTH_FAILED"]],
  ["refuse", ["SSH_UNREACHABLE"]],
  ["hang", ["SSH_TIMEOUT"]],
  ["hang-banner", ["SSH_TIMEOUT"]],
  ["drop", ["EXPORT_TRUNCATED", "SSH_CONNECTION_LOST"]],
  ["truncate", ["EXPORT_TRUNCATED"]],
  ["garbage", ["EXPORT_INVALID"]],
  ["oversize", ["EXPORT_TOO_LARGE"]],
  ["hostkey-rotated", ["SSH_HOSTKEY_MISMATCH"]],
];
