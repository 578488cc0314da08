/**
 * Node flags a collector replica is started with: `node <flags> /app/collector.mjs`. The Helm
 * chart's `collector.nodeFlags` defaults to these and the kustomize base's `args` carry them
 * (`deploy/test` checks both against this list); the fleet and memory benchmarks start their
 * collector processes with them unless told otherwise.
 *
 * Why: with Node's defaults a collector's RSS climbs to 160-245 MiB during a busy pass, though a
 * heap snapshot holds ~41 MiB live. V8 grows the young generation to 16 MiB semi-spaces, and the
 * old generation to a multiple of what is live, because backups allocate fast. A 4 MiB semi-space
 * lets ssh2's short-lived packet Buffers die sooner; a 96 MiB old generation makes V8 collect
 * before it grows further. Measured with 5,000 jobs queued: 124-139 MiB instead (`docs/deploy.md`,
 * "Scaling"), CPU per backup within the noise. What a backup keeps alive is small and does not
 * grow with the export (exports stream through the driver's reader; large ones are gzipped as
 * they are read), so 96 MiB leaves room for the default `COLLECTOR_CONCURRENCY` (16) and for the
 * 50-100 measured. Raise `--max-old-space-size` with a much higher concurrency.
 */
export const COLLECTOR_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=4", "--max-old-space-size=96"];
