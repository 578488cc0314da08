import { z } from "zod";
import type { RouteRegistrar } from "./index.js";

/**
 * `GET /healthz` on the API port, for load balancers that probe the port they route to.
 * Readiness (`/readyz`) and `/metrics` stay on the ops port (`OPS_PORT`) only: dependency
 * state and metrics are not for API clients.
 */
export const registerHealthRoutes: RouteRegistrar = (api) => {
  api.route({
    method: "get",
    path: "/healthz",
    operationId: "healthz",
    summary: "Liveness of this gateway process",
    tags: ["ops"],
    access: "public",
    responses: { 200: { description: "the process runs", schema: z.object({ status: z.literal("ok") }) } },
    handler: async () => ({ status: 200, body: { status: "ok" } }),
  });
};
