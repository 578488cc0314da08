/** ssh2 1.17's default key exchange methods, in its order (curve25519 first: Node has it). */
export const MODERN_KEX: readonly string[] = [
  "curve25519-sha256",
  "curve25519-sha256@libssh.org",
  "ecdh-sha2-nistp256",
  "ecdh-sha2-nistp384",
  "ecdh-sha2-nistp521",
  "diffie-hellman-group-exchange-sha256",
  "diffie-hellman-group14-sha256",
  "diffie-hellman-group15-sha512",
  "diffie-hellman-group16-sha512",
  "diffie-hellman-group17-sha512",
  "diffie-hellman-group18-sha512",
];

/**
 * Key exchange methods older devices (RouterOS v6, older switches) still need. Offered after every
 * modern method, so a server that knows any modern one still negotiates it: the server takes the
 * first method of the client's list it supports, and both KEXINIT lists are signed into the
 * exchange hash, so nobody in the middle can strip the modern ones to force these.
 */
export const LEGACY_KEX: readonly string[] = ["diffie-hellman-group14-sha1", "diffie-hellman-group-exchange-sha1"];

/**
 * Host-key algorithms that negotiate each key type, in ssh2's preference order. An RSA key is
 * offered under three signature algorithms; every other type under its own name.
 */
export const HOST_KEY_FAMILIES: readonly (readonly string[])[] = [
  ["ssh-ed25519"],
  ["ecdsa-sha2-nistp256"],
  ["ecdsa-sha2-nistp384"],
  ["ecdsa-sha2-nistp521"],
  ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"],
];

/**
 * The order in which a device that presented an unpinned key is asked for its other key types:
 * most likely pinned first (RSA on older devices, then ECDSA P-256, ed25519).
 */
export const PROBE_ORDER: readonly (readonly string[])[] = [4, 1, 0, 2, 3].map((i) => HOST_KEY_FAMILIES[i]!);

/** The host-key algorithms that make a server present its key of type `keyType` (`ssh-rsa`, ...). */
export function hostKeyFamily(keyType: string): readonly string[] | null {
  return HOST_KEY_FAMILIES.find((family) => family.includes(keyType)) ?? null;
}

/** The subset of ssh2's `algorithms` option the collector sets (exact lists, most preferred first). */
export interface SshAlgorithms {
  readonly kex: string[];
  readonly serverHostKey: string[];
}

/**
 * Algorithm lists for one connection: legacy KEX appended when enabled; host-key algorithms
 * either exactly `onlyFamily` (probing for a pinned key of that type) or ssh2's defaults with the
 * pinned key's type moved first, so a device that also offers a newer key type still shows the
 * pinned one (as OpenSSH's client does with a known host).
 */
export function sshAlgorithms(options: {
  readonly legacyKex: boolean;
  readonly pinnedKeyType?: string | null | undefined;
  readonly onlyFamily?: readonly string[] | undefined;
}): SshAlgorithms {
  const kex = options.legacyKex ? [...MODERN_KEX, ...LEGACY_KEX] : [...MODERN_KEX];
  if (options.onlyFamily !== undefined) return { kex, serverHostKey: [...options.onlyFamily] };
  const first = (options.pinnedKeyType ? hostKeyFamily(options.pinnedKeyType) : null) ?? [];
  return { kex, serverHostKey: [...first, ...HOST_KEY_FAMILIES.flat().filter((name) => !first.includes(name))] };
}
