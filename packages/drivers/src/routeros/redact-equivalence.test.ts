import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { routerOsDriver } from "./index.js";
import { redactRouterOsSecrets } from "./redact.js";
import { loadRouterOsFixtures, REAL_EXPORTS } from "./test-fixtures.js";
import { referenceRedactRouterOsSecrets } from "./test-redact-reference.js";

/** Pieces of RouterOS lines that exercise slots, scripts, escapes, quotes and value reuse. */
const piece = fc.constantFrom(
  "add ",
  "set ",
  " ",
  "  ",
  "\t",
  "\u00a0",
  "password=",
  "Password=",
  "secret=",
  "name=",
  "comment=",
  "key=",
  "pin-number=",
  "authentication-password=",
  "source=",
  "api-key=",
  "token=",
  "pass=",
  "bypass=",
  '"',
  '\\"',
  '\\\\\\"',
  "\\\\",
  "\\",
  "\\n",
  "\\_",
  ":local ",
  ":global ",
  ":set ",
  "BotToken ",
  "Pw ",
  "ftpPass ",
  "x ",
  "$Pw",
  "$BotToken",
  "[",
  "]",
  "{",
  "}",
  "(",
  ")",
  ";",
  "do=",
  "s3cret",
  "s3cret-2",
  "alice",
  "abc",
  "yes",
  "hunter22",
  "a.b/c",
  "é",
  "=",
  "1",
);
const line = fc.oneof(
  { weight: 8, arbitrary: fc.array(piece, { maxLength: 24 }).map((parts) => parts.join("")) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "/ppp secret",
      "/system script",
      "/snmp community",
      "/system ntp key",
      "/lcd pin",
      "/ip firewall filter",
      "# comment s3cret hunter22",
      "/snmp community add name=hunter22",
      "",
    ),
  },
);
const text = fc.array(line, { maxLength: 30 }).map((lines) => lines.join("\n"));

describe("RouterOS redaction (fast) equals the straightforward reference", () => {
  it("on generated exports", () => {
    fc.assert(
      fc.property(text, (input) => {
        assert.equal(redactRouterOsSecrets(input), referenceRedactRouterOsSecrets(input));
      }),
      { numRuns: 3000 },
    );
  });

  it("on every real export", { skip: REAL_EXPORTS.skip }, () => {
    for (const fixture of loadRouterOsFixtures()) {
      const normalized = routerOsDriver.normalize(fixture.bytes.toString("utf8"));
      assert.equal(redactRouterOsSecrets(normalized), referenceRedactRouterOsSecrets(normalized), fixture.name);
    }
  });
});
