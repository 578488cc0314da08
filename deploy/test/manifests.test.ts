/**
 * The Helm chart and the kustomize manifests, rendered offline with real helm and kubectl (from
 * an npm package), every object validated against kubernetes-models (types) and type-checked
 * (unknown fields), and NetLedger's invariants checked (deploy/test/invariants.ts). The last
 * suite plants each kind of mistake and shows the checks catch it.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { COLLECTOR_NODE_FLAGS } from "@netledger/collector";
import { createWire } from "@netledger/contracts";
import { CHART_WIRE_FILE, chartWire } from "../../scripts/gen-chart-wire.js";
import { CONFIG_KEYS, checkInvariants, objectSet } from "./invariants.js";
import { typeCheckModels, validateModels } from "./models.js";
import { CRD_APIS, helmLint, helmTemplate, type K8sObject, kustomize, VALUES_FILES } from "./render.js";

const renders = new Map<string, K8sObject[]>();

before(async () => {
  for (const [name, values] of Object.entries(VALUES_FILES)) {
    renders.set(`helm ${name}`, await helmTemplate({ values }));
    renders.set(`helm ${name} + CRDs`, await helmTemplate({ values, apiVersions: CRD_APIS }));
  }
  for (const dir of ["base", "overlays/dev", "overlays/prod"]) renders.set(`kustomize ${dir}`, await kustomize(dir));
});

const render = (name: string): K8sObject[] => structuredClone(renders.get(name)!);
const find = (objects: K8sObject[], kind: string, component: string): K8sObject => {
  const found = objects.find(
    (o) => o.kind === kind && o.metadata.labels?.["app.kubernetes.io/component"] === component,
  );
  assert.ok(found, `${kind} ${component} rendered`);
  return found;
};

describe("helm chart", () => {
  for (const [name, values] of Object.entries(VALUES_FILES)) {
    test(`helm lint --strict with ${name} values`, async () => {
      assert.match(await helmLint(values), /0 chart\(s\) failed/);
    });
  }

  test("values.schema.json refuses an unknown key and a wrong type", async () => {
    await assert.rejects(
      helmTemplate({ set: ["gateway.replica=2"] }),
      /additional properties|additionalProperties|not allowed/i,
    );
    await assert.rejects(helmTemplate({ set: ["collector.autoscaling.mode=sometimes"] }), /mode/);
    await assert.rejects(helmTemplate({ set: ["secrets.sealKeys.key="] }), /sealKeys/);
  });

  test("the ServiceMonitor and KEDA objects appear only as configured, ServiceMonitors only with the CRD", () => {
    const count = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind).length;
    assert.equal(count(render("helm allOn"), "ServiceMonitor"), 0);
    assert.equal(count(render("helm allOn + CRDs"), "ServiceMonitor"), 3);
    assert.equal(count(render("helm allOn"), "ScaledObject"), 1);
    assert.equal(count(render("helm collectorHpa"), "HorizontalPodAutoscaler"), 1);
    assert.equal(count(render("helm default"), "PodDisruptionBudget"), 0, "no PDB with one replica");
    assert.equal(count(render("helm allOn"), "PodDisruptionBudget"), 3);
  });

  test("the migration Job is a pre-install/pre-upgrade hook that needs nothing the release creates", () => {
    const job = find(render("helm default"), "Job", "migrate");
    assert.equal(job.metadata.annotations?.["helm.sh/hook"], "pre-install,pre-upgrade");
    const container = job.spec.template.spec.containers[0];
    assert.deepEqual(container.args, ["/app/migrate.mjs"]);
    assert.ok(!JSON.stringify(job).includes("configMapKeyRef"), "hooks run before the ConfigMap exists");
    assert.equal(job.spec.template.spec.serviceAccountName, undefined);
  });

  test("files/wire.json is current, and KEDA's stream and consumer equal createWire() for any namespace", async () => {
    assert.deepEqual(JSON.parse(await readFile(CHART_WIRE_FILE, "utf8")), chartWire(), "run npm run gen:chart-wire");
    for (const namespace of ["netledger", "acme-prod", "t1_b"]) {
      const objects = await helmTemplate({
        set: [`config.namespace=${namespace}`, "collector.autoscaling.mode=keda"],
      });
      const trigger = find(objects, "ScaledObject", "collector").spec.triggers[0];
      const wire = createWire(namespace);
      assert.equal(trigger.metadata.stream, wire.streams.jobs.name);
      assert.equal(trigger.metadata.consumer, wire.consumers.collectorJobs.durable_name);
    }
  });

  test("collectors start with COLLECTOR_NODE_FLAGS (heap sizes), and nodeFlags can be emptied", async () => {
    for (const name of ["helm default", "kustomize base", "kustomize overlays/prod"]) {
      const container = find(render(name), "Deployment", "collector").spec.template.spec.containers[0];
      assert.deepEqual(container.args, [...COLLECTOR_NODE_FLAGS, "/app/collector.mjs"], name);
    }
    const dir = await mkdtemp(join(tmpdir(), "netledger-values-"));
    try {
      await writeFile(join(dir, "values.yaml"), "collector:\n  nodeFlags: []\n");
      const plain = find(await helmTemplate({ values: [join(dir, "values.yaml")] }), "Deployment", "collector");
      assert.deepEqual(plain.spec.template.spec.containers[0].args, ["/app/collector.mjs"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    await assert.rejects(helmTemplate({ set: ["collector.nodeFlags[0]=max-old-space-size"] }), /nodeFlags/);
  });

  test("the default render and the kustomize base hold the same objects", () => {
    assert.deepEqual(objectSet(render("helm default")), objectSet(render("kustomize base")));
  });
});

describe("every rendered object", () => {
  test("validates against kubernetes-models (KEDA, prometheus-operator included)", async () => {
    for (const [name, objects] of renders) assert.deepEqual(await validateModels(objects), [], name);
  });

  test("type-checks as its kubernetes-models interface (no unknown field)", () => {
    assert.deepEqual(typeCheckModels([...renders.values()].flat()), []);
  });

  test("keeps NetLedger's invariants", () => {
    for (const [name, objects] of renders) assert.deepEqual(checkInvariants(objects), [], name);
  });

  test("the config keys come from each service's config.ts", () => {
    assert.ok(CONFIG_KEYS.collector?.has("COLLECTOR_SHUTDOWN_GRACE_MS"));
    assert.ok(CONFIG_KEYS.gateway?.has("REDIS_URL"));
    assert.ok(!CONFIG_KEYS.ingestor?.has("REDIS_URL"));
    assert.deepEqual([...(CONFIG_KEYS.migrate ?? [])].sort(), ["DATABASE_URL", "LOG_LEVEL"]);
  });
});

describe("planted mistakes are caught", () => {
  const good = () => render("helm allOn + CRDs");
  const container = (objects: K8sObject[], component: string) =>
    find(objects, "Deployment", component).spec.template.spec.containers[0];

  test("a wrong type", async () => {
    const objects = good();
    find(objects, "Deployment", "ingestor").spec.replicas = "2";
    assert.match((await validateModels(objects)).join("\n"), /replicas must be integer/);
  });

  test("an unknown field (which the JSON schemas let through)", async () => {
    const objects = good();
    container(objects, "collector").imagePullPolcy = "Always";
    assert.deepEqual(await validateModels(objects), []);
    assert.match(typeCheckModels(objects).join("\n"), /'"imagePullPolcy"' does not exist in type 'IContainer'/);
  });

  test("a missing probe, request, memory limit or security setting", () => {
    const objects = good();
    delete container(objects, "gateway").readinessProbe;
    delete container(objects, "collector").resources.limits;
    container(objects, "ingestor").securityContext.readOnlyRootFilesystem = false;
    const problems = checkInvariants(objects).join("\n");
    assert.match(problems, /gateway container gateway: no readiness probe/);
    assert.match(problems, /collector container collector: no memory limit/);
    assert.match(problems, /ingestor container ingestor: root filesystem not read-only/);
  });

  test("a retyped stream or consumer name", () => {
    const objects = good();
    const trigger = find(objects, "ScaledObject", "collector").spec.triggers[0];
    trigger.metadata.stream = "ACME_PROD_JOB";
    trigger.metadata.consumer = "collector";
    const problems = checkInvariants(objects).join("\n");
    assert.match(problems, /stream ACME_PROD_JOB is not the contracts' ACME_PROD_JOBS/);
    assert.match(problems, /consumer collector is not the contracts' collectors consumer/);
  });

  test("a Secret with data", () => {
    const objects = good();
    objects.push({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "netledger" },
      stringData: { DATABASE_URL: "x" },
    });
    assert.match(checkInvariants(objects).join("\n"), /Secret\/netledger: a Secret with data/);
  });

  test("an env var no service reads, through the chart's values", async () => {
    const objects = await helmTemplate({
      set: ["ingestor.extraEnv[0].name=COLLECTOR_CONCURRENCY", "ingestor.extraEnv[0].value=4"],
    });
    assert.match(
      checkInvariants(objects).join("\n"),
      /sets COLLECTOR_CONCURRENCY, which ingestor's config.ts does not read/,
    );
  });

  test("replicas under an autoscaler, a selector that matches nothing, a short scale-down window", () => {
    const objects = good();
    find(objects, "Deployment", "collector").spec.replicas = 3;
    find(objects, "PodDisruptionBudget", "gateway").spec.selector.matchLabels["app.kubernetes.io/component"] = "gw";
    find(
      objects,
      "ScaledObject",
      "collector",
    ).spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.stabilizationWindowSeconds = 60;
    const problems = checkInvariants(objects).join("\n");
    assert.match(problems, /Deployment\/netledger-collector: sets replicas although ScaledObject/);
    assert.match(problems, /PodDisruptionBudget\/netledger-gateway: selector matches no pod template/);
    assert.match(problems, /scale-down window 60s is not longer than a backup/);
  });
});
