import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import type { K8sObject } from "./render.js";

/** Model module and interface of each apiVersion/kind the manifests may hold. */
const MODELS: Record<string, { module: string; type: string }> = {};
function model(apiVersion: string, kind: string, module: string): void {
  MODELS[`${apiVersion}/${kind}`] = { module: `${module}/${kind}`, type: `I${kind}` };
}
for (const kind of ["ConfigMap", "Secret", "Service", "ServiceAccount"]) model("v1", kind, "kubernetes-models/v1");
model("apps/v1", "Deployment", "kubernetes-models/apps/v1");
model("batch/v1", "Job", "kubernetes-models/batch/v1");
model("autoscaling/v2", "HorizontalPodAutoscaler", "kubernetes-models/autoscaling/v2");
model("policy/v1", "PodDisruptionBudget", "kubernetes-models/policy/v1");
model("networking.k8s.io/v1", "NetworkPolicy", "kubernetes-models/networking.k8s.io/v1");
model("keda.sh/v1alpha1", "ScaledObject", "@kubernetes-models/keda/keda.sh/v1alpha1");
model("monitoring.coreos.com/v1", "ServiceMonitor", "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1");

const label = (o: K8sObject) => `${o.kind}/${o.metadata?.name}`;

/**
 * Validates each object against its kubernetes-models JSON schema (types, required fields, enums).
 * Those schemas let unknown fields through: {@link typeCheckModels} catches them.
 */
export async function validateModels(objects: readonly K8sObject[]): Promise<string[]> {
  const problems: string[] = [];
  for (const object of objects) {
    const entry = MODELS[`${object.apiVersion}/${object.kind}`];
    if (!entry) {
      problems.push(`${label(object)}: no model for ${object.apiVersion} ${object.kind}`);
      continue;
    }
    const mod = (await import(entry.module)) as Record<string, new (data: unknown) => { validate(): void }>;
    const Model = mod[object.kind];
    if (!Model) throw new Error(`${entry.module} exports no ${object.kind}`);
    try {
      new Model(object).validate();
    } catch (err) {
      problems.push(`${label(object)}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return problems;
}

const HERE = dirname(fileURLToPath(import.meta.url));

/**
 * Type-checks each object as an object literal of its kubernetes-models interface with the
 * TypeScript compiler: excess property checks reject any field the API does not define.
 */
export function typeCheckModels(objects: readonly K8sObject[]): string[] {
  const imports = new Map<string, string>();
  const lines: string[] = [];
  const owners: string[] = [];
  objects.forEach((object, i) => {
    const entry = MODELS[`${object.apiVersion}/${object.kind}`];
    if (!entry) return;
    const alias = `M${imports.size}`;
    if (!imports.has(entry.module)) imports.set(entry.module, alias);
    const start = lines.length;
    lines.push(`export const o${i}: ${imports.get(entry.module)}.${entry.type} = ${JSON.stringify(object, null, 1)};`);
    const added = lines.slice(start).join("\n").split("\n").length;
    for (let n = 0; n < added; n++) owners.push(label(object));
  });
  const header = [...imports].map(([module, alias]) => `import type * as ${alias} from "${module}";`);
  const source = [...header, ...lines].join("\n");
  const file = `${HERE}/__rendered_manifests__.ts`;
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.fileExists = (
    (exists) => (name: string) =>
      name === file || exists(name)
  )(host.fileExists.bind(host));
  host.readFile = (name) => (name === file ? source : readFile(name));
  host.getSourceFile = (name, languageVersion, onError, create) =>
    name === file
      ? ts.createSourceFile(name, source, languageVersion, true)
      : getSourceFile(name, languageVersion, onError, create);
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, " ");
    if (!d.file || d.start === undefined) return text;
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    return `${owners[line - header.length] ?? "manifests"}: ${text}`;
  });
}
