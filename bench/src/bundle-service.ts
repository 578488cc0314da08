import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { existsSync, readdirSync, statSync } from "node:fs";
import { createInterface } from "node:readline";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { freePort } from "@netledger/testkit";

/** Repository root (the bundles are `<root>/dist/<entry>.mjs`). */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

export type BundleEntry = "collector" | "ingestor";

/** Newest modification time of the TypeScript sources a bundle is built from. */
function newestSourceMs(): number {
  let newest = 0;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === "node_modules") continue;
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts"))
        newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const top of ["packages", "services"]) {
    for (const pkg of readdirSync(`${REPO_ROOT}${top}`)) {
      const src = `${REPO_ROOT}${top}/${pkg}/src`;
      if (existsSync(src)) walk(src);
    }
  }
  return newest;
}

/**
 * Makes sure `dist/collector.mjs` and `dist/ingestor.mjs` exist and are newer than every source
 * file of packages/ and services/; runs `npm run build` otherwise (progress on stderr). Returns
 * whether it built.
 */
export function ensureBundles(log: (line: string) => void): boolean {
  const files = (["collector", "ingestor"] as const).map((e) => `${REPO_ROOT}dist/${e}.mjs`);
  const oldest = Math.min(...files.map((f) => (existsSync(f) ? statSync(f).mtimeMs : 0)));
  if (oldest > newestSourceMs()) return false;
  log("dist/ bundles missing or older than the sources: npm run build");
  const built = spawnSync("npm", ["run", "build"], { cwd: REPO_ROOT, stdio: ["ignore", 2, 2] });
  if (built.status !== 0) throw new Error(`npm run build failed (exit ${built.status})`);
  return true;
}

/** One pino log line of a service, parsed (the services print levels as labels: "info", "warn"...). */
export type LogRecord = Record<string, unknown> & { readonly level?: string | number; readonly msg?: string };

const LEVELS: Readonly<Record<string, number>> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

/** pino's numeric level of a record, whether it printed the label or the number; 0 when unknown. */
export function levelOf(record: LogRecord): number {
  return typeof record.level === "number" ? record.level : (LEVELS[record.level ?? ""] ?? 0);
}

/** A service started from its bundle, as the image runs it (`node dist/<entry>.mjs`, configured by environment). */
export interface BundleService {
  readonly label: string;
  readonly pid: number;
  readonly opsPort: number;
  /** Warning and error lines (pino level ≥ 40) by message, counted. */
  readonly problems: ReadonlyMap<string, number>;
  /** Sends SIGTERM and waits for the exit; resolves with the exit code (null: killed by a signal). */
  stop(): Promise<number | null>;
}

const READY_TIMEOUT_MS = 60_000;

/**
 * Starts `node [nodeFlags] dist/<entry>.mjs` with `env` (plus a free `OPS_PORT`), hands every JSON log line of
 * its stdout to `onLog` (lines are not kept), and resolves once `/readyz` answers 200. Stderr and
 * lines that are not JSON go to this process's stderr, prefixed with the label.
 */
export async function startBundleService(
  entry: BundleEntry,
  label: string,
  env: Record<string, string>,
  onLog: (record: LogRecord) => void,
  nodeFlags: readonly string[] = [],
): Promise<BundleService> {
  // A free port can be taken between `freePort()` and the service's listen (the simulator of a
  // large fleet binds thousands): start again on another port, twice at most.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(entry, label, env, onLog, nodeFlags);
    } catch (err) {
      if (!(err instanceof OpsPortTaken) || attempt >= 3) throw err;
      process.stderr.write(`${label}: ${err.message}; starting it again\n`);
    }
  }
}

class OpsPortTaken extends Error {}

async function startOnce(
  entry: BundleEntry,
  label: string,
  env: Record<string, string>,
  onLog: (record: LogRecord) => void,
  nodeFlags: readonly string[],
): Promise<BundleService> {
  const opsPort = await freePort();
  let portTaken = false;
  const child: ChildProcess = spawn(process.execPath, [...nodeFlags, `${REPO_ROOT}dist/${entry}.mjs`], {
    cwd: REPO_ROOT,
    env: { ...env, OPS_PORT: String(opsPort) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = once(child, "exit").then(([code]) => code as number | null);
  const problems = new Map<string, number>();
  createInterface({ input: child.stdout! }).on("line", (line) => {
    let record: LogRecord;
    try {
      record = JSON.parse(line) as LogRecord;
    } catch {
      portTaken ||= line.includes("EADDRINUSE");
      process.stderr.write(`[${label}] ${line}\n`);
      return;
    }
    if (levelOf(record) >= 40) {
      const key = `${record.msg ?? "?"}${typeof record.code === "string" ? ` (${record.code})` : ""}`;
      problems.set(key, (problems.get(key) ?? 0) + 1);
    }
    onLog(record);
  });
  createInterface({ input: child.stderr! }).on("line", (line) => {
    portTaken ||= line.includes("EADDRINUSE");
    process.stderr.write(`[${label}] ${line}\n`);
  });
  const stop = async (): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    return exited;
  };
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) {
      await delay(100); // let the last output lines arrive
      if (portTaken) throw new OpsPortTaken(`OPS_PORT ${opsPort} was taken`);
      throw new Error(`${label} exited with ${child.exitCode} before it was ready`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${label} not ready within ${READY_TIMEOUT_MS / 1000} s`);
    }
    const ready = await fetch(`http://127.0.0.1:${opsPort}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) break;
    await delay(50);
  }
  return { label, pid: child.pid!, opsPort, problems, stop };
}
