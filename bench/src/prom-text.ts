/**
 * Value of the metric `name` in a Prometheus text exposition, summed over its label sets (e.g.
 * `nodejs_heap_space_size_used_bytes` over every space); null when it is absent. Comments and
 * other metrics (also those whose name merely starts with `name`) are skipped.
 */
export function promValue(text: string, name: string): number | null {
  let sum: number | null = null;
  for (const line of text.split("\n")) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== " " && rest[0] !== "{") continue;
    const afterLabels = rest[0] === "{" ? rest.slice(rest.lastIndexOf("}") + 1) : rest;
    const value = Number(afterLabels.trim().split(" ")[0]);
    if (Number.isFinite(value)) sum = (sum ?? 0) + value;
  }
  return sum;
}

/** Where a Node service's memory is, from its own `/metrics` (prom-client's default metrics). */
export interface NodeMemory {
  /** V8 heap reserved / in use. */
  readonly heapTotalBytes: number | null;
  readonly heapUsedBytes: number | null;
  /** Buffers and other memory outside the V8 heap that V8 knows of. */
  readonly externalBytes: number | null;
  readonly rssBytes: number | null;
}

export function nodeMemoryOf(text: string): NodeMemory {
  return {
    heapTotalBytes: promValue(text, "nodejs_heap_size_total_bytes"),
    heapUsedBytes: promValue(text, "nodejs_heap_size_used_bytes"),
    externalBytes: promValue(text, "nodejs_external_memory_bytes"),
    rssBytes: promValue(text, "process_resident_memory_bytes"),
  };
}

/** Scrapes `http://127.0.0.1:<port>/metrics`; null when it does not answer. */
export async function scrapeNodeMemory(port: number): Promise<NodeMemory | null> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    return res.ok ? nodeMemoryOf(await res.text()) : null;
  } catch {
    return null;
  }
}
