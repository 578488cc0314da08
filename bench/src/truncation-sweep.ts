/**
 * Truncation sweep: every fixture export cut at sampled line boundaries (or all) and bytes,
 * each cut run through the collector's real `collectExport` (in-memory SSH session), under three
 * device behaviours for the reads after a cut one, with and without the previous version's size.
 * Prints how many exit-0 cuts were refused, healed (the whole export stored after all) or
 * accepted (a cut version stored), and whether any whole export was refused.
 *
 *   npm run -w @netledger/bench truncation -- [--byte-cuts N] [--line-cuts N|0=all] [--seed N] [--json]
 */
import { type CutTally, type RereadModel, type SweepFigures, sweepTruncation } from "@netledger/collector";
import { findFixturesDir, fixturesDirCandidate, loadFixtures } from "@netledger/device-sim";

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const at = args.indexOf(name);
  return at === -1 ? fallback : Number(args[at + 1]);
};
const byteCuts = flag("--byte-cuts", 200);
/** Line cuts per export; `--line-cuts 0` sweeps every line boundary (slow: ~25k cuts per run). */
const lineCutsFlag = flag("--line-cuts", 200);
const lineCuts = lineCutsFlag === 0 ? Number.POSITIVE_INFINITY : lineCutsFlag;
const seed = flag("--seed", 1);

const dir = findFixturesDir();
if (dir === null)
  throw new Error(`real RouterOS exports not found at ${fixturesDirCandidate()} (NETLEDGER_FIXTURES_DIR)`);
const fixtures = await loadFixtures(dir, Number.MAX_SAFE_INTEGER);
const exports = fixtures.map((f) => Buffer.from(f.text));
const totalBytes = exports.reduce((sum, e) => sum + e.length, 0);

const rows: { model: RereadModel; previousKnown: boolean; figures: SweepFigures }[] = [];
for (const model of ["transient", "independent", "repeatable"] as const) {
  for (const previousKnown of [true, false]) {
    const started = performance.now();
    const figures = await sweepTruncation(exports, {
      byteCuts,
      lineCuts,
      model,
      previousKnown,
      seed,
    });
    rows.push({ model, previousKnown, figures });
    process.stderr.write(
      `${model} previous ${previousKnown ? "known" : "unknown"}: ${Math.round(performance.now() - started)} ms\n`,
    );
  }
}

const pct = (t: CutTally, key: keyof CutTally) => (t.cuts === 0 ? "-" : `${((100 * t[key]) / t.cuts).toFixed(2)} %`);
const safe = (t: CutTally) => (t.cuts === 0 ? "-" : `${((100 * (t.refused + t.healed)) / t.cuts).toFixed(2)} %`);

if (args.includes("--json")) {
  console.log(JSON.stringify({ exports: exports.length, totalBytes, byteCuts, seed, rows }, null, 2));
} else {
  console.log(
    `${exports.length} fixture exports, ${totalBytes} bytes; ${byteCuts} byte cuts and ${
      lineCuts === Number.POSITIVE_INFINITY ? "every line cut" : `${lineCuts} line cuts (at most)`
    } per export (seed ${seed})`,
  );
  console.log("model        previous | kind  cuts    refused   healed    accepted  refused+healed | whole refused");
  for (const { model, previousKnown, figures } of rows) {
    for (const kind of ["byte", "line"] as const) {
      const t = figures[kind];
      console.log(
        [
          model.padEnd(12),
          (previousKnown ? "known" : "unknown").padEnd(8),
          "|",
          kind.padEnd(5),
          String(t.cuts).padStart(6),
          pct(t, "refused").padStart(9),
          pct(t, "healed").padStart(9),
          pct(t, "accepted").padStart(9),
          safe(t).padStart(15),
          "|",
          String(figures.wholeRefused),
        ].join(" "),
      );
    }
  }
}
const ok = rows.every((r) => r.figures.wholeRefused === 0);
process.exitCode = ok ? 0 : 1;
