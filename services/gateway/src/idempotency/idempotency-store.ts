import { randomUUID } from "node:crypto";
import type { Database, JsonObject } from "@netledger/db";
import { type Kysely, sql } from "kysely";

/** Who sent a key, and for what: keys are scoped per tenant and API token. */
export interface IdempotencyScope {
  readonly tenantId: string;
  readonly tokenId: string;
  readonly key: string;
  /** Method and path (e.g. `POST /api/tenants/…/trigger`): the same key for another request is refused. */
  readonly fingerprint: string;
}

/** A stored answer, replayed as it was first sent. */
export interface StoredAnswer {
  readonly status: number;
  readonly body: JsonObject;
  readonly headers: Record<string, string>;
}

export type IdempotencyClaim =
  /** First use (or an expired or abandoned one): run the request, then `complete` or `release`. */
  | { readonly kind: "claimed"; readonly claimId: string }
  | { readonly kind: "replay"; readonly answer: StoredAnswer }
  /** The first request with this key is still running (RFC draft: answer 409). */
  | { readonly kind: "in-progress" }
  /** The key was first used for another request (RFC draft: answer 422). */
  | { readonly kind: "mismatch" };

export interface IdempotencyTimes {
  /** How long a finished answer is replayed. */
  readonly ttlMs: number;
  /** How long a pending claim holds the key before another request may take it over (its gateway died). */
  readonly lockMs: number;
}

/**
 * Idempotency keys in PostgreSQL (table `idempotency_keys`, migration 0007). Claiming is one
 * `insert … on conflict do update … where <expired or abandoned>`: of concurrent first uses of a
 * key exactly one gets the row back, so a key never runs its request twice.
 */
export function createIdempotencyStore(db: Kysely<Database>, times: IdempotencyTimes) {
  const scoped = (scope: IdempotencyScope) =>
    db
      .selectFrom("idempotency_keys")
      .where("tenant_id", "=", scope.tenantId)
      .where("token_id", "=", scope.tokenId)
      .where("key", "=", scope.key);

  async function tryClaim(scope: IdempotencyScope): Promise<IdempotencyClaim | null> {
    const claimId = randomUUID();
    const lockedUntil = sql<Date>`now() + ${`${times.lockMs} milliseconds`}::interval`;
    const expiresAt = sql<Date>`now() + ${`${times.ttlMs} milliseconds`}::interval`;
    const won = await db
      .insertInto("idempotency_keys")
      .values({
        tenant_id: scope.tenantId,
        token_id: scope.tokenId,
        key: scope.key,
        request_fingerprint: scope.fingerprint,
        claim_id: claimId,
        state: "pending",
        locked_until: lockedUntil,
        expires_at: expiresAt,
      })
      .onConflict((oc) =>
        oc
          .columns(["tenant_id", "token_id", "key"])
          .doUpdateSet({
            request_fingerprint: scope.fingerprint,
            claim_id: claimId,
            state: "pending",
            status: null,
            response: null,
            created_at: sql<Date>`now()`,
            locked_until: lockedUntil,
            expires_at: expiresAt,
          })
          .where((eb) =>
            eb.or([
              eb("idempotency_keys.expires_at", "<", sql<Date>`now()`),
              eb.and([
                eb("idempotency_keys.state", "=", "pending"),
                eb("idempotency_keys.locked_until", "<", sql<Date>`now()`),
              ]),
            ]),
          ),
      )
      .returning("claim_id")
      .executeTakeFirst();
    if (won) return { kind: "claimed", claimId };

    const row = await scoped(scope).select(["request_fingerprint", "state", "status", "response"]).executeTakeFirst();
    if (!row) return null; // released meanwhile: claim again
    if (row.request_fingerprint !== scope.fingerprint) return { kind: "mismatch" };
    if (row.state === "pending" || row.status === null || row.response === null) return { kind: "in-progress" };
    return { kind: "replay", answer: answerOf(row.status, row.response) };
  }

  return {
    async claim(scope: IdempotencyScope): Promise<IdempotencyClaim> {
      await sweepExpired(db);
      for (let attempt = 1; ; attempt++) {
        const claim = await tryClaim(scope);
        if (claim) return claim;
        if (attempt >= 3) return { kind: "in-progress" };
      }
    },

    /** Records the answer of a claimed request; later uses of the key replay it. */
    async complete(scope: IdempotencyScope, claimId: string, answer: StoredAnswer): Promise<void> {
      await db
        .updateTable("idempotency_keys")
        .set({
          state: "done",
          status: answer.status,
          response: { body: answer.body, headers: answer.headers },
        })
        .where("tenant_id", "=", scope.tenantId)
        .where("token_id", "=", scope.tokenId)
        .where("key", "=", scope.key)
        .where("claim_id", "=", claimId)
        .execute();
    },

    /** Lets go of a claim without an answer worth replaying (e.g. 503): a retry runs the request again. */
    async release(scope: IdempotencyScope, claimId: string): Promise<void> {
      await db
        .deleteFrom("idempotency_keys")
        .where("tenant_id", "=", scope.tenantId)
        .where("token_id", "=", scope.tokenId)
        .where("key", "=", scope.key)
        .where("claim_id", "=", claimId)
        .where("state", "=", "pending")
        .execute();
    },
  };
}

export type IdempotencyStore = ReturnType<typeof createIdempotencyStore>;

/** Deletes a bounded batch of expired keys, so the table stays the size of one day's traffic. */
async function sweepExpired(db: Kysely<Database>): Promise<void> {
  await sql`delete from idempotency_keys where ctid in (
    select ctid from idempotency_keys where expires_at < now() limit 100)`.execute(db);
}

function answerOf(status: number, stored: JsonObject): StoredAnswer {
  const body = stored.body;
  const headers = stored.headers;
  return {
    status,
    body: isObject(body) ? body : {},
    headers: isObject(headers)
      ? Object.fromEntries(Object.entries(headers).filter((e): e is [string, string] => typeof e[1] === "string"))
      : {},
  };
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
