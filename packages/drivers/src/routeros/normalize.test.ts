import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { sha256Hex } from "../export/hash.js";
import {
  headerTime,
  logicalText,
  renderExport,
  type SyntheticConfig,
  syntheticConfig,
  wrapLine,
} from "./export-arbitrary.js";
import { routerOsDriver } from "./index.js";

const normalize = (text: string) => routerOsDriver.normalize(text);
const hash = (text: string) => sha256Hex(normalize(text));

/** Characters that exercise every rule: line ends, continuation markers, quotes, indentation, headers. */
const trickyText = fc
  .array(
    fc.constantFrom(
      "a",
      "=",
      " ",
      "    ",
      "\t",
      "\\",
      '"',
      "\n",
      "\r",
      "\r\n",
      "/ip address",
      "# ",
      "#",
      "x \\\n    y",
    ),
    { maxLength: 80 },
  )
  .map((parts) => parts.join(""));

const header = (time: string) => `# ${time} by RouterOS 7.16.1`;

describe("RouterOS normalize", () => {
  it("is idempotent on arbitrary text", () => {
    fc.assert(
      fc.property(fc.oneof(trickyText, fc.string({ unit: "binary", maxLength: 200 })), (text) => {
        const once = normalize(text);
        assert.equal(normalize(once), once);
      }),
      { numRuns: 2000 },
    );
  });

  it("is idempotent on rendered exports", () => {
    fc.assert(
      fc.property(syntheticConfig, headerTime, fc.integer({ min: 0, max: 90 }), (config, time, width) => {
        const once = normalize(renderExport(config, { time, width }));
        assert.equal(normalize(once), once);
      }),
    );
  });

  it("hashes the same config the same whatever the header time and its v6/v7 form", () => {
    fc.assert(
      fc.property(syntheticConfig, headerTime, headerTime, (config, t1, t2) => {
        assert.equal(
          hash(renderExport(config, { time: t1, width: 80 })),
          hash(renderExport(config, { time: t2, width: 80 })),
        );
      }),
    );
  });

  it("hashes CRLF and LF renderings the same", () => {
    fc.assert(
      fc.property(syntheticConfig, headerTime, (config, time) => {
        const lf = renderExport(config, { time, width: 80, eol: "\n" });
        const crlf = renderExport(config, { time, width: 80, eol: "\r\n" });
        assert.notEqual(lf, crlf);
        assert.equal(hash(crlf), hash(lf));
      }),
    );
  });

  it("gives the same text whatever column lines were wrapped at", () => {
    fc.assert(
      fc.property(syntheticConfig, fc.integer({ min: 12, max: 120 }), (config, width) => {
        const time = "2026-11-30 12:00:00";
        assert.equal(
          normalize(renderExport(config, { time, width })),
          normalize(renderExport(config, { time, width: 0 })),
        );
      }),
    );
  });

  it("hashes differently when one line changes, also inside a wrapped continuation", () => {
    fc.assert(
      fc.property(syntheticConfig, fc.nat(), fc.nat(), fc.integer({ min: 20, max: 80 }), (config, s, l, width) => {
        const section = s % config.sections.length;
        const index = l % config.sections[section]!.lines.length;
        const changed = changeLastValue(config, section, index);
        const line = changed.sections[section]!.lines[index]!;
        const physical = wrapLine(logicalText(line), width);
        const time = "nov/30/2026 12:00:00";
        assert.notEqual(hash(renderExport(changed, { time, width })), hash(renderExport(config, { time, width })));
        if (physical.length > 1) assert.ok(physical[physical.length - 1]!.startsWith("    "));
      }),
    );
  });

  it("rewrites both header time forms to the version fact and keeps every other header line", () => {
    const body =
      "# software id = ABCD-1234\r\n#\r\n# model = RB5009\r\n# serial number = HEX123\r\n/system identity\r\nset name=r1\r\n";
    const expected =
      "# by RouterOS 6.49.10\n# software id = ABCD-1234\n#\n# model = RB5009\n# serial number = HEX123\n/system identity\nset name=r1\n";
    assert.equal(normalize(`# nov/30/2026 12:00:00 by RouterOS 6.49.10\r\n${body}`), expected);
    assert.equal(normalize(`# 2024-06-19 12:09:40 by RouterOS 6.49.10\n${body}`), expected);
    assert.equal(
      normalize(`${header("2024-06-19 12:09:40")}\n/ip dns\nset servers=192.0.2.53\n`).split("\n")[0],
      "# by RouterOS 7.16.1",
    );
  });

  it("joins continuations exactly: between tokens and inside strings", () => {
    const text = `${header("2026-01-01 00:00:00")}\n/system script\nadd name=a \\\n    source=":put \\"x\\";\\r\\\n    \\n:put y"   \n\n\n`;
    assert.equal(
      normalize(text),
      '# by RouterOS 7.16.1\n/system script\nadd name=a source=":put \\"x\\";\\r\\n:put y"\n',
    );
  });

  it("drops status notes the device prints between config lines, keeps other comments", () => {
    const text = `${header("2026-01-01 00:00:00")}\n/interface l2tp-client\n# tunnel1 not ready\nadd name=tunnel1\n# managed by CAPsMAN\n`;
    assert.equal(
      normalize(text),
      "# by RouterOS 7.16.1\n/interface l2tp-client\nadd name=tunnel1\n# managed by CAPsMAN\n",
    );
  });

  it("drops the channel a CAPsMAN controller picked, so a reselection makes no new version", () => {
    const at = (channel: string) =>
      `${header("2026-01-01 00:00:00")}\n/interface wireless\n# managed by CAPsMAN\n# channel: ${channel}, SSID: lab, CAPsMAN forwarding\nset [ find default-name=wlan1 ] ssid=lab\n`;
    assert.equal(
      normalize(at("2412/20/gn(17dBm)")),
      "# by RouterOS 7.16.1\n/interface wireless\n# managed by CAPsMAN\nset [ find default-name=wlan1 ] ssid=lab\n",
    );
    assert.equal(hash(at("2412/20/gn(17dBm)")), hash(at("5220/20-Ce/ac/P(15dBm)")));
  });

  it("drops text the device printed before the export header", () => {
    const body = `${header("2026-01-01 00:00:00")}\n/ip dns\nset servers=192.0.2.53\n`;
    assert.equal(normalize(`  MikroTik RouterOS notice\nplease change your password\n${body}`), normalize(body));
    assert.equal(normalize(body).split("\n")[0], "# by RouterOS 7.16.1");
  });

  it("keeps a header time outside the header area", () => {
    const line = "# 2026-01-01 00:00:00 by RouterOS 7.16.1";
    assert.ok(normalize(`${line}\n/ip dns\n${line}\n`).endsWith(`${line}\n`));
  });

  it("returns empty text for blank input and ends non-blank output with one LF", () => {
    assert.equal(normalize(" \r\n\n\t\n"), "");
    assert.equal(normalize("/ip dns\n\n\n"), "/ip dns\n");
  });

  it("sha256Hex is lowercase hex sha256 of UTF-8", () => {
    assert.equal(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});

function changeLastValue(config: SyntheticConfig, section: number, index: number): SyntheticConfig {
  const sections = config.sections.map((sec, si) => ({
    ...sec,
    lines: sec.lines.map((line, li) => {
      if (si !== section || li !== index) return line;
      const attributes = [...line.attributes];
      const [name, value] = attributes[attributes.length - 1]!;
      const changed = value.endsWith('"') ? `${value.slice(0, -1)}x"` : `${value}x`;
      attributes[attributes.length - 1] = [name, changed];
      return { ...line, attributes };
    }),
  }));
  return { ...config, sections };
}
