import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { deviceSealAad, sealText } from "@netledger/platform";
import { createWorld, type World } from "@netledger/testkit";
import { diffStoredVersions, SnapshotNotFoundError, saveSnapshot } from "./index.js";
import { insertTenantDevice, snapshotOf } from "./test-fixtures.js";

const V1 = `# jan/02/2025 by RouterOS 7.16
/system identity
set name=edge-1
/user
add group=full name=ops password=first-secret-value
`;
const V2 = V1.replace("edge-1", "edge-2").replace("first-secret-value", "second-secret-value");

describe("diffStoredVersions", () => {
  let world: World;
  before(async () => {
    world = await createWorld({ nats: false, redis: false });
  });
  after(() => world?.close());

  async function store(device: { id: string; tenant_id: string }, text: string) {
    const row = {
      ...snapshotOf(device as never, text),
      content_sealed: sealText(world.sealer, deviceSealAad(device.tenant_id, device.id), text),
    };
    const outcome = await world.db.transaction().execute((trx) => saveSnapshot(trx, row));
    assert.equal(outcome.kind, "stored");
    return outcome.kind === "stored" ? outcome.snapshot : assert.fail();
  }

  it("diffs two stored versions with secrets redacted, and refuses another tenant's", async () => {
    const device = await insertTenantDevice(world.db);
    const one = await store(device, V1);
    const two = await store(device, V2);
    const ref = { tenantId: device.tenant_id, deviceId: device.id, fromSnapshotId: one.id, toSnapshotId: two.id };
    const diff = await diffStoredVersions(world.db, world.sealer, ref);
    assert.deepEqual([diff.from.seq, diff.to.seq], [1, 2]);
    assert.match(diff.unified, /^-set name=edge-1$/m);
    assert.match(diff.unified, /^\+set name=edge-2$/m);
    assert.equal(diff.added, 1);
    assert.equal(diff.removed, 1);
    const byPath = new Map(diff.changes.map((change) => [change.path, change]));
    assert.equal(byPath.get("/system identity")?.kind, "modified");
    assert.equal(byPath.get("/user")?.secretChanged, true);
    assert.ok(!JSON.stringify(diff).includes("secret-value"), "no secret in the diff");

    const other = await insertTenantDevice(world.db);
    await assert.rejects(
      diffStoredVersions(world.db, world.sealer, { ...ref, tenantId: other.tenant_id }),
      SnapshotNotFoundError,
    );
    await assert.rejects(
      diffStoredVersions(world.db, world.sealer, { ...ref, fromSnapshotId: randomUUID() }),
      SnapshotNotFoundError,
    );
  });
});
