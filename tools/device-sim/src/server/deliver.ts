import { once } from "node:events";
import type { Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import type ssh2 from "ssh2";
import { cutExport, garbageBytes, truncatedExport } from "../render/oversize.js";
import type { FailureMode } from "../types.js";

/** Knobs of the slow and oversize modes. */
export interface DeliveryTuning {
  readonly slowChunkBytes: number;
  readonly slowIntervalMs: number;
  readonly garbageSeed: number;
}

/** Everything one export delivery needs; `oversize` produces the streamed export lazily. */
export interface DeliveryContext {
  readonly channel: ssh2.ServerChannel;
  readonly socket: Socket;
  readonly mode: FailureMode | null;
  readonly tuning: DeliveryTuning;
  readonly oversize: () => Iterable<string>;
  /** Cut points the device already used (`cut-byte`, `cut-line`): never used twice. */
  readonly usedCuts: Set<number>;
}

function alive(ctx: DeliveryContext): boolean {
  return !ctx.socket.destroyed && !ctx.channel.destroyed;
}

/** Resolves at the first of `events` on `emitter`, removing the other listeners. */
export async function firstOf(emitter: NodeJS.EventEmitter, events: readonly string[]): Promise<void> {
  const settled = new AbortController();
  const wait = (event: string) => once(emitter, event, { signal: settled.signal }).catch(() => undefined);
  await Promise.race(events.map(wait));
  settled.abort();
}

/** Writes honouring back-pressure; false when the channel closed first. */
export async function write(ctx: DeliveryContext, data: string | Buffer): Promise<boolean> {
  if (!alive(ctx)) return false;
  if (!ctx.channel.write(data)) await firstOf(ctx.channel, ["drain", "close"]);
  return alive(ctx);
}

async function dropAfter(ctx: DeliveryContext, part: string): Promise<void> {
  await new Promise<void>((resolve) => {
    ctx.channel.write(part, () => resolve());
    ctx.channel.once("close", () => resolve());
  });
  if (ctx.socket.writableLength > 0) await firstOf(ctx.socket, ["drain", "close"]);
  // One more turn so the bytes reach the kernel before the reset.
  await sleep(5);
  ctx.socket.destroy();
}

/**
 * Sends an export the way the device's failure mode dictates. Resolves true when the command
 * finished and the session may go on (exec then exits 0), false when the session is gone or the
 * device hangs on purpose.
 */
export async function deliverExport(ctx: DeliveryContext, text: string): Promise<boolean> {
  switch (ctx.mode) {
    case "hang":
      return false;
    case "slow":
      for (let at = 0; at < text.length; at += ctx.tuning.slowChunkBytes) {
        if (at > 0) await sleep(ctx.tuning.slowIntervalMs);
        if (!(await write(ctx, text.slice(at, at + ctx.tuning.slowChunkBytes)))) return false;
      }
      return true;
    case "drop":
      await dropAfter(ctx, text.slice(0, Math.max(1, Math.floor(text.length / 2))));
      return false;
    case "truncate":
      return write(ctx, truncatedExport(text));
    case "cut-byte":
      return write(ctx, cutExport(text, "byte", ctx.usedCuts));
    case "cut-line":
      return write(ctx, cutExport(text, "line", ctx.usedCuts));
    case "garbage":
      return write(ctx, garbageBytes(ctx.tuning.garbageSeed, 8192));
    case "oversize":
      for (const chunk of ctx.oversize()) if (!(await write(ctx, chunk))) return false;
      return true;
    default:
      return write(ctx, text);
  }
}
