import type { Driver } from "@netledger/contracts";
import type { ConfigEntity } from "./changes/structured-change.js";
import type { ExportFormat } from "./export/format.js";

/**
 * Everything that makes one device family different, as data, for `defineDriver`. A new family
 * (Cisco IOS, Junos, EOS) is a new definition file; the pipeline does not change.
 */
export interface DriverDefinition {
  readonly id: Driver;
  readonly commands: CommandRules;
  readonly format: ExportFormat;
  /** Attribute names whose values are secrets wherever they appear. */
  readonly secretAttributes: readonly string[];
  /**
   * The family's redaction of a normalized export (secret syntax differs too much between
   * families to be a shared routine): pure, every secret value replaced by a fixed marker.
   */
  readonly redactSecrets: (normalizedText: string) => string;
  /**
   * The family's parser: the entities of a full (unredacted) normalized export, each with its
   * attributes and their redacted projection, for the shared entity diff. `redactedText`, when
   * given, is `redactSecrets(fullText)` already computed by the caller. `memo` is shared by the
   * two parses of one comparison: a parser may store and reuse the entity of an identical line
   * there (entities are immutable), so lines common to both versions are parsed once.
   */
  readonly parseEntities: (
    fullText: string,
    redactedText: string | undefined,
    memo: Map<string, ConfigEntity>,
  ) => readonly ConfigEntity[];
}

export interface CommandRules {
  /** Command when the software version is unknown or no rule matches. */
  readonly default: string;
  /** First rule whose release range holds the last seen version wins. */
  readonly byVersion: readonly VersionCommandRule[];
  /** Retries on the same connection when the device rejects a command as unsupported. */
  readonly fallbacks: readonly FallbackRule[];
}

/** Use `command` for versions whose release numbers are below `below` (e.g. "7": all 6.x). */
export interface VersionCommandRule {
  readonly below: string;
  readonly command: string;
}

/**
 * When `from` was run and the output has a line matching one of `rejectedWhen` (and no export
 * header), run `to` instead. Patterns should be as exact as the device's message: falling back
 * for the wrong reason can silently change what is backed up.
 */
export interface FallbackRule {
  readonly from: string;
  readonly rejectedWhen: readonly RegExp[];
  readonly to: string;
}
