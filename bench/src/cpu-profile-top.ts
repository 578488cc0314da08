/**
 * `npm run -w @netledger/bench cpu-profile-top -- FILE.cpuprofile [--top N]`: a flame graph's
 * bottom line in text. Self time per function (name, file, line) and per package (ssh2,
 * @nats-io, zod, pino, ioredis, NetLedger's own code, Node internals, native/GC), highest first.
 * Frames of a bundle (`dist/*.mjs`) are mapped back to their sources through its `.map` file.
 */
import { existsSync, readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

interface ProfileNode {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: "string", default: "25" }, callers: { type: "string" } },
});
const top = Number(values.top);
const file = positionals[0];
if (!file) throw new Error("usage: cpu-profile-top FILE.cpuprofile [--top N] [--callers FUNCTION]");
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map<number, number>();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i]!;
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

function packageOf(url: string, name: string): string {
  if (url === "") return name.startsWith("(") ? name : "(native)";
  if (url.startsWith("node:")) return "node internals";
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  if (/\/(packages|services|testkit)\//.test(url)) return "netledger";
  if (url.endsWith(".mjs")) return "bundle (map with the .map file)";
  return url;
}

const maps = new Map<string, SourceMap | null>();
/** The source file and line a bundle frame came from, when the bundle has a source map. */
function original(url: string, line: number, column: number): { url: string; line: number } {
  if (!url.endsWith(".mjs")) return { url, line };
  let map = maps.get(url);
  if (map === undefined) {
    const path = `${url.startsWith("file:") ? fileURLToPath(url) : url}.map`;
    map = existsSync(path) ? new SourceMap(JSON.parse(readFileSync(path, "utf8"))) : null;
    maps.set(url, map);
  }
  const entry = map?.findEntry(line, column) as { originalSource?: string; originalLine?: number } | undefined;
  return entry?.originalSource ? { url: entry.originalSource, line: entry.originalLine ?? 0 } : { url, line };
}

const byFunction = new Map<string, number>();
const byPackage = new Map<string, number>();
for (const [id, us] of selfUs) {
  const frame = byId.get(id)!.callFrame;
  const { functionName } = frame;
  const { url, line: lineNumber } = original(frame.url, frame.lineNumber, frame.columnNumber);
  const short = url.replace(/^.*\/(node_modules\/)?/, "");
  const key = `${functionName || "(anonymous)"}  ${short}${url ? `:${lineNumber + 1}` : ""}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  const pkg = packageOf(url, functionName);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
}
const print = (title: string, map: Map<string, number>, n: number) => {
  console.log(`\n${title}`);
  for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) {
    console.log(`${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / total).toFixed(1).padStart(5)} %  ${key}`);
  }
};
console.log(`${file}: ${(total / 1000).toFixed(0)} ms sampled`);
print("self time by package", byPackage, 15);
print("self time by function", byFunction, top);

/** With `--callers NAME`: where the self time of functions named NAME comes from (5 frames up, Node's own skipped). */
if (values.callers !== undefined) {
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const stacks = new Map<string, number>();
  for (const [id, us] of selfUs) {
    if (byId.get(id)!.callFrame.functionName !== values.callers) continue;
    const frames: string[] = [];
    for (let at = parent.get(id); at !== undefined && frames.length < 5; at = parent.get(at)) {
      const f = byId.get(at)!.callFrame;
      if (f.url.startsWith("node:") || f.url === "") continue;
      const o = original(f.url, f.lineNumber, f.columnNumber);
      frames.push(`${f.functionName || "(anonymous)"} ${o.url.replace(/^.*\//, "")}:${o.line + 1}`);
    }
    const key = frames.join(" < ");
    stacks.set(key, (stacks.get(key) ?? 0) + us);
  }
  print(`callers of ${values.callers}`, stacks, 12);
}
