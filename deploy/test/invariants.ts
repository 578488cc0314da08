import { CollectorConfigSchema } from "@netledger/collector";
import { createWire } from "@netledger/contracts";
import { migrateConfigSchema } from "@netledger/db";
import { gatewayConfigSchema } from "@netledger/gateway";
import { ingestorConfigSchema } from "@netledger/ingestor";
import type { K8sObject } from "./render.js";

/**
 * The environment each image entry reads: the keys of that service's config schema (its
 * `config.ts`, the only reader of process.env), so a key a service adds is allowed at once.
 */
export const CONFIG_KEYS: Readonly<Record<string, ReadonlySet<string>>> = {
  gateway: new Set(Object.keys(gatewayConfigSchema.shape)),
  collector: new Set(Object.keys(CollectorConfigSchema.shape)),
  ingestor: new Set(Object.keys(ingestorConfigSchema.shape)),
  migrate: new Set(Object.keys(migrateConfigSchema.shape)),
};

const WORKLOADS = new Set(["Deployment", "Job"]);
const label = (o: K8sObject) => `${o.kind}/${o.metadata.name}`;

// biome-ignore lint/suspicious/noExplicitAny: walking untyped manifests
type Any = any;

function podTemplates(
  objects: readonly K8sObject[],
): Array<{ owner: K8sObject; labels: Record<string, string>; spec: Any }> {
  return objects
    .filter((o) => WORKLOADS.has(o.kind))
    .map((o) => ({ owner: o, labels: o.spec?.template?.metadata?.labels ?? {}, spec: o.spec?.template?.spec ?? {} }));
}

const matches = (selector: Record<string, string> | undefined, labels: Record<string, string>) =>
  !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

/** The image entry a container runs (`/app/<entry>.mjs`), or null. */
export function entryOf(container: Any): string | null {
  const arg = [...(container.command ?? []), ...(container.args ?? [])].find((a: string) => /^\/app\/.+\.mjs$/.test(a));
  return arg ? arg.slice("/app/".length, -".mjs".length) : null;
}

/** Seconds of a Go/ms-style duration the services accept (`630000`, `10m`, `30s`), or NaN. */
function durationMs(value: string): number {
  const m = /^(\d+)(ms|s|m|h)?$/.exec(value.trim());
  if (!m) return Number.NaN;
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[m[2] ?? "ms"] ?? 1;
  return Number(m[1]) * unit;
}

/**
 * NetLedger's own rules over a set of rendered objects; returns one line per violation.
 * - every container: probes (services), cpu and memory requests, a memory limit, the security context;
 * - no `replicas` on a Deployment an HPA or ScaledObject drives;
 * - every selector (Deployment, Service, PDB, NetworkPolicy, ServiceMonitor, autoscaler target) matches;
 * - the KEDA trigger's stream and consumer equal `createWire(namespace)` (namespace from the ConfigMap);
 * - the collector's grace outlasts its shutdown grace, and its scale-down window outlasts the grace;
 * - no Secret carries data;
 * - every env var set on a container is read by that entry's config schema.
 */
export function checkInvariants(objects: readonly K8sObject[]): string[] {
  const problems: string[] = [];
  const pods = podTemplates(objects);

  for (const { owner, spec } of pods) {
    for (const c of spec.containers ?? []) {
      const where = `${label(owner)} container ${c.name}`;
      if (owner.kind === "Deployment") {
        if (!c.livenessProbe?.httpGet) problems.push(`${where}: no liveness probe`);
        if (!c.readinessProbe?.httpGet) problems.push(`${where}: no readiness probe`);
      }
      if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory)
        problems.push(`${where}: no cpu/memory requests`);
      if (!c.resources?.limits?.memory) problems.push(`${where}: no memory limit`);
      const sc = c.securityContext ?? {};
      const nonRoot = sc.runAsNonRoot ?? spec.securityContext?.runAsNonRoot;
      if (nonRoot !== true) problems.push(`${where}: not runAsNonRoot`);
      if (sc.readOnlyRootFilesystem !== true) problems.push(`${where}: root filesystem not read-only`);
      if (sc.allowPrivilegeEscalation !== false) problems.push(`${where}: privilege escalation allowed`);
      if (!(sc.capabilities?.drop ?? []).includes("ALL")) problems.push(`${where}: capabilities not all dropped`);

      const entry = entryOf(c);
      const keys = entry ? CONFIG_KEYS[entry] : undefined;
      if (!keys) problems.push(`${where}: runs no known entry (/app/<gateway|collector|ingestor|migrate>.mjs)`);
      const names = (c.env ?? []).map((e: Any) => e.name as string);
      for (const name of new Set(names.filter((n: string, i: number) => names.indexOf(n) !== i)))
        problems.push(`${where}: sets ${name} twice`);
      for (const env of c.env ?? []) {
        if (keys && !keys.has(env.name))
          problems.push(`${where}: sets ${env.name}, which ${entry}'s config.ts does not read`);
      }
      if (c.envFrom?.length) problems.push(`${where}: envFrom sets variables no config.ts is checked against`);
    }
  }

  const deployments = new Map(objects.filter((o) => o.kind === "Deployment").map((o) => [o.metadata.name, o]));
  for (const d of deployments.values()) {
    if (!matches(d.spec?.selector?.matchLabels, d.spec?.template?.metadata?.labels ?? {}))
      problems.push(`${label(d)}: selector does not match its pod template`);
  }
  const scalers = objects.filter((o) => o.kind === "HorizontalPodAutoscaler" || o.kind === "ScaledObject");
  for (const s of scalers) {
    const target = deployments.get(s.spec?.scaleTargetRef?.name);
    if (!target) problems.push(`${label(s)}: scales no Deployment of this release`);
    else if (target.spec?.replicas !== undefined)
      problems.push(`${label(target)}: sets replicas although ${label(s)} drives it`);
  }
  for (const o of objects) {
    const selector =
      o.kind === "Service"
        ? o.spec?.selector
        : o.kind === "PodDisruptionBudget"
          ? o.spec?.selector?.matchLabels
          : o.kind === "NetworkPolicy"
            ? o.spec?.podSelector?.matchLabels
            : undefined;
    if (selector !== undefined && !pods.some((p) => matches(selector, p.labels)))
      problems.push(`${label(o)}: selector matches no pod template`);
    if (o.kind === "ServiceMonitor") {
      const services = objects.filter((s) => s.kind === "Service");
      if (!services.some((s) => matches(o.spec?.selector?.matchLabels, s.metadata.labels ?? {})))
        problems.push(`${label(o)}: selector matches no Service`);
    }
    if (o.kind === "Secret" && (Object.keys(o.data ?? {}).length > 0 || Object.keys(o.stringData ?? {}).length > 0))
      problems.push(`${label(o)}: a Secret with data (secrets are referenced, never rendered)`);
  }

  const namespace = objects.find((o) => o.kind === "ConfigMap" && o.data?.NETLEDGER_NAMESPACE)?.data
    ?.NETLEDGER_NAMESPACE as string | undefined;
  const wire = createWire(namespace);
  for (const so of objects.filter((o) => o.kind === "ScaledObject")) {
    const triggers = (so.spec?.triggers ?? []).filter((t: Any) => t.type === "nats-jetstream");
    if (triggers.length === 0) problems.push(`${label(so)}: no nats-jetstream trigger`);
    for (const t of triggers) {
      if (t.metadata?.stream !== wire.streams.jobs.name)
        problems.push(`${label(so)}: stream ${t.metadata?.stream} is not the contracts' ${wire.streams.jobs.name}`);
      if (t.metadata?.consumer !== wire.consumers.collectorJobs.durable_name)
        problems.push(`${label(so)}: consumer ${t.metadata?.consumer} is not the contracts' collectors consumer`);
    }
  }

  for (const { owner, spec } of pods) {
    const c = (spec.containers ?? []).find((x: Any) => entryOf(x) === "collector");
    if (!c) continue;
    const graceS = spec.terminationGracePeriodSeconds ?? 30;
    const shutdown = (c.env ?? []).find((e: Any) => e.name === "COLLECTOR_SHUTDOWN_GRACE_MS");
    // The service's own shutdown timeout is the grace plus 5 s; it must end before SIGKILL.
    const shutdownMs = shutdown ? durationMs(String(shutdown.value)) : 25_000;
    if (!(shutdownMs + 5_000 < graceS * 1000))
      problems.push(`${label(owner)}: COLLECTOR_SHUTDOWN_GRACE_MS + 5 s does not end before the termination grace`);
    for (const s of scalers.filter((x) => x.spec?.scaleTargetRef?.name === owner.metadata.name)) {
      const behavior =
        s.kind === "ScaledObject" ? s.spec?.advanced?.horizontalPodAutoscalerConfig?.behavior : s.spec?.behavior;
      const window = behavior?.scaleDown?.stabilizationWindowSeconds ?? 300; // the Kubernetes default
      if (!(window > graceS))
        problems.push(`${label(s)}: scale-down window ${window}s is not longer than a backup (${graceS}s)`);
    }
  }
  return problems;
}

/** The kinds and components of a set of objects, for comparing the chart with the kustomize base. */
export function objectSet(objects: readonly K8sObject[]): string[] {
  return objects.map((o) => `${o.kind}/${o.metadata.labels?.["app.kubernetes.io/component"] ?? "?"}`).sort();
}
