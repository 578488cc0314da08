import { parseAllDocuments } from "yaml";
import { repoRoot } from "./docker.js";
import { k8sTools, runTool } from "./k8s-tools.js";

/** One rendered Kubernetes object, as parsed from YAML. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: rendered manifests are untyped until validated
  [field: string]: any;
}

export const CHART_DIR = `${repoRoot}deploy/helm/netledger`;
export const K8S_DIR = `${repoRoot}deploy/k8s`;

/** The chart's example values files (`ci/*.yaml`), besides the default values. */
export const VALUES_FILES = {
  default: [],
  minimal: [`${CHART_DIR}/ci/minimal-values.yaml`],
  allOn: [`${CHART_DIR}/ci/all-on-values.yaml`],
  collectorHpa: [`${CHART_DIR}/ci/collector-hpa-values.yaml`],
} as const;

/** API groups of optional CRDs a cluster may serve; `helm template` sees none unless told. */
export const CRD_APIS = ["monitoring.coreos.com/v1/ServiceMonitor", "keda.sh/v1alpha1/ScaledObject"] as const;

export function parseManifests(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`invalid YAML: ${doc.errors[0]?.message}`);
      return doc.toJS() as K8sObject | null;
    })
    .filter((o): o is K8sObject => o !== null);
}

export interface HelmOptions {
  readonly values?: readonly string[];
  readonly set?: readonly string[];
  readonly apiVersions?: readonly string[];
}

/** `helm template` of the chart, offline (no cluster: capabilities come from `apiVersions`). */
export async function helmTemplate(options: HelmOptions = {}): Promise<K8sObject[]> {
  const { helm } = await k8sTools();
  const args = ["template", "netledger", CHART_DIR, "--namespace", "netledger"];
  for (const file of options.values ?? []) args.push("--values", file);
  for (const set of options.set ?? []) args.push("--set", set);
  for (const api of options.apiVersions ?? []) args.push("--api-versions", api);
  return parseManifests(await runTool(helm, args));
}

/** `helm lint --strict` with the given values files; returns helm's output, throws on failure. */
export async function helmLint(values: readonly string[] = []): Promise<string> {
  const { helm } = await k8sTools();
  return runTool(helm, ["lint", "--strict", CHART_DIR, ...values.flatMap((file) => ["--values", file])]);
}

/** `kubectl kustomize` of `deploy/k8s/<path>`. */
export async function kustomize(path: string): Promise<K8sObject[]> {
  const { kubectl } = await k8sTools();
  return parseManifests(await runTool(kubectl, ["kustomize", `${K8S_DIR}/${path}`]));
}
