/**
 * Errors the simulator raises to its callers (tests, CLI). Each carries a stable `code`;
 * messages never contain passwords, keys or config text.
 */
export class DeviceSimError extends Error {
  override readonly name: string = "DeviceSimError";
  constructor(
    readonly code:
      | "INVALID_OPTIONS"
      | "UNKNOWN_DEVICE"
      | "CONFIG_CHANGE_FAILED"
      | "FIXTURES_UNREADABLE"
      | "LISTEN_FAILED",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Options that cannot describe a fleet (count < 1, bad port range, empty version list...). */
export class InvalidOptionsError extends DeviceSimError {
  override readonly name = "InvalidOptionsError";
  constructor(message: string) {
    super("INVALID_OPTIONS", message);
  }
}

/** `fleet.device(name)` for a name the fleet does not have. */
export class UnknownDeviceError extends DeviceSimError {
  override readonly name = "UnknownDeviceError";
  constructor(readonly deviceName: string) {
    super("UNKNOWN_DEVICE", `no simulated device named ${JSON.stringify(deviceName)}`);
  }
}

/** A config change whose target (line, section entry, user) does not exist. */
export class ConfigChangeError extends DeviceSimError {
  override readonly name = "ConfigChangeError";
  constructor(message: string) {
    super("CONFIG_CHANGE_FAILED", message);
  }
}

/** The fixtures folder is missing, unreadable or holds no `.rsc` export. */
export class FixturesError extends DeviceSimError {
  override readonly name = "FixturesError";
  constructor(message: string, options?: { cause?: unknown }) {
    super("FIXTURES_UNREADABLE", message, options);
  }
}

/** A device could not bind its port (in use, permission). */
export class ListenError extends DeviceSimError {
  override readonly name = "ListenError";
  constructor(host: string, port: number, options?: { cause?: unknown }) {
    super("LISTEN_FAILED", `cannot listen on ${host}:${port}`, options);
  }
}
