import { parseArgs } from "node:util";
import { startFleet } from "@netledger/device-sim";
import { routerOsDriver, textDiff } from "@netledger/drivers";
import { describeMachine } from "./machine.js";
import { summarize } from "./stats.js";

/**
 * Benchmark: the on-demand diff between two stored versions of a large config. One synthetic
 * RouterOS config (device simulator, `--bytes`) goes through `--versions` successive edits
 * (1-3 lines each: an attribute changed, a line added, a line removed, a password changed);
 * then `--pairs` random pairs of versions are diffed: `textDiff` over the redacted texts (what
 * the gateway serves) and `structuredChanges` over the full texts (what the ingestor runs on
 * consecutive versions, measured on consecutive and on random pairs).
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
  textWall: [] as number[],
  textCpu: [] as number[],
  changedLines: [] as number[],
  randomWall: [] as number[],
  randomCpu: [] as number[],
  consecutiveWall: [] as number[],
  consecutiveCpu: [] as number[],
};
for (let p = 0; p < pairs; p++) {
  const a = random(versionCount);
  const b = random(versionCount);
  const [before, after] = [routerOsDriver.redact(full(a)), routerOsDriver.redact(full(b))];
  const diff = timed(() => textDiff(before, after), figures.textWall, figures.textCpu);
  figures.changedLines.push(diff.added + diff.removed);
  timed(() => routerOsDriver.structuredChanges(full(a), full(b)), figures.randomWall, figures.randomCpu);
  const c = 1 + random(versionCount - 1);
  timed(() => routerOsDriver.structuredChanges(full(c - 1), full(c)), figures.consecutiveWall, figures.consecutiveCpu);
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
    row("textDiff (redacted, random pair), wall", figures.textWall),
    row("textDiff (redacted, random pair), cpu", figures.textCpu),
    row("  lines changed (added + removed)", figures.changedLines, "lines"),
    row("structuredChanges (random pair), wall", figures.randomWall),
    row("structuredChanges (random pair), cpu", figures.randomCpu),
    row("structuredChanges (consecutive pair), wall", figures.consecutiveWall),
    row("structuredChanges (consecutive pair), cpu", figures.consecutiveCpu),
    `command: npm run -w @netledger/bench diff -- --bytes ${bytes} --versions ${versionCount} --pairs ${pairs} --seed ${values.seed}`,
    "",
  ].join("\n"),
);
