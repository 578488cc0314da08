/**
 * The line that starts every RouterOS export, with or without its time:
 * `# 2024-06-19 12:09:40 by RouterOS 7.15`, `# nov/30/2026 12:00:00 by RouterOS 6.49.10`,
 * `# jun/29/2019 14:37:32 by RouterOS 6.45beta27`, and once normalized `# by RouterOS 7.16.1`.
 * Group `version` captures the version with any pre-release tag.
 */
export const ROUTEROS_HEADER = /^#(?: .*)? by RouterOS (?<version>\d+(?:\.\d+)*(?:(?:alpha|beta|rc)\d+)?)(?:\s|$)/;

/**
 * The export time in the header, in both forms RouterOS prints: `mmm/dd/yyyy hh:mm:ss` (v6 and
 * early v7) and `yyyy-mm-dd hh:mm:ss` (later v7). Replaced by `# `, keeping `by RouterOS <version>`.
 */
export const ROUTEROS_EXPORT_TIME =
  /^# (?:[a-z]{3}\/\d{2}\/\d{4}|\d{4}-\d{2}-\d{2}) \d{2}:\d{2}:\d{2} (?=by RouterOS )/i;

/**
 * Status notes RouterOS prints as comments between config lines, which come and go with the
 * device's state rather than its configuration (the same list other backup tools drop).
 */
export const ROUTEROS_STATUS_COMMENTS: readonly RegExp[] = [
  /^# inactive time$/,
  /^# received packet from \S+ bad format$/,
  /^# poe-out status: short_circuit$/,
  /^# Firmware upgraded successfully, please reboot for changes to take effect!$/,
  /^# \S+ not ready$/,
  // A CAPsMAN-managed radio's current channel, reselected by the controller at will:
  // `# channel: 2412/20/gn(17dBm), SSID: <ssid>, CAPsMAN forwarding` (or local forwarding).
  /^# channel: \d+\/.*, (?:CAPsMAN|local) forwarding$/,
];

/**
 * What RouterOS prints instead of running a command it cannot parse or execute, e.g.
 * `expected end of command (line 1 column 9)` or `failure: ...`.
 */
export const ROUTEROS_ERROR_LINES: readonly RegExp[] = [
  /^bad command name\b/,
  /^expected end of command\b/,
  /^expected command name\b/,
  /^syntax error\b/,
  /^failure:/,
  /^[a-z][\w ,'-]* \(line \d+ column \d+\)$/,
];
