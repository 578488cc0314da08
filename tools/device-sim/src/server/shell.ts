import type ssh2 from "ssh2";
import { answer, finish } from "./answer.js";
import type { DeliveryContext } from "./deliver.js";
import type { SshHost } from "./host.js";

const ESC = 0x1b;

function banner(version: string): string {
  return `\r\n\r\n  MikroTik RouterOS ${version} (c) 1999-2024       https://www.mikrotik.com/\r\n\r\n`;
}

/**
 * Interactive console: echoes what is typed like a terminal (CR becomes CRLF, backspace erases),
 * runs each line, prints the `[admin@<identity>] > ` prompt again, and closes on `quit`. Input
 * typed while a command runs is queued, as a terminal would buffer it.
 */
export function runShell(channel: ssh2.ServerChannel, host: SshHost, deliveryContext: () => DeliveryContext): void {
  let line = "";
  let inEscape = false;
  let lastWasCr = false;
  let queue: Promise<boolean> = Promise.resolve(true);
  const echo = (text: string): void => {
    if (!channel.destroyed) channel.write(text);
  };
  const run = (input: string): void => {
    queue = queue.then(async (open) => {
      if (!open) return false;
      const done = await answer(host, input.trim() === "" ? [] : host.respond(input), deliveryContext());
      if (done === null) return false;
      if (done.quit) {
        await finish(channel, 0);
        return false;
      }
      echo(host.prompt());
      return true;
    });
  };

  echo(banner(host.version) + host.prompt());
  channel.on("data", (data: Buffer) => {
    for (const byte of data) {
      const crlfTail = lastWasCr && byte === 0x0a;
      lastWasCr = byte === 0x0d;
      if (inEscape) {
        // CSI sequences (arrow keys...) end with a letter or `~`; the editor ignores them.
        inEscape = !(byte >= 0x40 && byte <= 0x7e && byte !== 0x5b);
      } else if (byte === ESC) {
        inEscape = true;
      } else if (byte === 0x0d || byte === 0x0a) {
        if (crlfTail) continue;
        echo("\r\n");
        run(line);
        line = "";
      } else if (byte === 0x7f || byte === 0x08) {
        if (line.length > 0) {
          line = line.slice(0, -1);
          echo("\b \b");
        }
      } else if (byte === 0x03) {
        line = "";
        echo(`\r\n${host.prompt()}`);
      } else if (byte >= 0x20) {
        const ch = String.fromCharCode(byte);
        line += ch;
        echo(ch);
      }
    }
  });
}
