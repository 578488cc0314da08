import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { routerOsDriver } from "./index.js";
import { routerOsSecretValues } from "./redact.js";
import { isSecretScriptName } from "./script-secrets.js";
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

  it("masks secret-named script variables and parameters, also doubly escaped", () => {
    const line = [
      '/system script add name=b source=":local BackupPassword \\"Bk-pw-1\\"\\r\\n',
      ':global TelegramToken \\"7000:tok-en\\";\\r\\n:local ftpPass bare-pw-2;\\r\\n',
      ":local halfPass [:pick \\$x 0 4];\\r\\n",
      '/tool fetch url=\\"ftp://h/\\" password=\\$ftpPass\\r\\n',
      ':put [:parse \\":global x; /tool e-mail send password=\\\\\\"deep-pw-3\\\\\\" to=a\\"]\\r\\n',
      '/system scheduler add on-event=\\"/x api-key=\\\\\\"k-4444\\\\\\" passthrough=yes\\""',
    ].join("");
    const redacted = redact(line);
    for (const value of ["Bk-pw-1", "7000:tok-en", "bare-pw-2", "deep-pw-3", "k-4444"]) {
      assert.ok(!redacted.includes(value), `${value} survived: ${redacted}`);
    }
    assert.match(redacted, /:local BackupPassword \*{6}\\r\\n/);
    assert.match(redacted, /password=\*{6} to=a/);
    assert.match(redacted, /:local halfPass \[:pick \\\$x 0 4\]/, "code that computes a secret is kept");
    assert.match(redacted, /passthrough=yes/);
    assert.equal(redact(redacted), redacted);
  });

  it("masks a secret value wherever else it appears, in any escape form", () => {
    const text = [
      "/ppp secret add name=alice password=Wh1te-Rabbit",
      '/system script add name=s source=":local u \\"alice\\"\\r\\n:local p \\"Wh1te-Rabbit\\"\\r\\n/tool fetch url=\\"ftp://alice:Wh1te-Rabbit@h/\\""',
      "# old password was Wh1te-Rabbit",
      "/interface list add name=Wh1te-Rabbits",
      "",
    ].join("\n");
    const redacted = redact(text);
    assert.equal(redacted.match(/Wh1te-Rabbit\b(?!s)/g), null, redacted);
    assert.match(redacted, /name=Wh1te-Rabbits/, "a longer token that only contains the value stays");
    assert.match(redacted, /ftp:\/\/alice:\*{6}@h/);
  });

  it("keeps a secret that is also an ordinary name in the clear outside its own slot", () => {
    const text = "/ip hotspot user add name=guest password=guest\n/ip hotspot user add name=x password=abc\n";
    assert.equal(
      redact(text),
      "/ip hotspot user add name=guest password=******\n/ip hotspot user add name=x password=******\n",
    );
    assert.deepEqual(routerOsSecretValues(text).slotOnly.toSorted(), ["abc", "guest"]);
  });

  it("tells secret script names from look-alikes", () => {
    for (const name of [
      "BackupPassword",
      "TelegramToken",
      "FTPPass",
      "ftpPass",
      "api-key",
      "wifi_psk",
      "tToken",
      "pwd",
    ])
      assert.ok(isSecretScriptName(name), name);
    for (const name of ["passthrough", "bypass", "KEYSIZE", "keyboard", "username", "compass"])
      assert.ok(!isSecretScriptName(name), name);
  });

  it("leaves no secret attribute or secret-named script value anywhere in any fixture's projection", {
    skip: REAL_EXPORTS.skip,
  }, (t) => {
    const attributes = ROUTEROS_SECRET_ATTRIBUTES.join("|");
    // Independent of the redactor's scanner: plain patterns over the text, at any escape depth.
    const patterns = [
      new RegExp(`(?<![\\w-])(?:${attributes})=(\\\\*)"(.*?)\\1"`, "g"),
      new RegExp(`(?<![\\w-])(?:${attributes})=([^\\s"\\\\;\\]]+)`, "g"),
      /:(?:local|global|set) +([A-Za-z_][\w-]*) +(\\*)"(.*?)\2"/g,
      /:(?:local|global|set) +([A-Za-z_][\w-]*) +([^\s"\\;[($]+)/g,
    ];
    let searched = 0;
    let slotOnly = 0;
    for (const fixture of loadRouterOsFixtures()) {
      const normalized = routerOsDriver.normalize(fixture.bytes.toString("utf8"));
      const redacted = redact(normalized);
      const exempt = new Set(routerOsSecretValues(normalized).slotOnly);
      const values = new Set<string>();
      for (const line of normalized.split("\n").filter((l) => !l.startsWith("#"))) {
        for (const m of line.matchAll(patterns[0]!)) values.add(m[2]!);
        for (const m of line.matchAll(patterns[1]!)) values.add(m[1]!);
        for (const m of line.matchAll(patterns[2]!)) if (isSecretScriptName(m[1]!)) values.add(m[3]!);
        for (const m of line.matchAll(patterns[3]!)) if (isSecretScriptName(m[1]!)) values.add(m[2]!);
      }
      for (const value of values) {
        if (value === "" || value === "******" || /^(?:\\*\$|\[|\(|\{|do=)/.test(value)) continue;
        const escaped = value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        if (exempt.has(value)) {
          slotOnly++;
          const asName = new RegExp(`=("?)${escaped}\\1(?:\\s|$)`, "m");
          assert.ok(value.length < 4 || asName.test(redacted), `${fixture.name}: slot-only value is no ordinary name`);
          continue;
        }
        searched++;
        assert.ok(
          !new RegExp(`(?<![A-Za-z0-9_])${escaped}(?![A-Za-z0-9_])`).test(redacted),
          `${fixture.name}: a secret value (length ${value.length}) survived`,
        );
      }
    }
    t.diagnostic(`${searched} secret values searched for, ${slotOnly} masked in their slot only`);
    assert.ok(searched > 30, `only ${searched} secret values found in the fixtures`);
  });
});
