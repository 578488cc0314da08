import { collectDefaultMetrics, Registry } from "prom-client";

/**
 * A fresh prom-client registry for one service: Node/process default metrics plus a
 * `service` label on every series. Services register their own metrics on it
 * (`new Counter({ registers: [registry], ... })`); label values must never carry secrets.
 * A registry per call (not the global one) keeps tests and multiple services in one process apart.
 */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}
