/**
 * Pure retention decisions over a device's versions. A version's age is measured from when it was
 * last seen running (`last_seen_at`: its own collection, or the last unchanged backup that found
 * it), so a version that ran until yesterday is one day old however long ago it first appeared.
 *
 * - Every version younger than `keepAllDays` is kept (CONFIG_RETENTION_DAYS).
 * - Optional tiers keep one version per UTC day / ISO week / calendar month for versions younger
 *   than `dailyDays` / `weeklyDays` / `monthlyDays`: the one last seen latest in that period, i.e.
 *   the config the device was running at the end of it. 0 turns a tier off.
 * - The device's latest version is always kept (invariant 5), whatever its age.
 * Everything else is deleted.
 */
export interface RetentionPolicy {
  readonly keepAllDays: number;
  readonly dailyDays: number;
  readonly weeklyDays: number;
  readonly monthlyDays: number;
}

export interface VersionFacts {
  readonly id: string;
  readonly lastSeenAt: Date;
  /** The device's head (latest) version. */
  readonly latest: boolean;
}

const DAY_MS = 86_400_000;

export const DEFAULT_RETENTION_POLICY: RetentionPolicy = Object.freeze({
  keepAllDays: 90,
  dailyDays: 0,
  weeklyDays: 0,
  monthlyDays: 0,
});

/** The oldest `last_seen_at` any rule keeps: versions last seen before it can only survive as a device's latest. */
export function retentionHorizon(now: Date, policy: RetentionPolicy): Date {
  const days = Math.max(policy.keepAllDays, policy.dailyDays, policy.weeklyDays, policy.monthlyDays);
  return new Date(now.getTime() - days * DAY_MS);
}

/** Ids of the versions of one device to delete at `now`. */
export function versionsToDelete(versions: readonly VersionFacts[], now: Date, policy: RetentionPolicy): string[] {
  const keep = new Set<string>();
  const cutoff = (days: number) => now.getTime() - days * DAY_MS;
  const tiers: Array<{ days: number; period: (at: Date) => string }> = [
    { days: policy.dailyDays, period: utcDay },
    { days: policy.weeklyDays, period: isoWeek },
    { days: policy.monthlyDays, period: utcMonth },
  ];
  for (const version of versions) {
    if (version.latest || version.lastSeenAt.getTime() >= cutoff(policy.keepAllDays)) keep.add(version.id);
  }
  for (const tier of tiers) {
    if (tier.days <= 0) continue;
    const lastOfPeriod = new Map<string, VersionFacts>();
    for (const version of versions) {
      if (version.lastSeenAt.getTime() < cutoff(tier.days)) continue;
      const key = tier.period(version.lastSeenAt);
      const best = lastOfPeriod.get(key);
      if (!best || version.lastSeenAt.getTime() > best.lastSeenAt.getTime()) lastOfPeriod.set(key, version);
    }
    for (const version of lastOfPeriod.values()) keep.add(version.id);
  }
  return versions.filter((v) => !keep.has(v.id)).map((v) => v.id);
}

/** `2026-03-07`. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** `2026-03`. */
export function utcMonth(at: Date): string {
  return at.toISOString().slice(0, 7);
}

/** ISO 8601 week of the UTC date, `2026-W10` (weeks start on Monday; week 1 holds the first Thursday). */
export function isoWeek(at: Date): string {
  const day = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  const weekday = day.getUTCDay() || 7;
  day.setUTCDate(day.getUTCDate() + 4 - weekday); // the Thursday of this week decides its year
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / DAY_MS + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, "0")}`;
}
