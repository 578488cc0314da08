export { type IngestorConfig, ingestorConfigSchema, loadIngestorConfig } from "./config.js";
