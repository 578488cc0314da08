import { fileURLToPath } from "node:url";
import type { NatsConnection } from "@nats-io/nats-core";
import { type Collector, loadCollectorConfig, startCollector } from "@netledger/collector";
import type { Device } from "@netledger/db";
import type { Fleet, FleetOptions, SimDevice } from "@netledger/device-sim";
import { startFleet } from "@netledger/device-sim";
import { createLockClients, createLogger, deviceSealAad } from "@netledger/platform";
import { createWorld, freePort, startServiceProcess, type World } from "@netledger/testkit";
import { Registry } from "prom-client";
import type { GatewayConfig } from "../src/config.js";
import { startTestGateway, type TestGateway } from "./harness.js";

/**
 * Test support for the backup routes: a world, a simulated fleet, in-process collectors on the
 * world's NATS (or another connection), gateways over the world, and devices of a tenant
 * pointing at the simulator. Not exported from the package.
 */

/** The ingestor as production runs it: its own process, configured by environment only. */
const INGESTOR_MAIN = fileURLToPath(new URL("../../ingestor/src/main.ts", import.meta.url));

/** Collector settings with short timeouts, so failure paths end quickly. */
export const COLLECTOR_TEST_ENV: Readonly<Record<string, string>> = {
  SSH_CONNECT_TIMEOUT_MS: "2000",
  SSH_COMMAND_TIMEOUT_MS: "2000",
  LOCK_TTL_MS: "3000",
  COLLECTOR_ACK_WAIT_MS: "8000",
  COLLECTOR_SHUTDOWN_GRACE_MS: "1000",
  LOG_LEVEL: "silent",
};

export interface FlowHarness {
  readonly world: World;
  readonly fleet: Fleet;
  /** Starts a gateway app over the world with config overrides (closed with the harness). */
  gateway(overrides?: Partial<Record<keyof GatewayConfig, string>>, world?: World): Promise<TestGateway>;
  /** Starts an in-process collector (stopped with the harness). */
  collector(options?: { env?: Record<string, string>; nc?: NatsConnection }): Promise<Collector>;
  /** Starts the ingestor service in a child process on the world (`env` on top); resolves once it is ready. */
  ingestor(env?: Record<string, string>): Promise<void>;
  /** Inserts a device of `tenantId` for the simulated device, credentials sealed as the gateway does. */
  addDevice(tenantId: string, sim: SimDevice, overrides?: Partial<Device>): Promise<Device>;
  /** Runs `cleanup` when the harness closes (last in, first out). */
  onClose(cleanup: () => Promise<unknown>): void;
  close(): Promise<void>;
}

export async function startFlowHarness(options: { fleet: FleetOptions }): Promise<FlowHarness> {
  const world = await createWorld();
  const cleanups: Array<() => Promise<unknown>> = [() => world.close()];
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    cleanups.length = 0;
  };
  try {
    const fleet = await startFleet(options.fleet);
    cleanups.push(() => fleet.stop());
    return {
      world,
      fleet,
      async gateway(overrides = {}, on = world) {
        const gw = await startTestGateway(on, overrides);
        cleanups.push(() => gw.close());
        return gw;
      },
      async collector({ env = {}, nc = world.nc } = {}) {
        const config = loadCollectorConfig({ ...world.env(), ...COLLECTOR_TEST_ENV, ...env });
        const logger = createLogger({ name: "collector-test", level: config.LOG_LEVEL });
        const lockClients = await createLockClients([...config.REDIS_LOCK_URLS], { logger, readyTimeoutMs: 1_000 });
        cleanups.push(async () => {
          for (const client of lockClients) client.disconnect();
        });
        const collector = await startCollector({ config, nc, lockClients, logger, registry: new Registry() });
        cleanups.push(() => collector.stop());
        return collector;
      },
      async ingestor(env = {}) {
        const port = await freePort();
        const ingestor = startServiceProcess(INGESTOR_MAIN, {
          ...process.env,
          ...world.env(),
          OPS_PORT: String(port),
          INGEST_RETRY_BASE_MS: "100",
          INGEST_RETRY_MAX_MS: "500",
          ...env,
        });
        cleanups.push(async () => {
          ingestor.child.kill("SIGTERM");
          await ingestor.exited;
        });
        await ingestor.waitForHttp(port, "/readyz", 200);
      },
      async addDevice(tenantId, sim, overrides = {}) {
        const row = await world.db
          .insertInto("devices")
          .values({
            tenant_id: tenantId,
            name: sim.name,
            host: sim.host,
            port: sim.port,
            driver: "routeros",
            credentials_sealed: "pending",
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        const credentials = world.sealer.sealString(
          JSON.stringify({ username: sim.username, password: sim.password }),
          deviceSealAad(tenantId, row.id),
        );
        return world.db
          .updateTable("devices")
          .set({ credentials_sealed: credentials, ...overrides })
          .where("id", "=", row.id)
          .returningAll()
          .executeTakeFirstOrThrow();
      },
      onClose(cleanup) {
        cleanups.push(cleanup);
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
