import type { ExportFormat } from "../export/format.js";
import { ROUTEROS_ERROR_LINES, ROUTEROS_EXPORT_TIME, ROUTEROS_HEADER, ROUTEROS_STATUS_COMMENTS } from "./header.js";

/**
 * Layout of RouterOS `/export` output (standard, terse and verbose alike): a `# ... by RouterOS x`
 * header, menu sections opened by lines starting with `/`, long lines wrapped with a trailing `\`
 * and a four-space indent (also inside quoted strings), `"` strings with `\` escapes.
 */
export const ROUTEROS_FORMAT: ExportFormat = {
  header: ROUTEROS_HEADER,
  volatileHeader: [{ pattern: ROUTEROS_EXPORT_TIME, replacement: "# " }],
  volatileLines: ROUTEROS_STATUS_COMMENTS,
  section: /^\/[a-z0-9]/i,
  continuation: { marker: "\\", indent: "    " },
  stringLiteral: { quote: '"', escape: "\\" },
  errorLines: ROUTEROS_ERROR_LINES,
  // Real exports stay under a few thousand characters per line even unwrapped (terse);
  // anything far beyond is binary noise without line ends.
  maxLineLength: 65_536,
  // RouterOS ends every export it prints over SSH with CRLF.
  finalLineEnd: true,
  headerFirst: true,
};
