import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_FLEET_OPTIONS } from "./fleet-args.js";
import { renderFleetReport, renderTable } from "./fleet-report.js";

describe("renderTable", () => {
  const rows = [
    ["pass", "dev/s"],
    ["bare-ssh2", "222.0"],
    ["pass-1", "9"],
  ];

  it("renders a markdown table with a rule under the header and padded cells", () => {
    assert.equal(
      renderTable(rows, true),
      ["| pass      | dev/s |", "| --------- | ----- |", "| bare-ssh2 | 222.0 |", "| pass-1    | 9     |"].join("\n"),
    );
  });

  it("renders aligned text columns", () => {
    assert.equal(
      renderTable(rows, false),
      ["pass       dev/s", "---------  -----", "bare-ssh2  222.0", "pass-1     9"].join("\n"),
    );
  });
});

describe("renderFleetReport", () => {
  it("gives every row of the passes table as many cells as its header", () => {
    const pass = {
      name: "pass-1" as const,
      devices: 2,
      succeeded: 2,
      wallMs: 1000,
      wallFromDueMs: 1500,
      devicesPerSecond: 2,
      ratioToBare: 0.5,
      processes: [{ label: "collector-1", cpuMs: 20, backups: 2, cpuMsPerBackup: 10, peakRssMiB: 100, endRssMiB: 90 }],
      phasesMs: { queueWait: { count: 2, min: 1, mean: 2, p50: 2, p95: 3, p99: 3, max: 3 } },
      maxJobsQueued: 2,
      maxSnapshotsQueued: 1,
      machineBusyPercent: 99,
      loadAverage: [1, 2, 3],
    };
    const text = renderFleetReport(
      {
        command: "npm run -w @netledger/bench fleet -- --devices 2",
        date: "2026-12-03T00:00:00.000Z",
        commit: "abc1234",
        machine: {
          cores: 2,
          cpuModel: "cpu",
          node: "v20",
          os: "linux",
          totalMemoryBytes: 1,
          loadAverageAtStart: [1, 1, 1],
        },
        loadAverageAtEnd: [1, 1, 1],
        options: DEFAULT_FLEET_OPTIONS,
        passes: [pass],
        streams: { snapshots: { messages: 4, bytes: 400 }, events: { messages: 4, bytes: 40 } },
        checks: [{ name: "pass-1: every device ingested", ok: true, detail: "2 of 2" }],
        ok: true,
      },
      true,
    );
    const tables = text.split("\n\n").filter((block) => block.startsWith("|"));
    assert.equal(tables.length, 3);
    for (const table of tables) {
      const cells = table.split("\n").map((line) => line.split(" | ").length);
      assert.ok(
        cells.every((n) => n === cells[0]),
        table,
      );
    }
    assert.match(text, /snapshots stream: 4 messages, 100 bytes per message/);
    assert.match(text, /`npm run -w @netledger\/bench fleet -- --devices 2`$/);
  });
});
