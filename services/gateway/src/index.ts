export { type GatewayConfig, gatewayConfigSchema, loadGatewayConfig } from "./config.js";
