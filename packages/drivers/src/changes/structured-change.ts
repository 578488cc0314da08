/** What happened to one configuration entity between two versions. */
export type ChangeKind = "added" | "removed" | "modified" | "moved";

/** Attribute values as shown to users: every secret value is the fixed redaction marker. */
export type ShownAttributes = Readonly<Record<string, string>>;

/**
 * One entity-level change between two exports, safe to store and show: `before`, `after`,
 * `identity` and `summary` come from the redacted projection only.
 *
 * @example
 * { kind: "modified", path: "/interface ethernet", identity: "ether1",
 *   summary: "ether1: mtu 1500 → 9000", before: { mtu: "1500" }, after: { mtu: "9000" }, secretChanged: false }
 */
export interface StructuredChange {
  readonly kind: ChangeKind;
  /** Menu path as the export writes it, e.g. `/ip firewall filter`. */
  readonly path: string;
  /**
   * The entity within its path: a name or natural key (`ether1`, `list=x address=10.0.0.1`), a
   * selector condition (`default=yes`), `#n` (1-based position, in the later version except for
   * `removed`) for ordered or keyless items, or `""` for a singleton menu (`/system identity`).
   */
  readonly identity: string;
  /** One line for humans, e.g. `ether1: mtu 1500 → 9000`. Never holds a secret value. */
  readonly summary: string;
  /** Redacted attributes before the change; null for `added`. */
  readonly before: ShownAttributes | null;
  /** Redacted attributes after the change; null for `removed`. */
  readonly after: ShownAttributes | null;
  /**
   * A secret value of this entity differs (found by comparing the unredacted texts in memory;
   * neither value nor any hash of it is kept). Always false for `added`, `removed` and `moved`.
   */
  readonly secretChanged: boolean;
}

/**
 * One configuration item as a device family's parser sees it: the input of `diffEntities`.
 * `attributes` hold unredacted values and must never leave the process; everything shown comes
 * from `shown`.
 */
export interface ConfigEntity {
  readonly path: string;
  /**
   * Stable identity within the path, or null for an item known only by its position and content
   * (firewall rules, keyless items), which are matched by a longest common subsequence.
   */
  readonly identity: string | null;
  /** Attributes the identity was read from (for rename detection); empty when none. */
  readonly identityAttributes: readonly string[];
  /** Whether the order of the path's positional items matters (moves are reported). */
  readonly ordered: boolean;
  /** Unredacted attribute values: for comparison only. */
  readonly attributes: Readonly<Record<string, string>>;
  /** The same attributes with every secret value redacted. */
  readonly shown: ShownAttributes;
  /** Short redacted description of a positional item (`input drop "defconf: drop invalid"`), or "". */
  readonly label: string;
}
