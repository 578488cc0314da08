import type { SimDevice } from "./types.js";

/** The inventory header other tools import; the column order is part of the contract. */
export const INVENTORY_HEADER = "name,host,port,username,password,model";

function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180 CSV of the fleet: one row per device under {@link INVENTORY_HEADER}. */
export function inventoryCsv(devices: readonly SimDevice[]): string {
  const rows = devices.map((d) => [d.name, d.host, d.port, d.username, d.password, d.model].map(csvField).join(","));
  return `${[INVENTORY_HEADER, ...rows].join("\n")}\n`;
}

/** OpenSSH known_hosts host pattern: `[host]:port`, or the bare host on port 22. */
export function knownHostsPattern(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** One known_hosts line per device with its current host key. */
export function knownHostsText(devices: readonly SimDevice[]): string {
  return devices.map((d) => `${knownHostsPattern(d.host, d.port)} ${d.hostPublicKey}\n`).join("");
}
