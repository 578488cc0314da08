import type { Kysely } from "kysely";

/**
 * The SSH key type of the pinned host key (`ssh-ed25519`, `ssh-rsa`, ...) and of a key observed
 * on a mismatch. A pin is one fingerprint of one key type: the collector asks the device for the
 * pinned type first, so a device that later also offers another type keeps working.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("devices")
    .addColumn("host_key_type", "text")
    .addColumn("observed_host_key_type", "text")
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("devices").dropColumn("observed_host_key_type").dropColumn("host_key_type").execute();
}
