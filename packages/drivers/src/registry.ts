import type { Driver } from "@netledger/contracts";
import type { DeviceDriver } from "./driver.js";
import { UnknownDriverError } from "./errors.js";
import { routerOsDriver } from "./routeros/index.js";

/** One driver per contract `Driver` id; the type makes a new id without a driver a compile error. */
const DRIVERS: { readonly [id in Driver]: DeviceDriver } = Object.freeze({
  routeros: routerOsDriver,
});

/**
 * The driver for `id`. Ids normally come validated from a message schema; anything else
 * (an id from a newer contract, a corrupt job) throws {@link UnknownDriverError} (DRIVER_UNKNOWN).
 */
export function getDriver(id: Driver): DeviceDriver {
  if (typeof id !== "string" || !Object.hasOwn(DRIVERS, id)) throw new UnknownDriverError(String(id));
  return DRIVERS[id];
}
