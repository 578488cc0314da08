import { Worker } from "node:worker_threads";
import type { Driver } from "@netledger/contracts";
import { diffConfigTexts, type VersionDiff } from "@netledger/db";
import type { Logger } from "@netledger/platform";

/** Longest a diff thread may take to load (under tsx it compiles its modules first: 1-2 s). */
const LOAD_TIMEOUT_MS = 30_000;

/** Normalization versions of the two texts of a diff. */
export interface DiffVersions {
  readonly before: number;
  readonly after: number;
}

/** Computes consecutive diffs (`diffConfigTexts`), on worker threads when it has some. */
export interface ConfigDiffer {
  diff(driver: Driver, before: string, after: string, versions: DiffVersions): Promise<VersionDiff>;
  /**
   * Resolves once every thread has loaded, or failed to or took longer than 30 s (then it is
   * stopped and its diffs are computed in the caller's thread).
   */
  ready(): Promise<void>;
  /** Stops the threads (diffs asked later are computed in the caller's thread). */
  close(): Promise<void>;
}

/** What the main thread sends a diff thread. */
export interface DiffRequest {
  readonly id: number;
  readonly driver: Driver;
  readonly before: string;
  readonly after: string;
  readonly versions: DiffVersions;
}

/** A diff thread's message: loaded and ready, a diff, or that computing one failed. */
export type DiffReply =
  | { readonly ready: true }
  | { readonly id: number; readonly diff: VersionDiff }
  | { readonly id: number; readonly failed: true };

interface Pending {
  readonly resolve: (diff: VersionDiff) => void;
  readonly reject: (err: unknown) => void;
  readonly request: DiffRequest;
}

interface DiffThread {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
  alive: boolean;
  /** Settles when the thread has loaded, or has stopped. */
  readonly loaded: Promise<void>;
}

/**
 * A {@link ConfigDiffer} with `threads` worker threads (0: every diff in the caller's thread).
 * Why: on a 2-core host one ingestor's event loop is the bottleneck, and the diffs of changed
 * snapshots are ~40 % of its work (bench/README.md, `ingest`). A diff goes to the thread with the
 * fewest pending; a thread that fails or dies is dropped and its diffs are computed in the
 * caller's thread, so results never depend on the threads. Idle threads do not keep the process
 * alive.
 */
export function createConfigDiffer(threads: number, logger: Logger): ConfigDiffer {
  const inline = (request: Omit<DiffRequest, "id">): VersionDiff =>
    diffConfigTexts(request.driver, request.before, request.after, request.versions);
  const pool: DiffThread[] = [];
  for (let i = 0; i < threads; i++) {
    try {
      pool.push(startThread());
    } catch (err) {
      logger.warn({ err }, "diff thread did not start; diffing in the main thread");
    }
  }
  let nextId = 1;

  function settleInline(pending: Pending): void {
    try {
      pending.resolve(inline(pending.request));
    } catch (err) {
      pending.reject(err);
    }
  }

  /** Held (keeps the process alive) while loading and while it owes answers. */
  function startThread(): DiffThread {
    let loaded = () => {};
    const thread: DiffThread = {
      worker: spawnDiffWorker(),
      pending: new Map(),
      alive: true,
      loaded: new Promise<void>((resolve) => {
        loaded = resolve;
      }),
    };
    const drop = (err: unknown) => {
      loaded();
      if (!thread.alive) return;
      thread.alive = false;
      logger.warn({ err }, "diff thread stopped; diffing in the main thread");
      for (const pending of thread.pending.values()) settleInline(pending);
      thread.pending.clear();
    };
    thread.worker.on("message", (reply: DiffReply) => {
      if ("ready" in reply) {
        loaded();
        if (thread.pending.size === 0) thread.worker.unref();
        return;
      }
      const pending = thread.pending.get(reply.id);
      if (!pending) return;
      thread.pending.delete(reply.id);
      if (thread.pending.size === 0) thread.worker.unref();
      if ("diff" in reply) pending.resolve(reply.diff);
      else settleInline(pending);
    });
    thread.worker.on("error", drop);
    thread.worker.on("exit", (code) => drop(new Error(`diff thread exited with code ${code}`)));
    return thread;
  }

  return {
    diff(driver, before, after, versions) {
      const alive = pool.filter((thread) => thread.alive);
      if (alive.length === 0) return Promise.resolve().then(() => inline({ driver, before, after, versions }));
      const thread = alive.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
      const request: DiffRequest = { id: nextId++, driver, before, after, versions };
      return new Promise<VersionDiff>((resolve, reject) => {
        thread.pending.set(request.id, { resolve, reject, request });
        // Held only while it owes answers: an idle thread never keeps the process alive.
        if (thread.pending.size === 1) thread.worker.ref();
        thread.worker.postMessage(request);
      });
    },
    async ready() {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<"late">((resolve) => {
        timer = setTimeout(() => resolve("late"), LOAD_TIMEOUT_MS);
      });
      await Promise.all(
        pool.map(async (thread) => {
          // A thread that never loads would hold its diffs forever: stop it, diff on the event loop.
          if ((await Promise.race([thread.loaded, late])) === "late") await thread.worker.terminate();
        }),
      );
      clearTimeout(timer);
    },
    async close() {
      const threads = pool.splice(0);
      for (const thread of threads) thread.alive = false;
      await Promise.all(threads.map((thread) => thread.worker.terminate()));
      for (const thread of threads) for (const pending of thread.pending.values()) settleInline(pending);
    },
  };
}

/**
 * Starts `diff-worker`: from the sources (development and tests, run through tsx) the thread
 * registers tsx first, since a worker does not inherit the loader; from the bundle (`npm run
 * build`) it is the `ingestor-diff-worker.mjs` entry next to this code.
 */
function spawnDiffWorker(): Worker {
  const here = import.meta.url;
  if (!here.endsWith(".ts")) return new Worker(new URL("./ingestor-diff-worker.mjs", here));
  const entry = JSON.stringify(new URL("./diff-worker.ts", here).href);
  return new Worker(`import("tsx/esm/api").then(({ register }) => { register(); return import(${entry}); });`, {
    eval: true,
  });
}
