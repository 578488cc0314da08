import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { freePort, type World } from "@netledger/testkit";
import { waitForReady } from "./proc-usage.js";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** A collector running in its own process, joined to a test world. */
export interface CollectorProcess {
  readonly pid: number;
  /** `backup done` lines it has logged so far. */
  done(): number;
  /** Resolves once `count` backups are done (its log lines can trail its last publish), at most `timeoutMs`. */
  waitForDone(count: number, timeoutMs?: number): Promise<void>;
  /** SIGTERM, then waits for it to exit (a `--cpu-prof` profile is written then). */
  stop(): Promise<void>;
}

export interface CollectorProcessOptions {
  /** `bundle`: `node <bundle>` (default `dist/collector.mjs`, what the image runs); `tsx`: the sources. */
  readonly mode: "bundle" | "tsx";
  readonly bundle?: string;
  readonly concurrency: number;
  /** Run it with `node --cpu-prof --cpu-prof-dir <dir>`. */
  readonly cpuProfDir?: string | undefined;
  readonly nodeOptions?: readonly string[];
}

/**
 * Starts `services/collector` as production does (from the bundle) or as development does (tsx),
 * with the world's environment, `COLLECTOR_CONCURRENCY` and `LOG_LEVEL=info`, and waits for its
 * `/readyz`. Its warnings and errors go to this process's stderr; `backup done` lines are counted.
 */
export async function startCollectorProcess(world: World, options: CollectorProcessOptions): Promise<CollectorProcess> {
  const bundle = options.bundle ?? "dist/collector.mjs";
  if (options.mode === "bundle" && !existsSync(new URL(bundle, `file://${root}`))) {
    throw new Error(`${bundle} is missing: run \`npm run build\` first`);
  }
  const entry = options.mode === "bundle" ? [bundle] : ["--import", "tsx", "services/collector/src/main.ts"];
  const prof = options.cpuProfDir ? ["--cpu-prof", "--cpu-prof-dir", options.cpuProfDir] : [];
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeOptions ?? []), ...prof, ...entry], {
    cwd: root,
    env: {
      ...process.env,
      ...world.env(),
      OPS_PORT: String(port),
      COLLECTOR_CONCURRENCY: String(options.concurrency),
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let done = 0;
  createInterface({ input: child.stdout! }).on("line", (line) => {
    if (line.includes('"msg":"backup done"')) done++;
    else if (/"level":"(warn|error|fatal)"|"level":(40|50|60)\b/.test(line)) process.stderr.write(`${line}\n`);
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  };
  try {
    await waitForReady(child, port);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    pid: child.pid!,
    done: () => done,
    async waitForDone(count, timeoutMs = 10_000) {
      for (const until = performance.now() + timeoutMs; done < count && performance.now() < until; ) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    stop,
  };
}
