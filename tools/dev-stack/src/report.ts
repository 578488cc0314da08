import type { ServiceSpec } from "./services.js";

/** Shown with every backup cycle, so nobody mistakes the stand-in for the real scheduler. */
export const STAND_IN_NOTE = "[stand-in trigger source: dev stack, not the scheduler]";

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

/** What is running, what is a stand-in, and what to try next. */
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
  say("Stand-ins until their issues land:");
  if (next.once) {
    say("   - the ingestor's scheduler: the dev stack itself sends one trigger request for every device;");
  } else {
    say(
      `   - the ingestor's scheduler: the dev stack itself sends a trigger request for every device every ${next.everyS} s,`,
    );
    say("     and changes the config of one or two simulated devices between cycles so hashes change;");
  }
  say("   - the gateway's REST API: the gateway serves only its ops endpoints yet (the token is for the API to come);");
  say(
    "   - storing snapshots: collectors publish them to JetStream; the ingestor does not write them to PostgreSQL yet.",
  );
  say(next.once ? "Running one backup cycle, then stopping." : "Ctrl-C stops everything the dev stack started.");
}
