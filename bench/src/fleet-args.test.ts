import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";
import { COLLECTOR_NODE_FLAGS } from "@netledger/collector";
import { BenchUsageError } from "./errors.js";
import {
  changedCount,
  changedIndices,
  DEFAULT_FLEET_OPTIONS,
  type FleetOptions,
  parseFleetArgs,
  reproduceFleetCommand,
  shellQuote,
} from "./fleet-args.js";

describe("parseFleetArgs", () => {
  it("gives the defaults for no flags and help for --help", () => {
    assert.deepEqual(parseFleetArgs([]), DEFAULT_FLEET_OPTIONS);
    assert.equal(parseFleetArgs(["--devices", "5", "--help"]), "help");
  });

  it("reads every flag", () => {
    const options = parseFleetArgs([
      "--devices",
      "2000",
      "--collectors",
      "3",
      "--concurrency",
      "40",
      "--changed-pct",
      "25",
      "--tick-ms",
      "500",
      "--ingest-concurrency",
      "16",
      "--unpinned",
      "--collector-node-options=--max-old-space-size=64",
      "--skip-bare",
      "--markdown",
    ]) as FleetOptions;
    assert.equal(options.devices, 2000);
    assert.equal(options.collectors, 3);
    assert.equal(options.concurrency, 40);
    assert.equal(options.changedPct, 25);
    assert.equal(options.tickMs, 500);
    assert.equal(options.ingestConcurrency, 16);
    assert.equal(options.unpinned, true);
    assert.equal(options.collectorNodeOptions, "--max-old-space-size=64");
    assert.equal(options.bare, false);
    assert.equal(options.output, "markdown");
  });

  it("refuses bad values with BENCH_USAGE", () => {
    for (const argv of [
      ["--devices", "0"],
      ["--devices", "1.5"],
      ["--devices", ""],
      ["--changed-pct", "101"],
      ["--tick-ms", "10"],
      ["--json", "--markdown"],
      ["--nope"],
      ["--devices"],
    ]) {
      assert.throws(
        () => parseFleetArgs(argv),
        (err: unknown) => err instanceof BenchUsageError && err.code === "BENCH_USAGE",
        argv.join(" "),
      );
    }
  });

  it("reproduces a run: the printed command, split by a shell, parses back to the same options", () => {
    const words = (command: string): string[] =>
      execFileSync("sh", ["-c", `printf '%s\\0' ${command.split(" -- ")[1]}`], { encoding: "utf8" })
        .split("\0")
        .slice(0, -1);
    const options = parseFleetArgs([
      "--devices",
      "7",
      "--unpinned",
      "--json",
      "--ingest-concurrency",
      "4",
      "--collector-node-options=--max-semi-space-size=4 --max-old-space-size=96",
      "--ingestor-node-options=--title='it''s'",
    ]) as FleetOptions;
    assert.deepEqual(parseFleetArgs(words(reproduceFleetCommand(options))), options);
    assert.deepEqual(parseFleetArgs(words(reproduceFleetCommand(DEFAULT_FLEET_OPTIONS))), DEFAULT_FLEET_OPTIONS);
  });

  it("starts collectors with the shipped Node flags unless told, and with Node's defaults when emptied", () => {
    const defaults = parseFleetArgs([]) as FleetOptions;
    assert.equal(defaults.collectorNodeOptions, COLLECTOR_NODE_FLAGS.join(" "));
    const plain = parseFleetArgs(["--collector-node-options="]) as FleetOptions;
    assert.equal(plain.collectorNodeOptions, "");
    assert.match(reproduceFleetCommand(plain), / --collector-node-options= /);
    assert.doesNotMatch(reproduceFleetCommand(defaults), /collector-node-options/);
  });

  it("quotes shell words only when needed", () => {
    assert.equal(shellQuote("--devices=5"), "--devices=5");
    assert.equal(shellQuote("--x=a b"), "'--x=a b'");
    assert.equal(shellQuote("it's"), "'it'\\''s'");
  });
});

describe("changed devices", () => {
  it("is the share of the fleet, at least one when the share is above zero, spread evenly", () => {
    assert.equal(changedCount({ devices: 2000, changedPct: 10 }), 200);
    assert.equal(changedCount({ devices: 3, changedPct: 10 }), 1);
    assert.equal(changedCount({ devices: 3, changedPct: 0 }), 0);
    assert.deepEqual(changedIndices({ devices: 20, changedPct: 10 }), [0, 11]);
    assert.equal(new Set(changedIndices({ devices: 10, changedPct: 90 })).size, 9);
    const indices = changedIndices({ devices: 5000, changedPct: 10 });
    assert.equal(new Set(indices).size, 500);
    assert.ok(indices.every((i) => i >= 0 && i < 5000));
    assert.ok(
      indices.some((i) => i % 2 === 1),
      "odd indices too, so both RouterOS versions change",
    );
  });
});
