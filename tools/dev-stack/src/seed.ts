import { randomUUID } from "node:crypto";
import { DeviceCredentialsCodec, type DeviceTarget } from "@netledger/contracts";
import type { Database } from "@netledger/db";
import { generateApiToken, hashApiToken } from "@netledger/gateway";
import { deviceSealAad, type Sealer } from "@netledger/platform";
import type { Kysely } from "kysely";

/** The fields of a simulated device the seed needs (a device-sim `SimDevice` has them all). */
export interface SeedDevice {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  readonly hostKeyFingerprint: string;
}

/** A seeded device, as a trigger request or job would carry it. */
export interface SeededDevice {
  readonly deviceId: string;
  readonly name: string;
  readonly target: DeviceTarget;
}

export interface SeedResult {
  readonly tenantId: string;
  /** A working admin token: the one an earlier start wrote to demo.json, or a new one. */
  readonly token: string;
  /** True when `token` was created now (only its sha256 is stored). */
  readonly tokenCreated: boolean;
  readonly devices: readonly SeededDevice[];
}

export const DEMO_TENANT = "demo";
const TOKEN_NAME = "dev-stack admin";

/**
 * Seeds tenant `demo`, its admin API token and `devices`, idempotently: a restart updates the
 * devices' addresses, credentials and pinned host keys in place (same ids), makes them due now
 * and unblocks them (the scheduler backs the fleet up at once). The token: `knownToken`
 * (what an earlier start wrote to demo.json) when it is still a live dev-stack token, else a new
 * one replacing (revoking) the old; `newToken` always replaces it. Credentials are sealed with
 * `sealer`, bound to `deviceSealAad(tenantId, deviceId)` as the collector opens them. One transaction.
 */
export async function seedDemo(
  db: Kysely<Database>,
  sealer: Sealer,
  devices: readonly SeedDevice[],
  options: { newToken: boolean; knownToken: string | null },
): Promise<SeedResult> {
  return db.transaction().execute(async (trx) => {
    await trx
      .insertInto("tenants")
      .values({ name: DEMO_TENANT })
      .onConflict((oc) => oc.column("name").doNothing())
      .execute();
    const { id: tenantId } = await trx
      .selectFrom("tenants")
      .select("id")
      .where("name", "=", DEMO_TENANT)
      .executeTakeFirstOrThrow();

    const { token, created } = await ensureAdminToken(trx, tenantId, options.newToken ? null : options.knownToken);

    const existing = await trx
      .selectFrom("devices")
      .select(["id", "name"])
      .where("tenant_id", "=", tenantId)
      .where(
        "name",
        "in",
        devices.map((d) => d.name),
      )
      .execute();
    const idByName = new Map(existing.map((row) => [row.name, row.id]));
    const seeded: SeededDevice[] = [];
    for (const device of devices) {
      const deviceId = idByName.get(device.name) ?? randomUUID();
      const credentials = sealer.sealString(
        JSON.stringify(DeviceCredentialsCodec.parse({ username: device.username, password: device.password })),
        deviceSealAad(tenantId, deviceId),
      );
      const row = {
        host: device.host,
        port: device.port,
        driver: "routeros",
        credentials_sealed: credentials,
        // The simulator's host keys are known (as from known_hosts): pin them instead of trusting on first use.
        host_key_fingerprint: device.hostKeyFingerprint,
        enabled: true,
        // A (re)start backs the whole fleet up at once and clears blocks: the inventory was just re-applied.
        next_due_at: new Date(),
        blocked_reason: null,
        blocked_at: null,
        updated_at: new Date(),
      };
      if (idByName.has(device.name)) {
        await trx.updateTable("devices").set(row).where("id", "=", deviceId).execute();
      } else {
        await trx
          .insertInto("devices")
          .values({ id: deviceId, tenant_id: tenantId, name: device.name, host_key_first_seen_at: new Date(), ...row })
          .execute();
      }
      seeded.push({
        deviceId,
        name: device.name,
        target: {
          name: device.name,
          host: device.host,
          port: device.port,
          driver: "routeros",
          credentials,
          hostKeyFingerprint: device.hostKeyFingerprint,
          softwareVersion: null,
        },
      });
    }
    return { tenantId, token, tokenCreated: created, devices: seeded };
  });
}

/** `known` when it is a live dev-stack admin token of the tenant; else a new one, revoking the old. */
async function ensureAdminToken(
  trx: Kysely<Database>,
  tenantId: string,
  known: string | null,
): Promise<{ token: string; created: boolean }> {
  const live = await trx
    .selectFrom("api_tokens")
    .select(["id", "token_hash"])
    .where("tenant_id", "=", tenantId)
    .where("name", "=", TOKEN_NAME)
    .where("revoked_at", "is", null)
    .execute();
  if (known !== null && live.some((t) => t.token_hash === hashApiToken(known))) return { token: known, created: false };
  if (live.length > 0) {
    await trx
      .updateTable("api_tokens")
      .set({ revoked_at: new Date() })
      .where(
        "id",
        "in",
        live.map((t) => t.id),
      )
      .execute();
  }
  const token = generateApiToken();
  const { id } = await trx
    .insertInto("api_tokens")
    .values({ tenant_id: tenantId, name: TOKEN_NAME, token_hash: hashApiToken(token), role: "admin" })
    .returning("id")
    .executeTakeFirstOrThrow();
  await trx
    .insertInto("audit_events")
    .values({
      tenant_id: tenantId,
      actor: "system",
      action: "api_token.created",
      target_type: "api_token",
      target_id: id,
      detail: { name: TOKEN_NAME, role: "admin", by: "dev-stack" },
    })
    .execute();
  return { token, created: true };
}
