/**
 * `npm run -w @netledger/bench service-start`: what starting one collector costs, run from the
 * TypeScript sources through tsx (development) and from the compiled bundle (`npm run build`,
 * what the image runs). Each run starts the process in a fresh test world, waits for `/readyz`
 * 200, then reads the process's CPU time (user + system, every thread) and resident set from
 * /proc, and stops it. Prints the median and range of each over `--runs` runs (default 5).
 * Linux only (/proc); needs the NATS and Redis servers the tests use.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createWorld, freePort } from "@netledger/testkit";
import { processUsage, waitForReady } from "./proc-usage.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const runs = Number(process.argv[process.argv.indexOf("--runs") + 1]) || 5;
const modes = {
  tsx: ["--import", "tsx", "services/collector/src/main.ts"],
  compiled: ["dist/collector.mjs"],
} as const;

if (!existsSync(`${root}dist/collector.mjs`)) {
  console.error("dist/collector.mjs is missing: run `npm run build` first");
  process.exit(1);
}

async function startOnce(args: readonly string[]): Promise<{ cpuMs: number; rssBytes: number; readyMs: number }> {
  const world = await createWorld({ database: false });
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...world.env(), OPS_PORT: String(port) },
    stdio: "ignore",
  });
  try {
    await waitForReady(child, port);
    const readyMs = performance.now() - started;
    return { ...(await processUsage(child.pid!)), readyMs };
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
    await world.close();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const range = (xs: number[], f: (x: number) => string) =>
  `${f(median(xs))} (${f(Math.min(...xs))}–${f(Math.max(...xs))})`;

console.log(`collector start-up, ${runs} runs each, median (min–max), at the first /readyz 200`);
for (const [mode, args] of Object.entries(modes)) {
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push(await startOnce(args));
  const cpu = range(
    samples.map((s) => s.cpuMs),
    (x) => `${(x / 1000).toFixed(2)} s`,
  );
  const rss = range(
    samples.map((s) => s.rssBytes),
    (x) => `${Math.round(x / 1024 / 1024)} MB`,
  );
  const ready = range(
    samples.map((s) => s.readyMs),
    (x) => `${(x / 1000).toFixed(2)} s`,
  );
  console.log(`${mode.padEnd(9)} CPU ${cpu}  RSS ${rss}  ready after ${ready}`);
}
