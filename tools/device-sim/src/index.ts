/**
 * Simulated MikroTik RouterOS devices over real SSH, for tests, the demo and benchmarks.
 *
 * @example
 * import { startFleet } from "@netledger/device-sim";
 * const fleet = await startFleet({ count: 5, config: { kind: "synthetic", bytes: 50_000 } });
 * const text = fleet.devices[0]!.renderExport({ showSensitive: true });
 * await fleet.stop();
 */

export type { FixtureFile } from "./config/fixture-config.js";
export { loadFixtures } from "./config/fixtures.js";
export {
  ConfigChangeError,
  DeviceSimError,
  FixturesError,
  InvalidOptionsError,
  ListenError,
  UnknownDeviceError,
} from "./errors.js";
export { fingerprintOf } from "./fingerprint.js";
export { defaultFixturesDir, findFixturesDir, fixturesDirCandidate } from "./fixtures-dir.js";
export { startFleet } from "./fleet.js";
export { INVENTORY_HEADER } from "./inventory.js";
export { generateEd25519, type OpenSshKeyPair } from "./openssh-key.js";
export { parseHeaderLine } from "./render/header.js";
export { SECRET_ATTRIBUTES } from "./render/secrets.js";
export { WRAP_WIDTH } from "./render/wrap.js";
export {
  type ConfigChange,
  type ConfigSource,
  type DeviceStats,
  FAILURE_MODES,
  type FailureMode,
  type Fleet,
  type FleetOptions,
  type RenderOptions,
  type SimDevice,
} from "./types.js";
