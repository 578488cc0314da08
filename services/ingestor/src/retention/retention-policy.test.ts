import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  DEFAULT_RETENTION_POLICY,
  isoWeek,
  type RetentionPolicy,
  retentionHorizon,
  type VersionFacts,
  versionsToDelete,
} from "./retention-policy.js";

const DAY = 86_400_000;
const NOW = new Date("2026-06-30T12:00:00Z");
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY);
const version = (id: string, ageDays: number, latest = false): VersionFacts => ({
  id,
  lastSeenAt: daysAgo(ageDays),
  latest,
});

describe("retention policy", () => {
  test("keeps everything seen within the limit and deletes what is older", () => {
    const versions = [version("old", 120), version("edge", 90.01), version("kept", 89), version("head", 1, true)];
    assert.deepEqual(versionsToDelete(versions, NOW, DEFAULT_RETENTION_POLICY), ["old", "edge"]);
  });

  test("never deletes the latest version, however old", () => {
    const versions = [version("older", 400), version("head", 365, true)];
    assert.deepEqual(versionsToDelete(versions, NOW, DEFAULT_RETENTION_POLICY), ["older"]);
    assert.deepEqual(versionsToDelete([version("only", 1000, true)], NOW, DEFAULT_RETENTION_POLICY), []);
  });

  test("age is when a version was last seen, not when it first appeared", () => {
    // Collected long ago but still running until 10 days ago: kept.
    assert.deepEqual(
      versionsToDelete([version("long-lived", 10), version("head", 0, true)], NOW, DEFAULT_RETENTION_POLICY),
      [],
    );
  });

  test("the daily tier keeps the last version of each day beyond the limit", () => {
    const policy: RetentionPolicy = { keepAllDays: 7, dailyDays: 30, weeklyDays: 0, monthlyDays: 0 };
    const day20 = daysAgo(20).getTime();
    const versions = [
      { id: "d20-morning", lastSeenAt: new Date(day20 - 3 * 3_600_000), latest: false },
      { id: "d20-evening", lastSeenAt: new Date(day20), latest: false },
      version("d25", 25),
      version("d40", 40),
      version("head", 0, true),
    ];
    assert.deepEqual(versionsToDelete(versions, NOW, policy).sort(), ["d20-morning", "d40"]);
  });

  test("weekly and monthly tiers keep one per ISO week and per month", () => {
    const policy: RetentionPolicy = { keepAllDays: 1, dailyDays: 0, weeklyDays: 60, monthlyDays: 365 };
    // Two versions a day for 300 days.
    const versions: VersionFacts[] = [];
    for (let day = 2; day < 300; day++) {
      versions.push(version(`${day}a`, day + 0.25), version(`${day}b`, day));
    }
    versions.push(version("head", 0, true));
    const deleted = new Set(versionsToDelete(versions, NOW, policy));
    const kept = versions.filter((v) => !deleted.has(v.id));
    const recent = versions.filter((v) => v.lastSeenAt >= daysAgo(60) && !v.latest);
    const recentKept = kept.filter((v) => v.lastSeenAt >= daysAgo(60) && !v.latest);
    const weeks = new Set(recent.map((v) => isoWeek(v.lastSeenAt)));
    const olderKept = kept.filter((v) => v.lastSeenAt < daysAgo(60) && !v.latest);
    // Every week within 60 days keeps a version (plus at most the month ends), one per month beyond it.
    assert.deepEqual(new Set(recentKept.map((v) => isoWeek(v.lastSeenAt))), weeks);
    assert.ok(recentKept.length <= weeks.size + 2, `${recentKept.length} kept in ${weeks.size} weeks`);
    const months = olderKept.map((v) => v.lastSeenAt.toISOString().slice(0, 7));
    assert.equal(new Set(months).size, months.length, "at most one version per month beyond the weekly tier");
    assert.ok(olderKept.length >= 7 && olderKept.length <= 9, `${olderKept.length} monthly versions`);
    assert.ok(!deleted.has("head"));
  });

  test("the horizon is the longest window", () => {
    assert.deepEqual(
      retentionHorizon(NOW, { keepAllDays: 30, dailyDays: 90, weeklyDays: 0, monthlyDays: 0 }),
      daysAgo(90),
    );
  });

  test("ISO weeks", () => {
    assert.equal(isoWeek(new Date("2026-01-01T00:00:00Z")), "2026-W01"); // a Thursday
    assert.equal(isoWeek(new Date("2027-01-01T00:00:00Z")), "2026-W53"); // a Friday
    assert.equal(isoWeek(new Date("2026-06-29T23:59:59Z")), "2026-W27"); // a Monday
  });
});
