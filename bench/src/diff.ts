import { parseArgs } from "node:util";
import { diffConfigTexts } from "@netledger/db";
import { startFleet } from "@netledger/device-sim";
import { routerOsDriver, textDiff } from "@netledger/drivers";
import { describeMachine } from "./machine.js";
import { summarize } from "./stats.js";

/**
 * Benchmark: the on-demand diff between two stored versions of a large config. One synthetic
 * RouterOS config (device simulator, `--bytes`) goes through `--versions` successive edits
 * (1-3 lines each: an attribute changed, a line added, a line removed, a password changed);
 * then `--pairs` random pairs of versions are diffed through the on-demand function
 * (`diffConfigTexts` of packages/db: line diff of the redacted texts plus structured changes),
 * with its parts measured alone: `textDiff`, the same work redacting each text once, and
 * `structuredChanges` of consecutive versions (what the ingestor runs).
 */
const { values } = parseArgs({
  options: {
    bytes: { type: "string", default: "200000" },
    versions: { type: "string", default: "1000" },
    pairs: { type: "string", default: "200" },
    seed: { type: "string", default: "1" },
  },
});
const bytes = Number(values.bytes);
const versionCount = Number(values.versions);
const pairs = Number(values.pairs);
let state = Number(values.seed) >>> 0 || 1;
/** xorshift32: reproducible versions and pairs per seed. */
const random = (n: number): number => {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) % n;
};

const fleet = await startFleet({ count: 1, versions: ["7.16.1"], config: { kind: "synthetic", bytes, seed: 1 } });
const first = routerOsDriver.normalize(fleet.devices[0]!.renderExport({ showSensitive: true, at: new Date(0) }));
await fleet.stop();

/** Versions as line arrays sharing unchanged line strings (1,000 × 200 KB would not fit well). */
const versions: string[][] = [first.split("\n")];
for (let v = 1; v < versionCount; v++) {
  const lines = [...versions[v - 1]!];
  for (let edits = 1 + random(3); edits > 0; edits--) {
    const at = 20 + random(lines.length - 21);
    if (!lines[at]!.startsWith("add ") && !lines[at]!.startsWith("set ")) continue;
    switch (random(4)) {
      case 0:
        lines[at] = `${lines[at]} comment=v${v}`;
        break;
      case 1:
        lines.splice(at, 0, `add address=10.${v % 250}.0.${random(250)} comment=new-${v} list=bench`);
        break;
      case 2:
        lines.splice(at, 1);
        break;
      default:
        lines[at] = lines[at]!.replace(/ password=\S+/, ` password=bench-${v}`);
    }
  }
  versions.push(lines);
}
const full = (v: number): string => versions[v]!.join("\n");

/** Wall and CPU (user + system) milliseconds of `f`: CPU time stays meaningful on a shared, loaded box. */
function timed<T>(f: () => T, wall: number[], cpu: number[]): T {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const result = f();
  wall.push(performance.now() - start);
  const used = process.cpuUsage(cpuStart);
  cpu.push((used.user + used.system) / 1000);
  return result;
}

const figures = {
  textCpu: [] as number[],
  changedLines: [] as number[],
  onDemandWall: [] as number[],
  onDemandCpu: [] as number[],
  sharedCpu: [] as number[],
  consecutiveCpu: [] as number[],
};
const ignored: number[] = [];
for (let p = 0; p < pairs; p++) {
  const a = random(versionCount);
  const b = random(versionCount);
  const [fullA, fullB] = [full(a), full(b)];
  const [before, after] = [routerOsDriver.redact(fullA), routerOsDriver.redact(fullB)];
  const diff = timed(() => textDiff(before, after), ignored, figures.textCpu);
  figures.changedLines.push(diff.added + diff.removed);
  timed(() => diffConfigTexts("routeros", fullA, fullB), figures.onDemandWall, figures.onDemandCpu);
  timed(
    () => {
      const redacted = { before: routerOsDriver.redact(fullA), after: routerOsDriver.redact(fullB) };
      textDiff(redacted.before, redacted.after);
      routerOsDriver.structuredChanges(fullA, fullB, redacted);
    },
    ignored,
    figures.sharedCpu,
  );
  const c = 1 + random(versionCount - 1);
  timed(() => routerOsDriver.structuredChanges(full(c - 1), full(c)), ignored, figures.consecutiveCpu);
}

const row = (name: string, values: number[], unit = "ms"): string => {
  const s = summarize(values)!;
  const f = (n: number) => n.toFixed(unit === "ms" ? 1 : 0);
  return `${name.padEnd(44)} p50 ${f(s.p50)}  p95 ${f(s.p95)}  max ${f(s.max)} ${unit}`;
};
const machine = describeMachine();
process.stdout.write(
  [
    `diff benchmark: ${versionCount} versions of a ${(first.length / 1024).toFixed(0)} KiB config, ${pairs} random pairs`,
    `machine: ${machine.cores} cores ${machine.cpuModel}, node ${machine.node}, load ${machine.loadAverageAtStart.map((l) => l.toFixed(2)).join(" ")}`,
    row("textDiff alone (redacted texts given), cpu", figures.textCpu),
    row("  lines changed (added + removed)", figures.changedLines, "lines"),
    row("diffConfigTexts (db, on demand), wall", figures.onDemandWall),
    row("diffConfigTexts (db, on demand), cpu", figures.onDemandCpu),
    row("  same, redacting each text once, cpu", figures.sharedCpu),
    row("structuredChanges (consecutive pair), cpu", figures.consecutiveCpu),
    `command: npm run -w @netledger/bench diff -- --bytes ${bytes} --versions ${versionCount} --pairs ${pairs} --seed ${values.seed}`,
    "",
  ].join("\n"),
);
