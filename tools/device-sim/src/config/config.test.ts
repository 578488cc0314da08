import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { realRouterOsExports } from "@netledger/testkit";
import { ConfigChangeError } from "../errors.js";
import { parseHeaderLine } from "../render/header.js";
import { SECRET_ATTRIBUTES } from "../render/secrets.js";
import { describeFixture, FixtureConfig } from "./fixture-config.js";
import { syntheticProfile } from "./synthetic.js";
import { SyntheticConfig } from "./synthetic-config.js";

const AT = new Date(Date.UTC(2026, 10, 30, 12, 0, 0));
const PLAIN = { showSensitive: false, terse: false, verbose: false };
const SENSITIVE = { ...PLAIN, showSensitive: true };
const REAL_EXPORTS = realRouterOsExports();

function synthetic(version: string, bytes = 20_000, seed = 7): SyntheticConfig {
  const major = version.startsWith("6.") ? 6 : 7;
  return new SyntheticConfig(version, syntheticProfile(seed), { seed, major, identity: "edge-1", bytes });
}

function fixture(name: string): { config: FixtureConfig; raw: string } {
  const raw = readFileSync(join(REAL_EXPORTS.dir!, name), "utf8");
  return { config: new FixtureConfig(describeFixture(name, raw)), raw };
}

const secretWord = new RegExp(`(?:^| )(?:${SECRET_ATTRIBUTES.join("|")})=`, "m");

describe("synthetic configs", () => {
  it("are deterministic per seed and differ between seeds", () => {
    assert.equal(synthetic("7.16.1").exportText(AT, SENSITIVE), synthetic("7.16.1").exportText(AT, SENSITIVE));
    assert.notEqual(
      synthetic("7.16.1", 20_000, 1).exportText(AT, SENSITIVE),
      synthetic("7.16.1").exportText(AT, SENSITIVE),
    );
  });

  it("start with the header, software id, model and serial lines of a real export", () => {
    const v7 = synthetic("7.16.1").exportText(AT, PLAIN).split("\r\n");
    assert.equal(v7[0], "# 2026-11-30 12:00:00 by RouterOS 7.16.1");
    assert.match(v7[1]!, /^# software id = [A-Z0-9]{4}-[A-Z0-9]{4}$/);
    assert.equal(v7[2], "#");
    assert.match(v7[3]!, /^# model = \S+/);
    assert.match(v7[4]!, /^# serial number = [0-9A-F]{12}$/);
    assert.equal(v7[5], "/interface bridge");
    assert.equal(
      synthetic("6.49.10").exportText(AT, PLAIN).split("\r\n")[0],
      "# nov/30/2026 12:00:00 by RouterOS 6.49.10",
    );
  });

  it("grow to the requested size, including several megabytes", () => {
    for (const bytes of [4_000, 100_000, 5_500_000]) {
      const size = Buffer.byteLength(synthetic("7.16.1", bytes).exportText(AT, SENSITIVE));
      assert.ok(size >= bytes * 0.95 && size <= Math.max(bytes * 1.1, 12_000), `${size} for ${bytes}`);
    }
  });

  it("use CRLF line ends and wrap at 80 columns with backslash continuations", () => {
    const text = synthetic("7.16.1", 50_000).exportText(AT, SENSITIVE);
    assert.ok(text.endsWith("\r\n"));
    const lines = text.split("\r\n");
    assert.ok(!text.replace(/\r\n/g, "").includes("\n"));
    assert.ok(lines.every((l) => l.length < 80));
    assert.ok(lines.some((l) => l.endsWith(" \\")) && lines.some((l) => l.startsWith("    ")));
  });

  it("hide secrets on v7 unless show-sensitive, show them on v6 unless hide-sensitive", () => {
    const v7 = synthetic("7.16.1");
    assert.doesNotMatch(v7.exportText(AT, PLAIN).replace(/\\\r\n {4}/g, ""), secretWord);
    const shown = v7.exportText(AT, SENSITIVE).replace(/\\\r\n {4}/g, "");
    for (const key of ["password", "passphrase", "secret", "private-key", "authentication-password"]) {
      assert.match(shown, new RegExp(` ${key}=`));
    }
    const v6 = synthetic("6.49.10");
    assert.match(v6.exportText(AT, SENSITIVE).replace(/\\\r\n {4}/g, ""), / wpa2-pre-shared-key=/);
    assert.doesNotMatch(v6.exportText(AT, PLAIN).replace(/\\\r\n {4}/g, ""), secretWord);
  });

  it("render terse as one full line per entry and verbose with defaults", () => {
    const config = synthetic("7.16.1");
    const terse = config
      .exportText(AT, { ...SENSITIVE, terse: true })
      .split("\r\n")
      .slice(5, -1);
    assert.ok(terse.every((l) => l.startsWith("/")));
    assert.ok(terse.some((l) => l.length > 80) && !terse.some((l) => l.endsWith("\\")));
    const verbose = config.exportText(AT, { ...PLAIN, verbose: true });
    assert.match(verbose, /add .*disabled=no .*list=mgmt/);
    assert.ok(verbose.length > config.exportText(AT, PLAIN).length);
  });

  it("apply add, remove, modify and set-secret changes", () => {
    const config = synthetic("7.16.1");
    config.apply({ op: "add", section: "/ip/address", line: "add address=10.77.0.1/24 interface=ether9" });
    assert.match(
      config.exportText(AT, PLAIN),
      /\/ip address\r\n(?:.*\r\n)*add address=10\.77\.0\.1\/24 interface=ether9\r\n/,
    );
    config.apply({ op: "modify", match: "address=10.77.0.1/24", replace: "address=10.77.0.2/24" });
    assert.match(config.exportText(AT, PLAIN), /address=10\.77\.0\.2\/24/);
    config.apply({ op: "remove", match: "address=10.77.0.2/24" });
    assert.doesNotMatch(config.exportText(AT, PLAIN), /10\.77\.0\./);
    config.apply({ op: "set-secret", user: "netops", password: "n3w secret$" });
    assert.match(config.exportText(AT, SENSITIVE), /name=netops password="n3w secret\\\$"/);
    config.apply({ op: "set-secret", user: "vpn-bob", password: "bobpw" });
    assert.match(config.exportText(AT, SENSITIVE), /name=vpn-bob password=bobpw/);
    config.apply({ op: "add", section: "/system note", line: "set note=hello" });
    assert.ok(config.exportText(AT, PLAIN).endsWith("/system note\r\nset note=hello\r\n"));
    assert.throws(() => config.apply({ op: "remove", match: "no-such-line" }), ConfigChangeError);
    assert.throws(() => config.apply({ op: "set-secret", user: "ghost", password: "x" }), ConfigChangeError);
  });
});

describe("fixture configs", { skip: REAL_EXPORTS.skip }, () => {
  it("serve the file byte for byte with only the header time replaced, in the file's own date style", () => {
    for (const name of [
      "Andreansx_Networking-lab__Border-Leaf-CCR2004-0_config__ros7.19.4.rsc",
      "memhamwan_routeros-config-audit__r1.leb.memhamwan.net__ros6.48.1.rsc",
      "Rus1999_Network__lab05_RO-Home-conf__ros7.4.rsc",
      "Defm_mikrobackups__rawconf_anna_6.49.6__ros6.49.6.rsc",
    ]) {
      const { config, raw } = fixture(name);
      const text = config.exportText(AT);
      const firstEnd = raw.indexOf("\n");
      assert.equal(text.slice(text.indexOf("\n")), raw.slice(firstEnd), name);
      const header = parseHeaderLine(text.slice(0, text.indexOf("\n")).replace(/\r$/, ""));
      assert.equal(header?.at.getTime(), AT.getTime(), name);
      assert.equal(header?.style, parseHeaderLine(raw.slice(0, firstEnd).replace(/\r$/, ""))?.style);
    }
  });

  it("read version, model, serial and identity from the file", () => {
    const { config } = fixture("Andreansx_Networking-lab__Border-Leaf-CCR2004-0_config__ros7.19.4.rsc");
    assert.equal(config.version, "7.19.4");
    assert.equal(config.profile.model, "CCR2004-1G-12S+2XS");
    assert.equal(config.profile.serial, "D4F00DCEEFD0");
    assert.equal(typeof config.identity(), "string");
  });

  it("apply changes to the affected lines only, keeping line ends and format", () => {
    const { config, raw } = fixture("memhamwan_routeros-config-audit__r1.leb.memhamwan.net__ros6.48.1.rsc");
    config.apply({ op: "add", section: "/ip address", line: "add address=192.0.2.1/24 interface=ether9" });
    const added = config.exportText(AT);
    assert.match(added, /\/ip address\n(?:.*\n)*add address=192\.0\.2\.1\/24 interface=ether9\n/);
    assert.equal(added.length - raw.length, "add address=192.0.2.1/24 interface=ether9\n".length);
    config.apply({ op: "remove", match: "address=192.0.2.1/24" });
    assert.equal(config.exportText(AT).slice(40), raw.slice(40));

    const terse = fixture("Defm_mikrobackups__rawconf_anna_6.49.6__ros6.49.6.rsc").config;
    terse.apply({ op: "add", section: "/ip address", line: "add address=192.0.2.1/24 interface=ether9" });
    assert.match(terse.exportText(AT), /\r\n\/ip address add address=192\.0\.2\.1\/24 interface=ether9\r\n/);
    terse.apply({ op: "modify", match: "address=192.0.2.1/24", replace: "address=192.0.2.9/24" });
    assert.match(terse.exportText(AT), /\/ip address add address=192\.0\.2\.9\/24 interface=ether9\r\n/);
  });

  it("set ppp secret passwords in standard and terse files", () => {
    const standard = fixture("Rus1999_Network__lab09-pptp-l2tp-VPN_ISP-conf__ros7.2.1.rsc");
    standard.config.apply({ op: "set-secret", user: "ppp01@isp01", password: "Sim-Pw-1" });
    const text = standard.config.exportText(AT);
    assert.match(text, /\nadd name=ppp01@isp01 .*password=Sim-Pw-1\n/);
    assert.equal(text.length - standard.raw.length, " password=Sim-Pw-1".length);

    const terse = fixture("Defm_mikrobackups__rawconf_CHR_latest__ros7.10.rsc");
    terse.config.apply({ op: "set-secret", user: "vpn-user-alx", password: "Sim-Pw-2" });
    terse.config.apply({ op: "set-secret", user: "vpn-user-alx", password: "Sim-Pw-3" });
    const lines = terse.config
      .exportText(AT)
      .split("\r\n")
      .filter((l) => l.includes("name=vpn-user-alx"));
    assert.ok(lines.some((l) => /^\/ppp secret add .*password=Sim-Pw-3( |$)/.test(l)));
    assert.ok(!lines.some((l) => l.includes("Sim-Pw-2")));
  });
});
