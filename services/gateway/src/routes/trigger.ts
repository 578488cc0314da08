import { z } from "zod";
import type { Reply } from "../api/route.js";
import { DeviceParams } from "../api/validation.js";
import { recordAudit } from "../audit.js";
import { ApiError, type ProblemCode } from "../errors.js";
import { createIdempotencyStore, type IdempotencyScope, type StoredAnswer } from "../idempotency/idempotency-store.js";
import { monitorBus } from "../trigger/bus-monitor.js";
import { answerOf, isReplayable } from "../trigger/trigger-answer.js";
import { triggerDeviceBackup } from "../trigger/trigger-device.js";
import type { RouteRegistrar } from "./index.js";

const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** After a reconnect, "no responders" is retried this long while collectors re-subscribe. */
const RESUBSCRIBE_GRACE_MS = 5_000;

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const TriggerResultSchema = z.object({
  requestId: z.uuid(),
  deviceId: z.uuid(),
  sha256: Sha256,
  bytes: z.number().int().nonnegative(),
  changed: z.boolean(),
  stored: z.boolean(),
  snapshotId: z.uuid().nullable(),
  seq: z.number().int().positive().nullable(),
  collectedAt: z.iso.datetime({ offset: true }),
  timings: z.object({
    lockMs: z.number(),
    connectMs: z.number(),
    exportMs: z.number(),
    publishMs: z.number(),
    totalMs: z.number(),
    requestMs: z.number(),
    ingestWaitMs: z.number(),
    gatewayMs: z.number(),
  }),
});

/** `Idempotency-Key`: 1-255 visible ASCII characters (a UUID is typical). */
const TriggerHeaders = z.object({
  "Idempotency-Key": z
    .string()
    .regex(/^[\x21-\x7e]{1,255}$/, { message: "1-255 visible ASCII characters" })
    .optional()
    .describe(
      "1-255 visible ASCII characters (a UUID is typical). A retry with the same key within 24 h answers the first result without collecting again.",
    ),
});

/** "Back up now": operator or higher, rate-limited per token across replicas, idempotent on request. */
export const registerTriggerRoutes: RouteRegistrar = (api, deps) => {
  const { config, db } = deps;
  const bus = monitorBus(deps.nc);
  const limitTriggers = deps.rateLimiter({
    name: "trigger",
    limit: config.TRIGGER_RATE_LIMIT_PER_MINUTE,
    windowMs: 60_000,
  });
  const idempotency = createIdempotencyStore(db, {
    ttlMs: IDEMPOTENCY_TTL_MS,
    lockMs: config.TRIGGER_TIMEOUT_MS + config.TRIGGER_INGEST_WAIT_MS + 60_000,
  });
  const settings = {
    timeoutMs: config.TRIGGER_TIMEOUT_MS,
    ingestWaitMs: config.TRIGGER_INGEST_WAIT_MS,
    busGraceMs: config.TRIGGER_BUS_GRACE_MS,
    resubscribeGraceMs: RESUBSCRIBE_GRACE_MS,
  };

  api.route({
    method: "post",
    path: "/api/tenants/{tenantId}/devices/{deviceId}/config-snapshot/trigger",
    operationId: "triggerDeviceBackup",
    summary: "Back up a device now",
    description:
      "Asks one collector to back the device up and waits for the result. 201 with sha256, whether the config " +
      "changed and the stored snapshot id (`stored: false` when the ingestor had not confirmed it in time). " +
      "An `Idempotency-Key` header makes a retry within 24 h answer the first result without collecting again. " +
      `At most ${config.TRIGGER_RATE_LIMIT_PER_MINUTE} per minute per token.`,
    tags: ["backups"],
    access: { role: "operator" },
    params: DeviceParams,
    headers: TriggerHeaders,
    use: [limitTriggers],
    responses: {
      201: {
        description: "backed up (stored, or unchanged since the latest version)",
        schema: TriggerResultSchema,
        headers: { "idempotent-replayed": "`true` when this is the stored answer of an earlier request with the key" },
      },
      409: {
        description:
          "another backup of the device is running (DEVICE_LOCKED), or the Idempotency-Key's first request is still running (IDEMPOTENCY_KEY_IN_USE)",
      },
      422: { description: "the Idempotency-Key was first used for another request (IDEMPOTENCY_KEY_REUSED)" },
      502: {
        description:
          "the device failed: SSH_AUTH_FAILED, SSH_HOSTKEY_MISMATCH, SSH_UNREACHABLE, SSH_TIMEOUT, EXPORT_TRUNCATED (also when the ingestor held the export back as a suspected truncation: it lost lines against the stored version; the device is read again), ...",
      },
      503: {
        description:
          "no collector running (NO_COLLECTOR), collectors busy (COLLECTOR_BUSY, with Retry-After) or message bus unreachable (SERVICE_UNAVAILABLE)",
      },
      504: { description: "no collector answered within the timeout (COLLECTOR_TIMEOUT)" },
    },
    handler: async ({ params, auth, headers }) => {
      const key = headers["Idempotency-Key"];
      const scope: IdempotencyScope | undefined = key
        ? {
            tenantId: params.tenantId,
            tokenId: auth.tokenId,
            key,
            fingerprint: `POST /api/tenants/${params.tenantId}/devices/${params.deviceId}/config-snapshot/trigger`,
          }
        : undefined;
      let claimId: string | undefined;
      if (scope) {
        const claim = await idempotency.claim(scope);
        switch (claim.kind) {
          case "replay":
            return replay(claim.answer);
          case "in-progress":
            throw new ApiError("IDEMPOTENCY_KEY_IN_USE", "a request with this Idempotency-Key is still running");
          case "mismatch":
            throw new ApiError("IDEMPOTENCY_KEY_REUSED", "this Idempotency-Key was used for another request");
          case "claimed":
            claimId = claim.claimId;
        }
      }
      try {
        const outcome = await triggerDeviceBackup(
          { nc: deps.nc, bus, wire: deps.wire, db, settings },
          {
            tenantId: params.tenantId,
            deviceId: params.deviceId,
            // The snapshot is found from the request id (`source_msg_id` `trigger:<requestId>`) or the sha256.
            onCollected: (facts) =>
              recordAudit(db, auth, {
                tenantId: params.tenantId,
                action: "config_backup_manual_trigger",
                targetType: "device",
                targetId: params.deviceId,
                detail: { ...facts },
              }),
          },
        );
        const answer = answerOf(outcome);
        if (scope && claimId && isReplayable(outcome)) {
          await idempotency.complete(scope, claimId, storedAnswerOf(answer));
          claimId = undefined;
        }
        if ("error" in answer) throw answer.error;
        return { status: 201, body: answer.body };
      } finally {
        if (scope && claimId) await idempotency.release(scope, claimId);
      }
    },
  });
};

const REPLAYED = { "idempotent-replayed": "true" };

function storedAnswerOf(answer: ReturnType<typeof answerOf>): StoredAnswer {
  if ("body" in answer) return { status: 201, body: answer.body as unknown as StoredAnswer["body"], headers: {} };
  const { error } = answer;
  return {
    status: error.status,
    body: { code: error.code, detail: error.message, extensions: error.extensions as StoredAnswer["body"] },
    headers: error.headers,
  };
}

/** The stored first answer again: the same 201 body, or the same problem. */
function replay(answer: StoredAnswer): Reply {
  if (answer.status < 400) return { status: answer.status, body: answer.body, headers: REPLAYED };
  const { code, detail, extensions } = answer.body as { code: ProblemCode; detail: string; extensions?: object };
  throw new ApiError(code, detail, {
    extensions: { ...extensions },
    headers: { ...answer.headers, ...REPLAYED },
  });
}
