import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderTable } from "./fleet-report.js";

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
