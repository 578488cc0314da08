import { matchPositional, type Placed } from "./positional.js";
import type { ConfigEntity, StructuredChange } from "./structured-change.js";
import { describeAttributes, describeModification, oneLine } from "./summary.js";

interface PathItems {
  readonly keyed: Map<string, ConfigEntity>;
  readonly positional: ConfigEntity[];
  ordered: boolean;
}

/**
 * Entity-level changes between two parsed versions of a config, in path order. Keyed items match
 * by identity (a rename, i.e. an item gone and one come whose only differences are its identity
 * attributes, is one `modified` change under the new identity); positional items match by content
 * (see `matchPositional`). Output fields come from the redacted `shown` attributes only.
 */
export function diffEntities(before: readonly ConfigEntity[], after: readonly ConfigEntity[]): StructuredChange[] {
  const was = groupByPath(before);
  const now = groupByPath(after);
  const paths = new Set([...now.keys(), ...was.keys()]);
  const changes: StructuredChange[] = [];
  const empty = (): PathItems => ({ keyed: new Map(), positional: [], ordered: false });
  for (const path of paths) {
    const b = was.get(path) ?? empty();
    const a = now.get(path) ?? empty();
    diffKeyed(path, b.keyed, a.keyed, changes);
    diffPositional(path, b.positional, a.positional, b.ordered || a.ordered, changes);
  }
  return changes;
}

/** Groups by path; a repeated identity gets ` (2)`, ` (3)`... in order, so each stays matchable. */
function groupByPath(entities: readonly ConfigEntity[]): Map<string, PathItems> {
  const groups = new Map<string, PathItems>();
  for (const entity of entities) {
    let group = groups.get(entity.path);
    if (group === undefined) {
      group = { keyed: new Map(), positional: [], ordered: false };
      groups.set(entity.path, group);
    }
    if (entity.identity === null) {
      group.positional.push(entity);
      group.ordered ||= entity.ordered;
      continue;
    }
    let identity = entity.identity;
    for (let n = 2; group.keyed.has(identity); n++) identity = `${entity.identity} (${n})`;
    group.keyed.set(identity, identity === entity.identity ? entity : { ...entity, identity });
  }
  return groups;
}

function diffKeyed(
  path: string,
  before: ReadonlyMap<string, ConfigEntity>,
  after: ReadonlyMap<string, ConfigEntity>,
  out: StructuredChange[],
): void {
  const gone = [...before.values()].filter((e) => !after.has(e.identity!));
  for (const entity of after.values()) {
    const identity = entity.identity!;
    const old = before.get(identity) ?? takeRenamed(gone, entity);
    if (old === undefined) out.push(added(path, identity, subject(path, identity), entity));
    else if (old.identity !== identity) {
      out.push(modified(path, identity, old, entity, `${subject(path, old.identity!)} renamed to ${identity}`));
    } else if (!sameAttributes(old.attributes, entity.attributes)) {
      out.push(modified(path, identity, old, entity, subject(path, identity)));
    }
  }
  for (const entity of gone) out.push(removed(path, entity.identity!, subject(path, entity.identity!), entity));
}

/** Removes from `gone` and returns the item `entity` was renamed from, if exactly one fits. */
function takeRenamed(gone: ConfigEntity[], entity: ConfigEntity): ConfigEntity | undefined {
  const keys = entity.identityAttributes;
  if (keys.length === 0) return undefined;
  const rest = (e: ConfigEntity) => Object.entries(e.attributes).filter(([name]) => !keys.includes(name));
  const mine = rest(entity);
  if (mine.length === 0) return undefined;
  const fits = gone.filter(
    (old) =>
      old.identityAttributes.join() === keys.join() &&
      sameAttributes(Object.fromEntries(rest(old)), Object.fromEntries(mine)),
  );
  if (fits.length !== 1) return undefined;
  gone.splice(gone.indexOf(fits[0]!), 1);
  return fits[0];
}

function diffPositional(
  path: string,
  before: readonly ConfigEntity[],
  after: readonly ConfigEntity[],
  ordered: boolean,
  out: StructuredChange[],
): void {
  for (const match of matchPositional(before, after, ordered)) {
    switch (match.kind) {
      case "added":
        out.push(added(path, position(match.after), placedSubject(match.after), match.after.entity));
        break;
      case "removed":
        out.push(removed(path, position(match.before), placedSubject(match.before), match.before.entity));
        break;
      case "modified":
        out.push(
          modified(path, position(match.after), match.before.entity, match.after.entity, placedSubject(match.after)),
        );
        break;
      case "moved":
        out.push({
          kind: "moved",
          path,
          identity: position(match.after),
          summary: oneLine(`${placedSubject(match.after)}: moved from ${position(match.before)}`),
          before: match.before.entity.shown,
          after: match.after.entity.shown,
          secretChanged: false,
        });
        break;
    }
  }
}

const position = (placed: Placed): string => `#${placed.index + 1}`;

function placedSubject(placed: Placed): string {
  const label = placed.entity.label;
  return label === "" ? position(placed) : `${position(placed)} ${label}`;
}

function subject(path: string, identity: string): string {
  return identity === "" ? path : identity;
}

function added(path: string, identity: string, subject: string, entity: ConfigEntity): StructuredChange {
  const summary = oneLine(`${subject}: added ${describeAttributes(entity.shown)}`.trimEnd());
  return { kind: "added", path, identity, summary, before: null, after: entity.shown, secretChanged: false };
}

function removed(path: string, identity: string, subject: string, entity: ConfigEntity): StructuredChange {
  return {
    kind: "removed",
    path,
    identity,
    summary: oneLine(`${subject}: removed`),
    before: entity.shown,
    after: null,
    secretChanged: false,
  };
}

/** A `modified` change; `heading` is the summary's start (`ether1`, or `a renamed to b` alone). */
function modified(
  path: string,
  identity: string,
  old: ConfigEntity,
  now: ConfigEntity,
  heading: string,
): StructuredChange {
  const what =
    old.identity !== null && old.identity !== identity
      ? ""
      : describeModification(
          { before: old.attributes, after: now.attributes },
          { before: old.shown, after: now.shown },
        );
  return {
    kind: "modified",
    path,
    identity,
    summary: oneLine(what === "" ? heading : `${heading}: ${what}`),
    before: old.shown,
    after: now.shown,
    secretChanged: secretDiffers(old, now),
  };
}

/** Whether an attribute whose value changed is (partly) redacted on either side. */
function secretDiffers(old: ConfigEntity, now: ConfigEntity): boolean {
  const names = new Set([...Object.keys(old.attributes), ...Object.keys(now.attributes)]);
  for (const name of names) {
    const was = old.attributes[name];
    const is = now.attributes[name];
    if (was === is) continue;
    if (old.shown[name] !== was || now.shown[name] !== is) return true;
  }
  return false;
}

function sameAttributes(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => Object.hasOwn(b, key) && a[key] === b[key]);
}
