import { type FleetOptions, startFleet } from "@netledger/device-sim";
import { answerSimRequest, describeFleet, type SimMessage, type SimRequest } from "./sim-fleet.js";

/**
 * Child-process entry of the simulator (`startSimFleet(..., "child-process")`): runs the fleet on
 * its own process, answers the benchmark over the IPC channel, and exits when the channel closes
 * (the benchmark ended or died), so no simulated device outlives its run.
 */
const send = (message: SimMessage): void => void process.send?.(message);
const cpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

try {
  const fleet = await startFleet(JSON.parse(process.env.BENCH_SIM_OPTIONS ?? "{}") as FleetOptions);
  process.on("message", async (request: SimRequest) => {
    send({ kind: "reply", id: request.id, result: await answerSimRequest(fleet, request, cpuMs) });
  });
  process.once("disconnect", () => {
    void fleet.stop().finally(() => process.exit(0));
  });
  send({ kind: "ready", devices: describeFleet(fleet) });
} catch (err) {
  send({ kind: "failed", message: err instanceof Error ? err.message : String(err) });
  process.disconnect?.();
}
