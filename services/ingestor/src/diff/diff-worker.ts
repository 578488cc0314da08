import { parentPort } from "node:worker_threads";
import { diffConfigTexts } from "@netledger/db";
import type { DiffReply, DiffRequest } from "./diff-threads.js";

/**
 * Entry of a diff thread (`diff-threads.ts`): computes consecutive diffs off the main thread. A
 * failure is answered as such, without its message (it could quote config text); the caller then
 * computes the diff itself, so the error surfaces there.
 */
parentPort?.postMessage({ ready: true } satisfies DiffReply);
parentPort?.on("message", (request: DiffRequest) => {
  let reply: DiffReply;
  try {
    reply = { id: request.id, diff: diffConfigTexts(request.driver, request.before, request.after, request.versions) };
  } catch {
    reply = { id: request.id, failed: true };
  }
  parentPort?.postMessage(reply);
});
