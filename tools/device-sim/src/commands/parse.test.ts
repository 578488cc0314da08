import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseCommandLine, showsSensitive } from "./parse.js";

function error(input: string, major: 6 | 7 = 7): string | null {
  const result = parseCommandLine(input, major);
  return result.ok ? null : result.error;
}

describe("parseCommandLine", () => {
  it("answers unknown menus and commands with RouterOS's bad command name and 1-based column", () => {
    assert.equal(error("/foo"), "bad command name foo (line 1 column 2)");
    assert.equal(error("bash -se"), "bad command name bash (line 1 column 1)");
    assert.equal(error("/system resorce print"), "bad command name resorce (line 1 column 9)");
    assert.equal(error("/ip address print"), "bad command name ip (line 1 column 2)");
    assert.equal(error("/system identity print\n/nope"), "bad command name nope (line 2 column 2)");
  });

  it("rejects show-sensitive on v6 exactly as RouterOS 6 does and accepts it on v7", () => {
    assert.equal(error("/export show-sensitive", 6), "expected end of command (line 1 column 9)");
    assert.equal(error("export show-sensitive", 6), "expected end of command (line 1 column 8)");
    assert.equal(error("/export terse show-sensitive", 6), "expected end of command (line 1 column 15)");
    assert.equal(error("/export show-sensitive", 7), null);
    assert.equal(error("/export bogus", 7), "expected end of command (line 1 column 9)");
    assert.equal(error("/system resource print bogus=1"), "expected end of command (line 1 column 24)");
  });

  it("takes export flags in any order and combination, with or without the slash", () => {
    for (const input of ["/export verbose terse show-sensitive", "export terse verbose show-sensitive compact"]) {
      const result = parseCommandLine(input, 7);
      assert.ok(result.ok);
      const [command] = result.commands;
      assert.equal(command?.kind, "export");
      if (command?.kind === "export") {
        assert.ok(command.flags.has("terse") && command.flags.has("verbose") && command.flags.has("show-sensitive"));
      }
    }
    const v6 = parseCommandLine("/export hide-sensitive compact verbose terse", 6);
    assert.ok(v6.ok && v6.commands[0]?.kind === "export");
  });

  it("understands the print menus in space, slash and multi-command forms", () => {
    const result = parseCommandLine("/system/resource/print; /system identity print\n/system package print detail", 7);
    assert.deepEqual(result, {
      ok: true,
      commands: [
        { kind: "print", menu: "resource" },
        { kind: "print", menu: "identity" },
        { kind: "print", menu: "package" },
      ],
    });
    assert.deepEqual(parseCommandLine("/system history print", 6), {
      ok: true,
      commands: [{ kind: "print", menu: "history" }],
    });
    assert.deepEqual(parseCommandLine("quit", 7), { ok: true, commands: [{ kind: "quit" }] });
    assert.deepEqual(parseCommandLine("   ", 7), { ok: true, commands: [] });
  });

  it("shows secrets by default on v6 only, and never with hide-sensitive", () => {
    assert.equal(showsSensitive(new Set(), 6), true);
    assert.equal(showsSensitive(new Set(), 7), false);
    assert.equal(showsSensitive(new Set(["show-sensitive"]), 7), true);
    assert.equal(showsSensitive(new Set(["hide-sensitive"]), 6), false);
    assert.equal(showsSensitive(new Set(["show-sensitive", "hide-sensitive"]), 7), false);
  });
});
