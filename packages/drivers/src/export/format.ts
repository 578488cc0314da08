/**
 * How one device family lays out its configuration export. Pure data: the generic completeness
 * check and normalization in this folder read it, so a new family is a new value, not new code.
 */
export interface ExportFormat {
  /**
   * Matches the line that identifies an export (RouterOS: `# ... by RouterOS 7.16.1`). It must
   * appear before the first section line; the named group `version` captures the software version.
   */
  readonly header: RegExp;
  /** Rewrites of header-area lines (before the first section) that change on every run: the export time. */
  readonly volatileHeader: readonly TextRewrite[];
  /**
   * Whole logical lines dropped wherever they appear: transient status notes the device prints
   * between config lines (an interface "not ready"), which would otherwise make every run a new version.
   */
  readonly volatileLines: readonly RegExp[];
  /** A logical line that opens a configuration section; a complete export has at least one. */
  readonly section: RegExp;
  /** How long lines are wrapped into physical lines; null when the family never wraps. */
  readonly continuation: ContinuationRule | null;
  /** String literal syntax, so that an export cut inside a quoted value is caught; null if none. */
  readonly stringLiteral: StringLiteralRule | null;
  /** Lines (tested one by one on stdout and stderr) the device prints when it rejects a command. */
  readonly errorLines: readonly RegExp[];
  /** A physical line longer than this many characters means the output is not an export. */
  readonly maxLineLength: number;
  /**
   * The device ends every export with a line end. When true, output whose last byte is not LF or
   * CR is EXPORT_TRUNCATED, even with exit status 0: it catches a cut at an arbitrary byte that
   * happens to leave a syntactically complete last line (`add address=192.0.2`). Files stored by
   * other tools may have lost their final line end; SSH output from the device never has.
   */
  readonly finalLineEnd?: boolean;
  /**
   * The header is the export's first line: anything before it is text the device printed ahead of
   * the export (a banner, a notice) and is dropped by normalization. False for families whose
   * header-area lines may precede the line `header` matches.
   */
  readonly headerFirst?: boolean;
}

/** `line.replace(pattern, replacement)`; `pattern` must not carry the `g` or `y` flag. */
export interface TextRewrite {
  readonly pattern: RegExp;
  readonly replacement: string;
}

/**
 * A physical line ending in an odd-length run of `marker` continues on the next line, which
 * starts with `indent` (an even run is escaped markers inside a string, not a continuation).
 */
export interface ContinuationRule {
  /** One character, e.g. `\`. */
  readonly marker: string;
  /** Indentation the device adds to every continued line, removed when joining, e.g. four spaces. */
  readonly indent: string;
}

/** A string literal runs from `quote` to the next `quote` not escaped by `escape`. Both one character. */
export interface StringLiteralRule {
  readonly quote: string;
  readonly escape: string;
}
