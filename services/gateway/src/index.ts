/**
 * @netledger/gateway: the REST API. Exported for tools (the dev stack seeds tokens the way the
 * gateway checks them) and for the gateway's own tests; `main.ts` runs it.
 */
export { createApp, type GatewayApp, type GatewayDeps } from "./app.js";
export { generateApiToken, hashApiToken } from "./auth/tokens.js";
export { type GatewayConfig, gatewayConfigSchema, loadGatewayConfig } from "./config.js";
