import { createWire, DEFAULT_EVENTS_MAX_BYTES, DEFAULT_SNAPSHOTS_MAX_BYTES, type Wire } from "@netledger/contracts";
import { env } from "./config.js";

/**
 * Config fields every service that touches the wire shares; spread into a service's schema:
 * `z.object({ ...wireConfigShape, OPS_PORT: env.port(9102) })`.
 */
export const wireConfigShape = {
  /** `NETLEDGER_NAMESPACE`: subject and stream prefix of this installation. */
  NETLEDGER_NAMESPACE: env.namespace(),
  /** `NETLEDGER_SNAPSHOTS_MAX_BYTES`: byte limit of the snapshots stream (reserved on the server). */
  NETLEDGER_SNAPSHOTS_MAX_BYTES: env.byteSize(DEFAULT_SNAPSHOTS_MAX_BYTES),
  /** `NETLEDGER_EVENTS_MAX_BYTES`: byte limit of the events stream (reserved on the server). */
  NETLEDGER_EVENTS_MAX_BYTES: env.byteSize(DEFAULT_EVENTS_MAX_BYTES),
};

/** The wire described by a parsed config holding {@link wireConfigShape}'s fields. */
export function wireFromConfig(config: {
  NETLEDGER_NAMESPACE: string;
  NETLEDGER_SNAPSHOTS_MAX_BYTES: number;
  NETLEDGER_EVENTS_MAX_BYTES: number;
}): Wire {
  return createWire(config.NETLEDGER_NAMESPACE, {
    snapshotsMaxBytes: config.NETLEDGER_SNAPSHOTS_MAX_BYTES,
    eventsMaxBytes: config.NETLEDGER_EVENTS_MAX_BYTES,
  });
}
