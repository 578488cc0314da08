import { Counter, Gauge, type Registry } from "prom-client";

/**
 * Scheduler and leadership metrics. Labels are closed sets (reason, result): never device or
 * tenant ids.
 */
export interface SchedulerMetrics {
  /** Jobs by why they were due (regular, retry) and what JetStream said (published, duplicate, failed). */
  readonly jobs: Counter<"reason" | "result">;
  /** Due devices whose row could not make a valid job. */
  readonly invalidDevices: Counter;
  /** 1 while this replica leads (runs the scheduler and the retention sweep), else 0. */
  readonly leader: Gauge;
  /** Times this replica became leader. */
  readonly leaderAcquired: Counter;
  /** Scheduler passes and retention sweeps that failed (logged; retried next tick). */
  readonly dutyErrors: Counter<"duty">;
}

export function createSchedulerMetrics(registry: Registry): SchedulerMetrics {
  const registers = [registry];
  return {
    jobs: new Counter({
      name: "netledger_scheduler_jobs_total",
      help: "Backup jobs the scheduler published, by reason (regular, retry) and result (published, duplicate, failed).",
      labelNames: ["reason", "result"],
      registers,
    }),
    invalidDevices: new Counter({
      name: "netledger_scheduler_invalid_devices_total",
      help: "Due devices whose row could not make a valid backup job (slot passed over).",
      registers,
    }),
    leader: new Gauge({
      name: "netledger_scheduler_leader",
      help: "1 while this replica is the leader that schedules backups and sweeps retention.",
      registers,
    }),
    leaderAcquired: new Counter({
      name: "netledger_scheduler_leader_acquired_total",
      help: "Times this replica became the leader.",
      registers,
    }),
    dutyErrors: new Counter({
      name: "netledger_scheduler_duty_errors_total",
      help: "Leader duties (schedule, retention) that failed; retried on the next tick.",
      labelNames: ["duty"],
      registers,
    }),
  };
}
