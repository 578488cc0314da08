import { BackupError } from "../errors.js";

/** No driver is registered under this id (DRIVER_UNKNOWN, permanent: retrying cannot help). */
export class UnknownDriverError extends BackupError {
  override readonly name = "UnknownDriverError";
  constructor(readonly driverId: string) {
    super("DRIVER_UNKNOWN", `unknown driver ${JSON.stringify(driverId.slice(0, 64))}`);
  }
}
