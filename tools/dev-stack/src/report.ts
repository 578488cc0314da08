import { isAbsolute } from "node:path";
import type { ServiceSpec } from "./services.js";

/** Shown with every backup cycle, so nobody mistakes the stand-in for the real scheduler. */
export const STAND_IN_NOTE = "[stand-in trigger source: dev stack, not the scheduler]";

export interface NextSteps {
  readonly services: readonly ServiceSpec[];
  readonly inventory: string;
  readonly knownHosts: string;
  /** Only when created in this run. */
  readonly token: string | null;
  readonly api: {
    readonly gatewayUrl: string;
    readonly tenantId: string;
    /** Relative path of demo.json (gatewayUrl, tenantId, token). */
    readonly demoFile: string;
    /** A device for the examples. */
    readonly device: { readonly deviceId: string; readonly name: string } | undefined;
  };
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
  printApiExamples(say, next);
  say("Stand-ins until their issues land:");
  if (next.once) {
    say("   - the ingestor's scheduler: the dev stack itself sends one trigger request for every device;");
  } else {
    say(
      `   - the ingestor's scheduler: the dev stack itself sends a trigger request for every device every ${next.everyS} s,`,
    );
    say("     and changes the config of one or two simulated devices between cycles so hashes change;");
  }
  say(
    "   - storing snapshots: collectors publish them to JetStream; the ingestor does not write them to PostgreSQL yet.",
  );
  say(next.once ? "Running one backup cycle, then stopping." : "Ctrl-C stops everything the dev stack started.");
}

/** The REST API: where, the token, and curl examples of the whole flow. */
function printApiExamples(say: (line?: string) => void, next: NextSteps): void {
  const { gatewayUrl, tenantId, demoFile, device } = next.api;
  say(`REST API: ${gatewayUrl} (OpenAPI: curl ${gatewayUrl}/openapi.json); tenant demo = ${tenantId}`);
  if (next.token) say(`Admin API token for tenant demo (shown once, only its sha256 is stored): ${next.token}`);
  say(`${demoFile} holds { gatewayUrl, tenantId, token } with a working admin token (rewritten on every start).`);
  const tenant = `${gatewayUrl}/api/tenants/${tenantId}`;
  const dev = `${tenant}/devices/${device?.deviceId ?? "<deviceId>"}`;
  say("Try it:");
  const demoPath = isAbsolute(demoFile) ? demoFile : `./${demoFile}`;
  say(`   TOKEN=$(node -p 'require("${demoPath}").token'); AUTH="Authorization: Bearer $TOKEN"`);
  say(`   curl -H "$AUTH" ${tenant}/devices   # devices and their backup status`);
  say(`   curl -X POST -H "$AUTH" ${dev}/config-snapshot/trigger   # back up ${device?.name ?? "a device"} now`);
  say(`   curl -H "$AUTH" ${dev}/config-history   # versions and what changed`);
  say(`   curl -H "$AUTH" ${dev}/snapshots/<snapshotId>/diff   # a version against the previous one`);
  say(`   curl -OJ -H "$AUTH" ${dev}/snapshots/<snapshotId>/download   # the export as router-<name>-<time>.rsc`);
  say(`   curl -H "$AUTH" ${tenant}/audit-events   # who did what`);
}
