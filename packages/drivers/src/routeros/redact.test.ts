import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { routerOsDriver } from "./index.js";
import { ROUTEROS_SECRET_ATTRIBUTES } from "./secrets.js";
import { loadRouterOsFixtures, REAL_EXPORTS } from "./test-fixtures.js";

const redact = (text: string) => routerOsDriver.redactSecrets(text);

describe("RouterOS redactSecrets", () => {
  it("replaces quoted and bare secret values with a fixed marker, leaving everything else", () => {
    const text = [
      "# by RouterOS 7.16.1",
      "/interface wireless security-profiles",
      'set [ find default=yes ] mode=dynamic-keys wpa2-pre-shared-key="two words \\"q\\" x" wpa-pre-shared-key=abc12345',
      "/ppp secret",
      "add name=alice password=s3cret profile=default service=pptp",
      '/interface wireguard add listen-port=13231 name=wg0 private-key="k/ey+="',
      "",
    ].join("\n");
    assert.equal(
      redact(text),
      [
        "# by RouterOS 7.16.1",
        "/interface wireless security-profiles",
        "set [ find default=yes ] mode=dynamic-keys wpa2-pre-shared-key=****** wpa-pre-shared-key=******",
        "/ppp secret",
        "add name=alice password=****** profile=default service=pptp",
        "/interface wireguard add listen-port=13231 name=wg0 private-key=******",
        "",
      ].join("\n"),
    );
  });

  it("uses the same marker whatever the value, so the projection reveals nothing about it", () => {
    const a = redact("/ppp secret\nadd name=u password=a\n");
    const b = redact("/ppp secret\nadd name=u password=correct-horse-battery-staple\n");
    assert.equal(a, b);
  });

  it("redacts menu-scoped secrets only in their menu", () => {
    const text = [
      "/snmp community",
      "set [ find default=yes ] addresses=192.0.2.0/24 name=pub1ic",
      "add name=private2",
      "/interface bridge",
      "add name=bridge1",
      "/system ntp key add key=abcdef id=1",
      "/container envs add key=PATH name=e value=/bin",
      "/lcd pin set pin-number=1234",
      "",
    ].join("\n");
    assert.equal(
      redact(text),
      [
        "/snmp community",
        "set [ find default=yes ] addresses=192.0.2.0/24 name=******",
        "add name=******",
        "/interface bridge",
        "add name=bridge1",
        "/system ntp key add key=****** id=1",
        "/container envs add key=PATH name=e value=/bin",
        "/lcd pin set pin-number=******",
        "",
      ].join("\n"),
    );
  });

  it("redacts secrets written inside script strings, and keeps the string well formed", () => {
    const line =
      '/system script add name=s source="/tool fetch user=u password=\\"p w\\" url=x\\r\\n/tool e-mail send password=\\$pw;\\r\\n:put done"';
    assert.equal(
      redact(line),
      '/system script add name=s source="/tool fetch user=u password=****** url=x\\r\\n/tool e-mail send password=******;\\r\\n:put done"',
    );
  });

  it("leaves comment lines, look-alike names and non-secret attributes alone", () => {
    const text =
      "# password=shown-in-comment\n/ip service set www-ssl certificate=none\n/x add mypassword=a password-type=b";
    assert.equal(redact(text), text);
  });

  it("is idempotent and keeps line structure", () => {
    const text = '/ppp secret\nadd name=a password=b\n\n/tool e-mail set password="x y"\n';
    assert.equal(redact(redact(text)), redact(text));
    assert.equal(redact(text).split("\n").length, text.split("\n").length);
  });

  it("removes every secret value from the fixture exports", { skip: REAL_EXPORTS.skip }, () => {
    const names = ROUTEROS_SECRET_ATTRIBUTES.map((n) => n.replaceAll("-", "\\-")).join("|");
    const topLevel = new RegExp(`(?<=^|[\\s\\[])(${names})=("(?:[^"\\\\]|\\\\.)*"|[^\\s\\]"]+)`, "gm");
    let checked = 0;
    for (const fixture of loadRouterOsFixtures()) {
      const normalized = routerOsDriver.normalize(fixture.bytes.toString("utf8"));
      const redacted = redact(normalized);
      for (const [, name, value] of normalized.matchAll(topLevel)) {
        if (value === '""' || value === "******") continue;
        checked++;
        assert.ok(!redacted.includes(`${name}=${value}`), `${fixture.name}: a ${name} value survived`);
        const bare = value!.replace(/^"|"$/g, "");
        if (bare.length >= 6 && !bare.includes("$")) {
          const asAnyValue = new RegExp(`="?${bare.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?:"|\\s|$)`, "m");
          assert.ok(
            !asAnyValue.test(redacted),
            `${fixture.name}: a ${name} value survived as another attribute's value`,
          );
        }
      }
    }
    assert.ok(checked > 50, `only ${checked} secret values found in the fixtures`);
  });
});
