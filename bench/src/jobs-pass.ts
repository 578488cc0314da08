import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { type BackupJob, BackupJobCodec } from "@netledger/contracts";
import type { World } from "@netledger/testkit";
import type { BenchDevice } from "./bench-world.js";
import { BenchTimeoutError } from "./errors.js";
import type { SnapshotWatch } from "./snapshot-watch.js";

export interface JobsPassResult {
  /** Per device: from the first job publish to its snapshot on the wire (queueing included). */
  readonly completionMs: readonly number[];
  /** Time to enqueue every job (publishes with awaited PubAck). */
  readonly enqueueMs: number;
  /** From the last snapshot on the wire until the jobs stream was empty (every job acked). */
  readonly ackTailMs: number;
}

const ACK_POLL_MS = 10;

/**
 * Phase B through the scheduled path: publish one BackupJob per device to the work-queue jobs
 * stream, as the scheduler does, and wait until every snapshot was published and every job
 * acked (the work-queue stream deletes a message on ack, so an empty stream with nothing
 * pending on the consumer means all acked).
 */
export async function runJobsPass(
  world: World,
  devices: readonly BenchDevice[],
  watch: SnapshotWatch,
  options: {
    runId: string;
    timeoutMs: number;
    /** Sent in each job as the scheduler would: null for a device with no stored version (read twice). */
    lastSnapshotBytes?: number | null;
    /**
     * Per device id, the sha256 of its latest stored version, sent as the scheduler sends it: a
     * collector whose export hashes to it sends no content (`content.kind: "stored"`).
     */
    lastSnapshotSha256?: ReadonlyMap<string, string>;
  },
): Promise<JobsPassResult> {
  const js = jetstream(world.nc);
  const jsm = await jetstreamManager(world.nc);
  const deadline = performance.now() + options.timeoutMs;
  const started = performance.now();
  const jobIds = devices.map((_, i) => `bench-${options.runId}-${i}`);
  await Promise.all(
    devices.map((device, i) => {
      const job: BackupJob = {
        jobId: jobIds[i]!,
        tenantId: device.tenantId,
        deviceId: device.deviceId,
        device: {
          ...device.target,
          ...(options.lastSnapshotBytes !== undefined && { lastSnapshotBytes: options.lastSnapshotBytes }),
          ...(options.lastSnapshotSha256?.has(device.deviceId) && {
            lastSnapshotSha256: options.lastSnapshotSha256.get(device.deviceId),
          }),
        },
        dueAt: new Date().toISOString(),
      };
      return js.publish(world.wire.subjects.backupJobs, BackupJobCodec.encode(job), { msgID: job.jobId });
    }),
  );
  const enqueueMs = performance.now() - started;
  await watch.waitFor("job:", devices.length, deadline - performance.now());
  const lastSnapshot = performance.now();
  const { jobs } = world.wire.streams;
  const { durable_name } = world.wire.consumers.collectorJobs;
  for (;;) {
    const [stream, consumer] = await Promise.all([
      jsm.streams.info(jobs.name),
      jsm.consumers.info(jobs.name, durable_name),
    ]);
    if (stream.state.messages === 0 && consumer.num_ack_pending === 0 && consumer.num_pending === 0) break;
    if (performance.now() > deadline) {
      throw new BenchTimeoutError(`${stream.state.messages} jobs still in the stream after ${options.timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, ACK_POLL_MS));
  }
  const ackTailMs = performance.now() - lastSnapshot;
  const completionMs = jobIds.map((jobId) => (watch.arrivals.get(`job:${jobId}`)?.at ?? Number.NaN) - started);
  return { completionMs, enqueueMs, ackTailMs };
}
