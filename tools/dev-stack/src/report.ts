import { isAbsolute } from "node:path";
import type { ServiceSpec } from "./services.js";

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
  printApiExamples(say, next);
  say(
    `Backups: the ingestor's scheduler (leader-elected) enqueues a job per device every ${next.everyS} s (BACKUP_INTERVAL_MS), the collectors run them;`,
  );
  say("   below, one line per collected backup or failure, per stored version, and its structured changes.");
  if (!next.once) say(`   Every ${next.everyS} s the dev stack changes the config of one or two simulated devices.`);
  say(
    next.once
      ? "Waiting for the first round of backups, then stopping."
      : "Ctrl-C stops everything the dev stack started.",
  );
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
