import type { Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import type ssh2 from "ssh2";
import { type DeliveryContext, deliverExport, firstOf, write } from "./deliver.js";
import type { Reply, SshHost } from "./host.js";

/**
 * Runs the replies of one input on a channel; resolves with the exit status, or null when the
 * session ended or hangs (nothing more may be written).
 */
export async function answer(
  host: SshHost,
  replies: readonly Reply[],
  ctx: DeliveryContext,
): Promise<{ exitCode: number; quit: boolean } | null> {
  await sleep(host.commandDelayMs());
  let exitCode = 0;
  for (const reply of replies) {
    switch (reply.kind) {
      case "text":
        exitCode = reply.exitCode;
        if (!(await write(ctx, reply.text))) return null;
        break;
      case "export":
        if (!(await deliverExport(ctx, reply.text))) return null;
        break;
      case "quit":
        return { exitCode, quit: true };
    }
  }
  return { exitCode, quit: false };
}

/** Ends an exec or shell channel with an exit status, as RouterOS does after the command. */
export async function finish(channel: ssh2.ServerChannel, exitCode: number): Promise<void> {
  // exit-status goes out at once while data may still wait for window: flush first, so the client
  // sees data, then the status, then EOF and close, as from OpenSSH or RouterOS.
  if (channel.writableLength > 0) await firstOf(channel, ["drain", "close"]);
  if (channel.destroyed) return;
  channel.exit(exitCode);
  channel.end();
}

/** Delivery settings for one command, taken when it runs (failure modes change between commands). */
export function deliveryContext(channel: ssh2.ServerChannel, socket: Socket, host: SshHost): DeliveryContext {
  return {
    channel,
    socket,
    mode: host.failure,
    tuning: host.tuning,
    oversize: () => host.oversizeExport(),
    usedCuts: host.usedCuts,
  };
}
