import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Driver } from "@netledger/contracts";
import { getDriver, routerOsDriver, UnknownDriverError } from "./index.js";

describe("driver registry", () => {
  it("returns the RouterOS driver for its id", () => {
    assert.equal(getDriver("routeros"), routerOsDriver);
    assert.equal(routerOsDriver.id, "routeros");
  });

  it("throws DRIVER_UNKNOWN for any other id, inherited keys included", () => {
    for (const id of ["cisco-ios", "", "toString", "__proto__"]) {
      assert.throws(
        () => getDriver(id as Driver),
        (err: unknown) => err instanceof UnknownDriverError && err.code === "DRIVER_UNKNOWN",
        id,
      );
    }
  });
});
