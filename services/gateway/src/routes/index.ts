import type { Api } from "../api/route.js";
import type { GatewayDeps } from "../app.js";
import { registerAuditEventRoutes } from "./audit-events.js";
import { registerBackupRoutes } from "./backups.js";
import { registerDeviceImportRoutes } from "./device-import.js";
import { registerDeviceRoutes } from "./devices.js";
import { registerHealthRoutes } from "./health.js";
import { registerHistoryRoutes } from "./history.js";
import { registerTenantRoutes } from "./tenants.js";
import { registerTokenRoutes } from "./tokens.js";
import { registerTriggerRoutes } from "./trigger.js";

/** A resource's routes: one file per resource under `routes/`, each exporting one of these. */
export type RouteRegistrar = (api: Api, deps: GatewayDeps) => void;

/** Every resource of the REST API. Add a line here for a new `routes/<resource>.ts`. */
const REGISTRARS: readonly RouteRegistrar[] = [
  registerHealthRoutes,
  registerTenantRoutes,
  registerTokenRoutes,
  registerDeviceRoutes,
  registerDeviceImportRoutes,
  registerAuditEventRoutes,
  registerTriggerRoutes,
  registerBackupRoutes,
  registerHistoryRoutes,
];

export function registerRoutes(api: Api, deps: GatewayDeps): void {
  for (const register of REGISTRARS) register(api, deps);
}
