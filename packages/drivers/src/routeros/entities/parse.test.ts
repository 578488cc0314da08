import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { logicalLines } from "../../export/lines.js";
import { ROUTEROS_FORMAT } from "../format.js";
import { routerOsDriver } from "../index.js";
import { SECRET_MARKER } from "../redact.js";
import { loadRouterOsFixtures, REAL_EXPORTS } from "../test-fixtures.js";
import { parseRouterOsEntities } from "./parse.js";
import { isCommandLine, linePaths, toTerse } from "./test-support.js";

const brief = (text: string) =>
  parseRouterOsEntities(text).map((e) => ({ path: e.path, identity: e.identity, attributes: e.attributes }));

describe("parseRouterOsEntities", () => {
  it("reads identities: selectors, names, natural keys, singletons, positions", () => {
    const text = [
      "# by RouterOS 7.16",
      "/interface ethernet",
      "set [ find default-name=ether1 ] mtu=9000",
      'set [ find name="my port" ] comment=x',
      "/ip address",
      "add address=10.0.0.1/24 interface=ether1 network=10.0.0.0",
      "/ip firewall address-list",
      "add address=10.0.0.0/8 list=mgmt",
      "/ip firewall filter",
      "add action=accept chain=input comment=first",
      "/ip service",
      "set telnet disabled=yes",
      "/system logging",
      "set 0 topics=info,!debug",
      "add action=remote topics=error",
      "/snmp community",
      "set [ find default=yes ] disabled=yes",
      "add addresses=10.0.0.0/8 name=topsecret",
      "/system identity",
      "set name=R1",
      "/interface bridge",
      "add comment=lan-bridge",
      "remove [ find name=old ]",
    ].join("\n");
    const entities = parseRouterOsEntities(text);
    assert.deepEqual(
      entities.map((e) => [e.path, e.identity, e.ordered]),
      [
        ["/interface ethernet", "ether1", false],
        ["/interface ethernet", "my port", false],
        ["/ip address", "10.0.0.1/24", false],
        ["/ip firewall address-list", "list=mgmt address=10.0.0.0/8", false],
        ["/ip firewall filter", null, true],
        ["/ip service", "telnet", false],
        ["/system logging", "0", false],
        ["/system logging", null, false],
        ["/snmp community", "default=yes", false],
        ["/snmp community", null, false],
        ["/system identity", "", false],
        ["/interface bridge", "lan-bridge", false],
        ["/interface bridge", null, false],
      ],
    );
    const community = entities[9]!;
    assert.equal(community.shown.name, SECRET_MARKER);
    assert.ok(!JSON.stringify({ ...community, attributes: null }).includes("topsecret"));
  });

  it("reads standard, terse, v7 slash and relative sub-menu layouts alike", () => {
    const standard = "/ip firewall filter\nadd chain=input action=drop\n/ip dns\nset servers=1.1.1.1\n";
    const terse = "/ip firewall filter add chain=input action=drop\n/ip dns set servers=1.1.1.1\n";
    const slash = "/ip/firewall/filter add chain=input action=drop\n/ip/dns set servers=1.1.1.1\n";
    const relative = "/ip\nfirewall filter add chain=input action=drop\n/ip\ndns set servers=1.1.1.1\n";
    const expected = brief(standard);
    assert.equal(expected.length, 2);
    assert.deepEqual(brief(terse), expected);
    assert.deepEqual(brief(slash), expected);
    assert.deepEqual(brief(relative), expected);
  });

  it("joins wrapped lines and keeps quoted values with escapes whole", () => {
    const wrapped = [
      "/system script",
      'add name=s1 source=":log info \\"a b\\"; \\',
      '    :put \\"x=y\\"" comment=\\',
      '    "two words"',
    ].join("\r\n");
    const [script] = parseRouterOsEntities(wrapped);
    assert.equal(script?.identity, "s1");
    assert.deepEqual(script?.attributes, {
      name: "s1",
      source: '":log info \\"a b\\"; :put \\"x=y\\""',
      comment: '"two words"',
    });
  });

  it("redacts secrets in shown attributes, also scoped and inside selectors", () => {
    const [user, community] = parseRouterOsEntities(
      "/user\nadd name=ops password=hunter2\n/snmp community\nset [ find name=pub1ic ] addresses=10.0.0.0/8\n",
    );
    assert.deepEqual(user?.shown, { name: "ops", password: SECRET_MARKER });
    assert.equal(community?.identity, null);
    assert.ok(!JSON.stringify(community?.shown).includes("pub1ic"));
  });
});

describe("parseRouterOsEntities on every fixture export", { skip: REAL_EXPORTS.skip }, () => {
  for (const fixture of loadRouterOsFixtures()) {
    it(`${fixture.name}: every command line is an entity in the right path, in any layout`, () => {
      const normalized = routerOsDriver.normalize(fixture.bytes.toString("utf8"));
      const lines = logicalLines(normalized, ROUTEROS_FORMAT);
      const paths = linePaths(lines);
      const expected = lines.flatMap((line, i) => (isCommandLine(line) ? [paths[i]] : []));
      const entities = parseRouterOsEntities(normalized);
      assert.ok(entities.length > 0);
      assert.deepEqual(
        entities.map((e) => e.path),
        expected,
      );
      assert.ok(entities.every((e) => e.path.startsWith("/")));
      const redacted = routerOsDriver.redact(normalized);
      assert.deepEqual(parseRouterOsEntities(normalized, undefined, redacted), entities, "given redacted text");
      const raw = brief(fixture.bytes.toString("utf8"));
      assert.deepEqual(raw, brief(normalized), "raw (wrapped, CRLF) and normalized read alike");
      assert.deepEqual(brief(toTerse(lines).join("\n")), brief(normalized), "terse reads like standard");
    });
  }
});
