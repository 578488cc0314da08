import type { Socket } from "node:net";
import type ssh2 from "ssh2";
import { answer, deliveryContext, finish } from "./answer.js";
import type { SshHost } from "./host.js";
import { runShell } from "./shell.js";

const AUTH_METHODS: ssh2.AuthenticationType[] = ["password", "publickey"];

/** RouterOS login names may carry console options after `+` (`admin+ct`): they do not change the user. */
function loginName(username: string): string {
  return username.replace(/\+[0-9a-z]*$/i, "");
}

/** Whether this authentication attempt proves the configured user (password or authorized key). */
function isAuthentic(ctx: ssh2.AuthContext, host: SshHost): boolean {
  if (host.failure === "auth-fail" || loginName(ctx.username) !== host.username) return false;
  switch (ctx.method) {
    case "password":
      return ctx.password === host.password;
    case "publickey": {
      const key = host.authorizedKey(ctx.key.algo, ctx.key.data);
      if (key === null) return false;
      // Without a signature the client only asks whether the key would do.
      if (ctx.signature === undefined || ctx.blob === undefined) return true;
      return key.verify(ctx.blob, ctx.signature, ctx.hashAlgo);
    }
    default:
      return false;
  }
}

/** Serves one authenticated-or-not SSH connection of a device: auth, exec, shell. */
export function serveConnection(client: ssh2.Connection, socket: Socket, host: SshHost): void {
  client.on("error", () => {
    // Client resets and protocol errors end the connection; nothing to report.
  });
  client.on("authentication", (ctx) => (isAuthentic(ctx, host) ? ctx.accept() : ctx.reject(AUTH_METHODS)));
  client.on("ready", () => {
    client.on("session", (acceptSession) => {
      const session = acceptSession();
      session.on("pty", (accept) => accept?.());
      session.on("window-change", (accept) => accept?.());
      session.on("env", (accept) => accept?.());
      session.on("exec", (accept, _reject, info) => {
        const channel = accept();
        const replies = host.respond(info.command);
        void answer(host, replies, deliveryContext(channel, socket, host)).then((done) => {
          if (done !== null) return finish(channel, done.exitCode);
        });
      });
      session.on("shell", (accept) => {
        const channel = accept();
        runShell(channel, host, () => deliveryContext(channel, socket, host));
      });
    });
  });
}
