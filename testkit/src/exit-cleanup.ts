import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Last-resort clean-up of what the testkit started: when the test process exits (normally, or
 * on SIGINT/SIGTERM/SIGHUP) every still-running server process is SIGKILLed and every temp dir
 * removed. Only synchronous work is possible at exit, so this is no substitute for `stop()`.
 */

const children = new Set<ChildProcess>();
const dirs = new Set<string>();
let installed = false;

/** Kill `child` when the process exits, unless it exited first. */
export function killAtExit(child: ChildProcess): void {
  install();
  children.add(child);
  child.once("exit", () => children.delete(child));
}

/** A fresh temp dir (`netledger-<label>-XXXXXX`), removed when the process exits. */
export function tempDirRemovedAtExit(label: string): string {
  install();
  const dir = mkdtempSync(join(tmpdir(), `netledger-${label}-`));
  dirs.add(dir);
  return dir;
}

function install(): void {
  if (installed) return;
  installed = true;
  process.once("exit", cleanUp);
  for (const [signal, number] of [
    ["SIGINT", 2],
    ["SIGTERM", 15],
    ["SIGHUP", 1],
  ] as const) {
    process.once(signal, () => {
      cleanUp();
      process.exit(128 + number);
    });
  }
}

function cleanUp(): void {
  for (const child of children) {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
  children.clear();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
}
