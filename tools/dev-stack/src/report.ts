import type { ServiceSpec } from "./services.js";

export interface NextSteps {
  readonly services: readonly ServiceSpec[];
  readonly inventory: string;
  readonly knownHosts: string;
  /** Only when created in this run. */
  readonly token: string | null;
  readonly everyS: number;
  readonly namespace: string;
  readonly database: string;
  readonly once: boolean;
}

/** What is running, what drives the backups, what is a stand-in, and what to try next. */
export function printNextSteps(say: (line?: string) => void, next: NextSteps): void {
  const width = Math.max(...next.services.map((s) => s.name.length));
  say();
  say(`== NetLedger is running (wire namespace ${next.namespace}, database ${next.database})`);
  say("Ops endpoints of each service:");
  for (const s of next.services) {
    say(
      `   ${s.name.padEnd(width)}  curl localhost:${s.opsPort}/healthz   curl localhost:${s.opsPort}/readyz   curl localhost:${s.opsPort}/metrics`,
    );
  }
  say(
    `Simulated fleet: ${next.inventory} (name,host,port,username,password,model; try: ssh -p <port> admin@127.0.0.1), host keys: ${next.knownHosts}`,
  );
  if (next.token) {
    say(`Admin API token for tenant demo (shown once, only its sha256 is stored): ${next.token}`);
  } else {
    say(
      "Admin API token for tenant demo: printed when it was created; `npm start -- --new-token` revokes it and prints a new one.",
    );
  }
  say(
    `Backups: the ingestor's scheduler (leader-elected) enqueues a job per device every ${next.everyS} s (BACKUP_INTERVAL_MS), the collectors run them;`,
  );
  say("   below, one line per collected backup or failure, per stored version, and its structured changes.");
  if (!next.once) say(`   Every ${next.everyS} s the dev stack changes the config of one or two simulated devices.`);
  say("Stand-in until its issue lands: the gateway's REST API (the gateway serves only its ops endpoints yet).");
  say(
    next.once
      ? "Waiting for the first round of backups, then stopping."
      : "Ctrl-C stops everything the dev stack started.",
  );
}
