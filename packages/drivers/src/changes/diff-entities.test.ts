import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { routerOsDriver } from "../routeros/index.js";

/** A firewall section of distinct rules, as a standard export writes it. */
const rules = fc.uniqueArray(fc.integer({ min: 1, max: 65_535 }), { minLength: 1, maxLength: 60 });
const render = (ports: readonly number[]) =>
  `/ip firewall filter\n${ports.map((p) => `add action=accept chain=forward dst-port=${p} protocol=tcp`).join("\n")}\n`;
const summary = (before: readonly number[], after: readonly number[]) =>
  routerOsDriver.structuredChanges(render(before), render(after)).map((c) => [c.kind, c.identity]);

describe("diffEntities on ordered rules", () => {
  it("reports one inserted rule as one added change at its position, nothing else", () => {
    fc.assert(
      fc.property(rules, fc.nat(), (ports, at) => {
        const index = at % (ports.length + 1);
        const fresh = 65_536;
        assert.deepEqual(summary(ports, ports.toSpliced(index, 0, fresh)), [["added", `#${index + 1}`]]);
      }),
    );
  });

  it("reports one removed rule as one removed change at its old position", () => {
    fc.assert(
      fc.property(rules, fc.nat(), (ports, at) => {
        const index = at % ports.length;
        assert.deepEqual(summary(ports, ports.toSpliced(index, 1)), [["removed", `#${index + 1}`]]);
      }),
    );
  });

  it("reports one edited rule as modified in place", () => {
    fc.assert(
      fc.property(rules, fc.nat(), (ports, at) => {
        const index = at % ports.length;
        assert.deepEqual(summary(ports, ports.with(index, 65_536)), [["modified", `#${index + 1}`]]);
      }),
    );
  });

  it("reports one rule moved as a single move (of it or, equally short, of a neighbour)", () => {
    fc.assert(
      fc.property(rules, fc.nat(), fc.nat(), (ports, from, to) => {
        const source = from % ports.length;
        const moved = ports.toSpliced(source, 1);
        const target = to % (moved.length + 1);
        const after = moved.toSpliced(target, 0, ports[source]!);
        const changes = routerOsDriver.structuredChanges(render(ports), render(after));
        if (target === source) return assert.deepEqual(changes, []);
        assert.equal(changes.length, 1);
        assert.equal(changes[0]!.kind, "moved");
        assert.equal(changes[0]!.secretChanged, false);
      }),
    );
  });
});

describe("diffEntities on keyed items", () => {
  it("never shows a secret value, whatever changes", () => {
    const value = fc.stringMatching(/^[A-Z][a-z0-9]{6,14}[0-9]$/);
    const users = fc.uniqueArray(fc.tuple(fc.stringMatching(/^[a-z]{3,8}$/), value), {
      selector: ([name]) => name,
      maxLength: 8,
    });
    const text = (list: readonly (readonly [string, string])[]) =>
      `/user\n${list.map(([name, pw]) => `add group=full name=${name} password=${pw} comment="was password=${pw}"`).join("\n")}\n`;
    fc.assert(
      fc.property(users, users, (before, after) => {
        const all = JSON.stringify(routerOsDriver.structuredChanges(text(before), text(after)));
        for (const [, pw] of [...before, ...after]) assert.ok(!all.includes(pw));
      }),
    );
  });
});
