import { parentPort, workerData } from "node:worker_threads";
import { type FleetOptions, startFleet } from "@netledger/device-sim";
import { answerSimRequest, describeFleet, type SimMessage, type SimRequest } from "./sim-fleet.js";
import { threadCpuMs } from "./thread-cpu.js";

/**
 * Worker-thread entry of `--sim-thread`: runs the fleet on its own event loop (so on the second
 * core) and answers the benchmark's requests for counters and CPU time.
 */
const port = parentPort!;
const send = (message: SimMessage): void => port.postMessage(message);

try {
  const fleet = await startFleet(workerData as FleetOptions);
  port.on("message", async (request: SimRequest) => {
    send({ kind: "reply", id: request.id, result: await answerSimRequest(fleet, request, threadCpuMs) });
  });
  send({ kind: "ready", devices: describeFleet(fleet) });
} catch (err) {
  send({ kind: "failed", message: err instanceof Error ? err.message : String(err) });
}
