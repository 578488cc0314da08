import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import type { StructuredChange } from "../../changes/structured-change.js";
import { logicalLines } from "../../export/lines.js";
import { ROUTEROS_FORMAT } from "../format.js";
import { routerOsDriver } from "../index.js";
import { loadRouterOsFixtures, REAL_EXPORTS } from "../test-fixtures.js";
import { ORDERED_MENUS } from "./menus.js";
import { parseRouterOsEntities } from "./parse.js";
import {
  addRule,
  changeFarWrappedLine,
  changeInterface,
  changePassword,
  type Mutation,
  modifyRule,
  moveRule,
  pickRules,
  removeRule,
  renameItem,
} from "./test-mutations.js";
import { toTerse } from "./test-support.js";

const changes = (before: readonly string[], after: readonly string[]) =>
  routerOsDriver.structuredChanges(`${before.join("\n")}\n`, `${after.join("\n")}\n`);

function assertOne(actual: StructuredChange[], expected: Omit<Mutation, "lines">): StructuredChange {
  assert.deepEqual(
    actual.map((c) => [c.kind, c.path, c.identity]),
    [[expected.kind, expected.path, expected.identity]],
  );
  assert.ok(actual[0]!.summary.length > 0);
  return actual[0]!;
}

const counts = { rules: 0, interface: 0, rename: 0, wrapped: 0 };

describe("structured changes of one-entity edits on every fixture export", { skip: REAL_EXPORTS.skip }, () => {
  for (const fixture of loadRouterOsFixtures()) {
    const raw = fixture.bytes.toString("utf8");
    const normalized = routerOsDriver.normalize(raw);
    const standard = logicalLines(normalized, ROUTEROS_FORMAT);
    for (const [layout, lines] of [
      ["standard", standard],
      ["terse", toTerse(standard)],
    ] as const) {
      describe(`${fixture.name} (${layout})`, () => {
        it("has no change against itself", () => {
          assert.deepEqual(changes(lines, lines), []);
        });

        it("adds, removes, modifies and moves a rule of an ordered menu", (t) => {
          const picked = pickRules(lines, [...ORDERED_MENUS]);
          if (picked === null) return t.skip("no ordered menu with three distinct rules");
          if (layout === "standard") counts.rules++;
          for (const mutate of [addRule, removeRule, modifyRule, moveRule]) {
            const mutation = mutate(lines, picked.path, picked.rules);
            const change = assertOne(changes(lines, mutation.lines), mutation);
            assert.equal(change.secretChanged, false);
          }
        });

        it("changes an interface attribute", (t) => {
          const mutation = changeInterface(lines);
          if (mutation === null) return t.skip("no /interface ethernet set [ find default-name=... ]");
          if (layout === "standard") counts.interface++;
          const change = assertOne(changes(lines, mutation.lines), mutation);
          assert.match(change.summary, /\+l2mtu=1234|l2mtu \S+ → 1234/);
        });

        it("renames a named item", (t) => {
          const named = parseRouterOsEntities(normalized)
            .filter((e) => e.identityAttributes.join() === "name")
            .map((e) => e.path);
          const mutation = renameItem(lines, named);
          if (mutation === null) return t.skip("no named item to rename");
          if (layout === "standard") counts.rename++;
          const change = assertOne(changes(lines, mutation.lines), mutation);
          assert.match(change.summary, /renamed to netledger-renamed$/);
        });

        it("changes a password without showing it anywhere", () => {
          const mutation = changePassword(lines, randomBytes(6).toString("hex"));
          const change = assertOne(changes(mutation.before, mutation.after), { ...mutation, kind: "modified" });
          assert.equal(change.secretChanged, true);
          const everything = JSON.stringify(changes(mutation.before, mutation.after));
          for (const value of mutation.values) assert.ok(!everything.includes(value), "a password value leaked");
        });
      });
    }

    it(`${fixture.name}: a wrapped line changed far from its header names its entity`, (t) => {
      const mutation = changeFarWrappedLine(raw);
      if (mutation === null) return t.skip("nothing wrapped");
      counts.wrapped++;
      const entity = parseRouterOsEntities(normalized)[mutation.commandIndex]!;
      const after = routerOsDriver.normalize(mutation.raw);
      const [change, ...rest] = routerOsDriver.structuredChanges(normalized, after);
      assert.deepEqual(rest, []);
      assert.equal(change?.kind, "modified");
      assert.equal(change?.path, mutation.path);
      assert.equal(entity.path, mutation.path);
      if (entity.identity !== null) assert.equal(change?.identity, entity.identity);
      else assert.match(change?.identity ?? "", /^#\d+$/);
      assert.match(change?.summary ?? "", /\+netledger-x=1/);
    });
  }

  it("exercised every kind of edit on several fixtures", () => {
    assert.ok(counts.rules >= 5, `rules ${counts.rules}`);
    assert.ok(counts.interface >= 5, `interface ${counts.interface}`);
    assert.ok(counts.rename >= 5, `rename ${counts.rename}`);
    assert.ok(counts.wrapped >= 5, `wrapped ${counts.wrapped}`);
  });
});
