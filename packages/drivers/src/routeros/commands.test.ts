import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CommandOutput } from "../driver.js";
import { routerOsDriver } from "./index.js";

const output = (stdout: string, stderr = "", exitCode: number | null = 0): CommandOutput => ({
  stdout: Buffer.from(stdout),
  stderr,
  exitCode,
});

describe("RouterOS commands", () => {
  it("exports with show-sensitive on v7 and unknown versions, plainly on v6", () => {
    const cases: [string | null, string][] = [
      ["6.49.10", "/export"],
      ["6.45beta27", "/export"],
      ["6.0", "/export"],
      ["5.26", "/export"],
      ["7.16.1", "/export show-sensitive"],
      ["7.15", "/export show-sensitive"],
      ["7.0beta5", "/export show-sensitive"],
      ["7.16.1 (stable)", "/export show-sensitive"],
      ["10.1", "/export show-sensitive"],
      [null, "/export show-sensitive"],
      ["", "/export show-sensitive"],
      ["unknown", "/export show-sensitive"],
    ];
    for (const [version, command] of cases)
      assert.equal(routerOsDriver.exportCommand(version), command, String(version));
  });

  it("falls back to /export when v6 rejects show-sensitive", () => {
    const rejected = "expected end of command (line 1 column 9)";
    assert.equal(routerOsDriver.fallbackCommand("/export show-sensitive", output(`${rejected}\r\n`)), "/export");
    assert.equal(routerOsDriver.fallbackCommand("/export show-sensitive", output("", `${rejected}\n`, 1)), "/export");
    assert.equal(routerOsDriver.fallbackCommand("/export show-sensitive", output(`\n  ${rejected}  \n`)), "/export");
    assert.equal(
      routerOsDriver.fallbackCommand(
        "/export show-sensitive",
        output("bad command name show-sensitive (line 1 column 9)\n"),
      ),
      "/export",
    );
  });

  it("does not fall back for other failures, other commands or a real export", () => {
    const rejected = "expected end of command (line 1 column 9)\n";
    assert.equal(routerOsDriver.fallbackCommand("/export", output(rejected)), null);
    assert.equal(routerOsDriver.fallbackCommand("/export show-sensitive", output("failure: not permitted\n")), null);
    assert.equal(
      routerOsDriver.fallbackCommand("/export show-sensitive", output("expected end of command (line 1 column 3)\n")),
      null,
    );
    assert.equal(routerOsDriver.fallbackCommand("/export show-sensitive", output("")), null);
    const exportText = "# 2026-11-30 12:00:00 by RouterOS 6.49.10\n/ip dns\nset servers=192.0.2.53\n";
    assert.equal(routerOsDriver.fallbackCommand("/export show-sensitive", output(exportText + rejected)), null);
  });

  it("re-runs with show-sensitive when a stale v6 hint met a device that now runs v7", () => {
    const v7 = "# 2026-11-30 12:00:00 by RouterOS 7.16.1\r\n/ip dns\r\nset servers=192.0.2.53\r\n";
    const v6 = "# nov/30/2026 12:00:00 by RouterOS 6.49.10\r\n/ip dns\r\nset servers=192.0.2.53\r\n";
    assert.equal(routerOsDriver.fallbackCommand("/export", output(v7)), "/export show-sensitive");
    assert.equal(routerOsDriver.fallbackCommand("/export", output(`banner\r\n${v7}`)), "/export show-sensitive");
    assert.equal(routerOsDriver.fallbackCommand("/export", output(v6)), null);
    assert.equal(routerOsDriver.fallbackCommand("/export show-sensitive", output(v7)), null);
  });
});
