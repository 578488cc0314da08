import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defineDriver } from "./define-driver.js";
import type { DriverDefinition } from "./definition.js";

/** A made-up family with another header, no wrapping and `!` comments: only data differs. */
const definition: DriverDefinition = {
  id: "routeros",
  commands: {
    default: "show running-config",
    byVersion: [{ below: "12.2", command: "write terminal" }],
    fallbacks: [{ from: "show running-config", rejectedWhen: [/^% Invalid input detected/], to: "write terminal" }],
  },
  format: {
    header: /^! Software version (?<version>\S+)$/,
    volatileHeader: [{ pattern: /^! Last change at .*$/, replacement: "! Last change" }],
    volatileLines: [/^ntp clock-period \d+$/],
    section: /^(interface|hostname|router) /,
    continuation: null,
    stringLiteral: null,
    errorLines: [/^% /],
    maxLineLength: 1000,
  },
  secretAttributes: ["secret"],
  redactSecrets: (text) => text.replace(/^( *(?:enable )?secret \d )\S+/gm, "$1******"),
  parseEntities: (text) =>
    text
      .split("\n")
      .filter((line) => line !== "" && !line.startsWith("!"))
      .map((line) => {
        const [command = "", ...rest] = line.split(" ");
        const shown = definition.redactSecrets(line).split(" ").slice(1).join(" ");
        const secret = command === "enable";
        return {
          path: command,
          identity: "",
          identityAttributes: [],
          ordered: false,
          attributes: { value: rest.join(" ") },
          shown: { value: secret ? shown : rest.join(" ") },
          label: "",
        };
      }),
};

const driver = defineDriver(definition);
const ok = (stdout: string) => ({ stdout: Buffer.from(stdout), stderr: "", exitCode: 0 });
const CONFIG =
  "! Last change at 12:00:01 UTC Mon\r\n! Software version 15.1\r\nhostname r1 \\\r\nntp clock-period 17\r\nenable secret 5 $1$abc\r\n";

describe("defineDriver", () => {
  it("builds a working driver for another family from data alone", () => {
    assert.equal(driver.exportCommand("12.1"), "write terminal");
    assert.equal(driver.exportCommand("15.1"), "show running-config");
    assert.equal(
      driver.fallbackCommand("show running-config", ok("% Invalid input detected at '^' marker.")),
      "write terminal",
    );
    assert.equal(driver.softwareVersion(CONFIG), "15.1");
    assert.deepEqual(driver.check(ok(CONFIG), { maxBytes: 10_000 }), { ok: true, text: CONFIG });
    assert.equal(driver.check(ok("% Ambiguous command\n"), { maxBytes: 10_000 }).ok, false);
    assert.equal(
      driver.normalize(CONFIG),
      "! Last change\n! Software version 15.1\nhostname r1 \\\nenable secret 5 $1$abc\n",
    );
    assert.equal(driver.redactSecrets(driver.normalize(CONFIG)).split("\n")[3], "enable secret 5 ******");
    assert.deepEqual(driver.secretAttributes, ["secret"]);
    assert.equal(driver.redact("enable secret 5 x"), "enable secret 5 ******");
  });

  it("diffs entities with the family's parser", () => {
    const before = "hostname r1\nenable secret 5 $1$abc\n";
    const after = "hostname r2\nenable secret 5 $1$xyz\n";
    const changes = driver.structuredChanges(before, after);
    assert.deepEqual(
      changes.map((c) => [c.kind, c.path, c.summary, c.secretChanged]),
      [
        ["modified", "hostname", "hostname: value r1 → r2", false],
        ["modified", "enable", "enable: value changed", true],
      ],
    );
    assert.ok(!JSON.stringify(changes).includes("xyz"));
  });

  it("returns a frozen driver", () => {
    assert.ok(Object.isFrozen(driver));
    assert.ok(Object.isFrozen(driver.secretAttributes));
  });
});
