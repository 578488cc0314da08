/**
 * RouterOS attributes whose values are credentials or keys, wherever they appear (`show-sensitive`
 * exports print them in clear). Over-inclusion only hides a value from diffs; omission leaks it.
 */
export const ROUTEROS_SECRET_ATTRIBUTES: readonly string[] = [
  "auth-key",
  "authentication-key",
  "authentication-password",
  "eap-password",
  "encryption-password",
  "export-passphrase",
  "ipsec-secret",
  "management-protection-key",
  "mschapv2-password",
  "nv2-preshared-key",
  "nv2-sync-secret",
  "passphrase",
  "password",
  "preshared-key",
  "private-key",
  "private-passphrase",
  "private-pre-shared-key",
  "secret",
  "secrets",
  "shared-secret",
  "sim-pin",
  "static-key-0",
  "static-key-1",
  "static-key-2",
  "static-key-3",
  "static-sta-private-key",
  "tcp-md5-key",
  "trap-community",
  "wpa-pre-shared-key",
  "wpa2-pre-shared-key",
];

/** An attribute that is a secret only in one menu, where its generic name holds a credential. */
export interface ScopedSecret {
  /** Menu path as the export writes it, e.g. `/snmp community`. */
  readonly menu: string;
  readonly attribute: string;
}

export const ROUTEROS_SCOPED_SECRETS: readonly ScopedSecret[] = [
  { menu: "/snmp community", attribute: "name" },
  { menu: "/system ntp key", attribute: "key" },
  { menu: "/lcd pin", attribute: "pin-number" },
];
