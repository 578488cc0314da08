import { type Kysely, sql } from "kysely";
import { processCpuMs } from "./thread-cpu.js";

/** CPU so far of each PostgreSQL backend serving the database of `db` (pid → ms). */
export type BackendCpu = ReadonlyMap<number, number>;

/**
 * CPU time of the backends connected to `db`'s database, read from `/proc` (PostgreSQL on this
 * host); null when it runs elsewhere. With a database of its own (a test world), that is exactly
 * the PostgreSQL work done for the benchmark.
 */
export async function backendCpu<DB>(db: Kysely<DB>): Promise<BackendCpu | null> {
  const { rows } = await sql<{ pid: number }>`
    select pid from pg_stat_activity where datname = current_database() and backend_type = 'client backend'`.execute(
    db,
  );
  const out = new Map<number, number>();
  for (const { pid } of rows) {
    const ms = processCpuMs(pid);
    if (ms === null) return null;
    out.set(pid, ms);
  }
  return out;
}

/** CPU the backends used between two readings (a backend started meanwhile counts in full). */
export function backendCpuUsedMs(before: BackendCpu | null, after: BackendCpu | null): number | null {
  if (before === null || after === null) return null;
  let used = 0;
  for (const [pid, ms] of after) used += ms - (before.get(pid) ?? 0);
  return used;
}
