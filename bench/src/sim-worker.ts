import { parentPort, workerData } from "node:worker_threads";
import { type FleetOptions, startFleet } from "@netledger/device-sim";
import { describeFleet, type SimMessage, type SimRequest } from "./sim-fleet.js";
import { threadCpuMs } from "./thread-cpu.js";

/**
 * Worker-thread entry of `--sim-thread`: runs the fleet on its own event loop (so on the second
 * core) and answers the benchmark's requests for counters and CPU time.
 */
const port = parentPort!;
const send = (message: SimMessage): void => port.postMessage(message);

try {
  const fleet = await startFleet(workerData as FleetOptions);
  port.on("message", async ({ id, op }: SimRequest) => {
    switch (op) {
      case "reset":
        for (const device of fleet.devices) device.resetStats();
        return send({ kind: "reply", id, result: null });
      case "stats":
        return send({ kind: "reply", id, result: fleet.devices.map((d) => d.stats) });
      case "cpu":
        return send({ kind: "reply", id, result: threadCpuMs() });
      case "stop":
        await fleet.stop();
        return send({ kind: "reply", id, result: null });
    }
  });
  send({ kind: "ready", devices: describeFleet(fleet) });
} catch (err) {
  send({ kind: "failed", message: err instanceof Error ? err.message : String(err) });
}
