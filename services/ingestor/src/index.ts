export { type IngestorConfig, ingestorConfigSchema, loadIngestorConfig } from "./config.js";
export { createIngestContext, type Ingestion, type IngestionDeps, startIngestion } from "./ingestion.js";
