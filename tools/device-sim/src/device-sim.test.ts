import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { realRouterOsExports } from "@netledger/testkit";
import { type ExportFlag, showsSensitive } from "./commands/parse.js";
import { startFleet } from "./fleet.js";
import { generateEd25519 } from "./openssh-key.js";
import { parseHeaderLine } from "./render/header.js";
import { connect, exec, execOn, openShell } from "./testing/ssh-client.js";
import type { Fleet, SimDevice } from "./types.js";

const REAL_EXPORTS = realRouterOsExports();
const userKey = generateEd25519("test-user");
const strangerKey = generateEd25519("test-user");

/** What the device should have sent for `command`, rendered at the time its header states. */
function expectedExport(device: SimDevice, received: string, flags: readonly ExportFlag[]): string {
  const header = parseHeaderLine(received.slice(0, received.indexOf("\r\n")));
  assert.ok(header !== null, `no header line in ${JSON.stringify(received.slice(0, 80))}`);
  assert.ok(Math.abs(header.at.getTime() - Date.now()) < 60_000, "header time is not the current time");
  const set = new Set(flags);
  return device.renderExport({
    at: header.at,
    showSensitive: showsSensitive(set, device.majorVersion),
    terse: set.has("terse"),
    verbose: set.has("verbose"),
  });
}

/** Every combination of format flags with each sensitivity choice, in shuffled orders. */
function flagVariants(): ExportFlag[][] {
  const formats: ExportFlag[][] = [
    [],
    ["terse"],
    ["compact"],
    ["verbose"],
    ["terse", "verbose"],
    ["verbose", "compact", "terse"],
  ];
  const out: ExportFlag[][] = [];
  for (const sensitivity of [[], ["show-sensitive"], ["hide-sensitive"]] as ExportFlag[][]) {
    for (const format of formats)
      out.push(out.length % 2 === 0 ? [...sensitivity, ...format] : [...format, ...sensitivity]);
  }
  return out;
}

describe("simulated devices over SSH", () => {
  let fleet: Fleet;
  let v7: SimDevice;
  let v6: SimDevice;

  before(async () => {
    fleet = await startFleet({
      count: 2,
      authorizedKeys: [userKey.publicKey],
      config: { kind: "synthetic", bytes: 12_000 },
    });
    [v7, v6] = fleet.devices as [SimDevice, SimDevice];
  });
  after(() => fleet.stop());

  it("alternates RouterOS 7 and 6 by default", () => {
    assert.deepEqual(
      fleet.devices.map((d) => [d.routerOsVersion, d.majorVersion]),
      [
        ["7.16.1", 7],
        ["6.49.10", 6],
      ],
    );
  });

  it("answers every export flag variant exactly as renderExport says, v6 rejecting show-sensitive", async () => {
    for (const device of [v7, v6]) {
      const client = await connect(device);
      try {
        for (const [i, flags] of flagVariants().entries()) {
          const command = `${i % 2 === 0 ? "/export" : "export"} ${flags.join(" ")}`.trim();
          const { text, exitCode } = await execOn(client, command);
          assert.equal(exitCode, 0, command);
          if (device.majorVersion === 6 && flags.includes("show-sensitive")) {
            const column = command.indexOf("show-sensitive") + 1;
            assert.equal(text, `expected end of command (line 1 column ${column})\r\n`, command);
          } else {
            assert.equal(text, expectedExport(device, text, flags), command);
          }
        }
      } finally {
        client.end();
      }
    }
  });

  it("writes the header in each version's form and hides secrets only where RouterOS does", async () => {
    const plain7 = (await exec(v7, "/export")).text;
    const shown7 = (await exec(v7, "/export show-sensitive")).text;
    assert.match(plain7, /^# \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} by RouterOS 7\.16\.1\r\n# software id = /);
    assert.doesNotMatch(plain7, / (password|passphrase|secret|private-key)=/);
    for (const key of ["password", "passphrase", "secret", "private-key"]) {
      assert.match(shown7.replace(/\\\r\n {4}/g, ""), new RegExp(` ${key}=\\S+`));
    }
    const plain6 = (await exec(v6, "/export")).text;
    assert.match(plain6, /^# [a-z]{3}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2} by RouterOS 6\.49\.10\r\n/);
    assert.match(plain6.replace(/\\\r\n {4}/g, ""), / wpa2-pre-shared-key=\S+/);
    assert.doesNotMatch((await exec(v6, "/export hide-sensitive")).text, / (password|wpa2-pre-shared-key)=/);
  });

  it("prints resource, identity, history and package, and rejects anything else", async () => {
    const resource = await exec(v7, "/system resource print");
    assert.match(resource.text, /^ +uptime: \S+\r\n +version: 7\.16\.1 \(stable\)\r\n/);
    assert.match(resource.text, new RegExp(`board-name: ${v7.model.replace(/\+/g, "\\+")}\r\n`));
    assert.equal((await exec(v6, "/system identity print")).text, `  name: ${v6.identity}\r\n`);
    assert.match((await exec(v6, "/system resource print")).text, /version: 6\.49\.10 \(long-term\)/);
    assert.match((await exec(v7, "/system package print")).text, /routeros +7\.16\.1/);
    assert.match((await exec(v6, "/system package print")).text, /routeros-\S+ +6\.49\.10/);
    assert.match((await exec(v7, "/system history print")).text, /^Flags: U - undoable/);
    const bad = await exec(v7, "/interface print");
    assert.deepEqual([bad.text, bad.exitCode], ["bad command name interface (line 1 column 2)\r\n", 0]);
  });

  it("runs an interactive shell with prompt, echo, CRLF and quit", async () => {
    const client = await connect(v7);
    try {
      const shell = await openShell(client);
      const prompt = `[admin@${v7.identity}] > `;
      await shell.waitFor(prompt);
      const mark = shell.received().length;
      shell.send("/system idx\x7fentity print\r");
      const out = await shell.waitFor(prompt, mark);
      assert.equal(out.slice(mark), `/system idx\b \bentity print\r\n  name: ${v7.identity}\r\n${prompt}`);
      const mark2 = out.length;
      shell.send("/export terse\r");
      const exported = await shell.waitFor(prompt, mark2);
      assert.match(exported.slice(mark2), /^\/export terse\r\n# \d{4}-.*\r\n\/interface bridge add /s);
      shell.send("quit\r");
      await shell.closed;
    } finally {
      client.end();
    }
  });

  it("accepts password and authorized public keys, rejects wrong credentials", async () => {
    assert.match((await exec(v7, "/system identity print", { privateKey: userKey.privateKey })).text, /name: /);
    assert.match((await exec(v7, "/system identity print", { username: "admin+ct" })).text, /name: /);
    for (const options of [{ password: "wrong" }, { privateKey: strangerKey.privateKey }, { username: "root" }]) {
      await assert.rejects(
        connect(v7, options),
        (err: Error & { level?: string }) => err.level === "client-authentication",
      );
    }
  });

  it("applies config changes, visible in the next export and in the history", async () => {
    v6.changeConfig({ op: "add", section: "/ip address", line: "add address=10.66.0.1/24 interface=ether7" });
    v6.changeConfig({ op: "set-secret", user: "netops", password: "Rotated-1" });
    const text = (await exec(v6, "/export")).text;
    assert.match(text, /add address=10\.66\.0\.1\/24 interface=ether7\r\n/);
    assert.match(text.replace(/\\\r\n {4}/g, ""), /name=netops password=Rotated-1/);
    assert.match((await exec(v6, "/system history print")).text, /address added[\s\S]*user changed/);
  });
});

describe("large and fixture-backed exports", () => {
  it("delivers a multi-megabyte export whole through default client windows", async () => {
    const fleet = await startFleet({ count: 1, config: { kind: "synthetic", bytes: 6_000_000, seed: 3 } });
    try {
      const device = fleet.devices[0]!;
      const { text, exitCode } = await exec(device, "/export show-sensitive", { timeoutMs: 30_000 });
      assert.equal(exitCode, 0);
      assert.ok(text.length >= 5_700_000, `only ${text.length} bytes`);
      assert.equal(text, expectedExport(device, text, ["show-sensitive"]));
      assert.ok(text.split("\r\n").every((line) => line.length < 80));
    } finally {
      await fleet.stop();
    }
  });

  it("serves real exports from a folder with the header time renewed, whatever the flags", {
    skip: REAL_EXPORTS.skip,
  }, async () => {
    const fleet = await startFleet({ count: 3, config: { kind: "fixtures", dir: REAL_EXPORTS.dir! } });
    try {
      const [first, , third] = fleet.devices as [SimDevice, SimDevice, SimDevice];
      assert.equal(first.routerOsVersion, "7.19.4");
      assert.equal(first.model, "CCR2004-1G-12S+2XS");
      assert.equal(third.routerOsVersion, "7.10");
      const plain = (await exec(first, "/export")).text;
      assert.equal(plain, first.renderExport({ at: parseHeaderLine(plain.split("\r\n")[0]!)!.at }));
      const terse = (await exec(first, "/export terse show-sensitive")).text;
      assert.equal(terse.slice(terse.indexOf("\n")), plain.slice(plain.indexOf("\n")));
      assert.ok(plain.length > 6000);
    } finally {
      await fleet.stop();
    }
  });
});
