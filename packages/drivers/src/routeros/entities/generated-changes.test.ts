import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ConfigChange, type Fleet, type SimDevice, startFleet } from "@netledger/device-sim";
import type { StructuredChange } from "../../changes/structured-change.js";
import { routerOsDriver } from "../index.js";
import { parseRouterOsEntities } from "./parse.js";
import { changeFarWrappedLine } from "./test-mutations.js";

/**
 * One-entity edits on the device simulator's synthetic v6 and v7 configs (about 40 KB, so the
 * filler firewall rules sit hundreds of lines below their header), rendered the three ways
 * RouterOS exports: standard, terse and verbose.
 */
const LAYOUTS = {
  standard: { showSensitive: true },
  terse: { showSensitive: true, terse: true },
  verbose: { showSensitive: true, verbose: true },
} as const;

type Layout = keyof typeof LAYOUTS;
type Renders = Record<Layout, string>;

const FILTER = "/ip firewall filter";

function renders(device: SimDevice): Renders {
  const at = new Date("2026-01-01T00:00:00Z");
  return {
    standard: routerOsDriver.normalize(device.renderExport({ ...LAYOUTS.standard, at })),
    terse: routerOsDriver.normalize(device.renderExport({ ...LAYOUTS.terse, at })),
    verbose: routerOsDriver.normalize(device.renderExport({ ...LAYOUTS.verbose, at })),
  };
}

/** The `/ip firewall filter` rules as terse lines without their path, in order. */
function filterRules(r: Renders): string[] {
  return r.terse
    .split("\n")
    .filter((line) => line.startsWith(`${FILTER} add `))
    .map((line) => line.slice(FILTER.length + 1));
}

/** Applies `changes` and returns the structured changes per layout. */
function edit(
  device: SimDevice,
  ...changes: ConfigChange[]
): { was: Renders; per: Record<Layout, StructuredChange[]> } {
  const was = renders(device);
  for (const change of changes) device.changeConfig(change);
  const now = renders(device);
  const per = {} as Record<Layout, StructuredChange[]>;
  for (const layout of Object.keys(LAYOUTS) as Layout[]) {
    per[layout] = routerOsDriver.structuredChanges(was[layout], now[layout]);
  }
  return { was, per };
}

function expectOne(
  per: Record<Layout, StructuredChange[]>,
  expected: Pick<StructuredChange, "kind" | "path" | "identity">,
): StructuredChange {
  for (const [layout, changes] of Object.entries(per)) {
    assert.deepEqual(
      changes.map((c) => [c.kind, c.path, c.identity]),
      [[expected.kind, expected.path, expected.identity]],
      layout,
    );
  }
  return per.standard[0]!;
}

describe("structured changes on generated v6 and v7 configs", () => {
  let fleet: Fleet;
  before(async () => {
    fleet = await startFleet({
      count: 2,
      versions: ["7.16.1", "6.49.10"],
      config: { kind: "synthetic", bytes: 40_000, seed: 11 },
    });
  });
  after(() => fleet.stop());

  for (const index of [0, 1]) {
    describe(`device ${index}`, () => {
      const device = () => fleet.devices[index]!;

      it("adds, removes, modifies and moves firewall rules", () => {
        const count = filterRules(renders(device())).length;
        const add = edit(device(), {
          op: "add",
          section: FILTER,
          line: "add action=drop chain=forward dst-port=4444 protocol=tcp",
        });
        expectOne(add.per, { kind: "added", path: FILTER, identity: `#${count + 1}` });

        const removed = edit(device(), { op: "remove", match: 'comment="defconf: drop invalid"' });
        expectOne(removed.per, { kind: "removed", path: FILTER, identity: "#2" });

        const rules = filterRules(renders(device()));
        const icmp = rules.findIndex((rule) => rule.includes("defconf: accept ICMP"));
        const modified = edit(device(), {
          op: "modify",
          match: 'comment="defconf: accept ICMP"',
          replace: 'comment="defconf: accept ICMP" log=yes',
        });
        const change = expectOne(modified.per, { kind: "modified", path: FILTER, identity: `#${icmp + 1}` });
        assert.match(change.summary, /log/);

        const lan = rules.find((rule) => rule.includes("not coming from LAN"))!;
        const moved = edit(
          device(),
          { op: "remove", match: "not coming from LAN" },
          { op: "add", section: FILTER, line: lan },
        );
        const move = expectOne(moved.per, { kind: "moved", path: FILTER, identity: `#${rules.length}` });
        assert.match(move.summary, /moved from #\d+$/);
      });

      it("changes an interface attribute, renames an item and the router", () => {
        const mtu = edit(device(), {
          op: "modify",
          match: "set [ find default-name=ether1 ] comment=uplink",
          replace: "set [ find default-name=ether1 ] comment=uplink mtu=9000",
        });
        assert.equal(
          expectOne(mtu.per, { kind: "modified", path: "/interface ethernet", identity: "ether1" }).summary,
          "ether1: +mtu=9000",
        );

        const renamed = edit(device(), { op: "modify", match: "name=vlan30-guest", replace: "name=vlan30-visitors" });
        const rename = expectOne(renamed.per, {
          kind: "modified",
          path: "/interface vlan",
          identity: "vlan30-visitors",
        });
        assert.equal(rename.summary, "vlan30-guest renamed to vlan30-visitors");

        const identity = edit(device(), {
          op: "modify",
          match: `set name=${device().identity}`,
          replace: "set name=nl-router",
        });
        expectOne(identity.per, { kind: "modified", path: "/system identity", identity: "" });
      });

      it("changes a password without showing the old or new value anywhere", () => {
        const password = `NlNew${index}pw${Date.now()}`;
        const { was, per } = edit(device(), { op: "set-secret", user: "netops", password });
        const old = / name=netops password=(\S+)/.exec(was.standard)![1]!;
        const change = expectOne(per, { kind: "modified", path: "/user", identity: "netops" });
        assert.equal(change.secretChanged, true);
        assert.equal(change.summary, "netops: password changed");
        for (const changes of Object.values(per)) {
          const everything = JSON.stringify(changes);
          assert.ok(!everything.includes(password) && !everything.includes(old), "a password leaked");
        }
      });

      it("names the entity of a wrapped line changed far from its header", () => {
        const was = device().renderExport({ ...LAYOUTS.standard, at: new Date(0) });
        const mutation = changeFarWrappedLine(was)!;
        assert.ok(mutation.distance > 100, `distance ${mutation.distance}`);
        const before = routerOsDriver.normalize(was);
        const entities = parseRouterOsEntities(before);
        const entity = entities[mutation.commandIndex]!;
        const earlier = entities.slice(0, mutation.commandIndex);
        const position = earlier.filter((e) => e.path === entity.path && e.identity === null).length + 1;
        const expected = entity.identity ?? `#${position}`;
        const changes = routerOsDriver.structuredChanges(before, routerOsDriver.normalize(mutation.raw));
        assert.deepEqual(
          changes.map((c) => [c.kind, c.path, c.identity]),
          [["modified", mutation.path, expected]],
        );
      });
    });
  }
});
