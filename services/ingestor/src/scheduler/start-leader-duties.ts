import type { JetStreamClient } from "@nats-io/jetstream";
import type { Wire } from "@netledger/contracts";
import type { Database } from "@netledger/db";
import { type Logger, openDedicatedSession } from "@netledger/platform";
import type { Kysely } from "kysely";
import type { Registry } from "prom-client";
import { type Clock, systemClock } from "../clock.js";
import { createRetentionMetrics } from "../retention/metrics.js";
import { type RetentionConfig, retentionPolicyOf } from "../retention/retention-config.js";
import { sweepRetention } from "../retention/retention-sweep.js";
import { createLeaderDuties, type LeaderDuties } from "./leader-duties.js";
import { createLeaderLock } from "./leader-lock.js";
import { createSchedulerMetrics } from "./metrics.js";
import { createScheduler } from "./scheduler.js";
import { type SchedulerConfig, schedulePolicyOf } from "./scheduler-config.js";

export interface LeaderDutiesDeps {
  readonly config: SchedulerConfig & RetentionConfig & { readonly DATABASE_URL: string };
  readonly db: Kysely<Database>;
  readonly js: JetStreamClient;
  readonly wire: Wire;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly clock?: Clock;
}

/**
 * The leader's duties as the ingestor runs them: leader lock on a dedicated session, the scheduler
 * every tick, the retention sweep every RETENTION_SWEEP_INTERVAL_MS. Not started: call `start()`.
 */
export function createIngestorLeaderDuties(deps: LeaderDutiesDeps): LeaderDuties {
  const { config, logger } = deps;
  const clock = deps.clock ?? systemClock;
  const metrics = createSchedulerMetrics(deps.registry);
  const lock = createLeaderLock({
    name: deps.wire.namespace,
    logger,
    openSession: () =>
      openDedicatedSession({
        url: config.DATABASE_URL,
        applicationName: "netledger-ingestor-leader",
        logger,
        timeoutMs: config.SCHEDULER_LEASE_MS,
      }),
  });
  const scheduler = createScheduler({
    db: deps.db,
    js: deps.js,
    wire: deps.wire,
    policy: schedulePolicyOf(config),
    clock,
    logger,
    batchSize: config.SCHEDULER_BATCH_SIZE,
    publishTimeoutMs: Math.min(10_000, config.SCHEDULER_LEASE_MS),
    fence: (trx) => lock.fence(trx),
    metrics,
  });
  const retentionMetrics = createRetentionMetrics(deps.registry);
  const policy = retentionPolicyOf(config);
  return createLeaderDuties({
    lock,
    clock,
    logger,
    metrics,
    tickMs: config.SCHEDULER_TICK_MS,
    duties: [
      { name: "schedule", everyMs: 0, run: () => scheduler.runOnce() },
      {
        name: "retention",
        everyMs: config.RETENTION_SWEEP_INTERVAL_MS,
        run: () => sweepRetention({ db: deps.db, policy, clock, logger, metrics: retentionMetrics }),
      },
    ],
  });
}
