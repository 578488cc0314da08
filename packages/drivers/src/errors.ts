import type { ErrorCode } from "@netledger/contracts";

/** No driver is registered under this id (DRIVER_UNKNOWN, permanent: retrying cannot help). */
export class UnknownDriverError extends Error {
  override readonly name = "UnknownDriverError";
  readonly code: ErrorCode = "DRIVER_UNKNOWN";
  constructor(readonly driverId: string) {
    super(`unknown driver ${JSON.stringify(driverId.slice(0, 64))}`);
  }
}
