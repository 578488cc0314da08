import { wrapLine } from "../render/wrap.js";
import type { ConfigSection, DeviceProfile } from "./model.js";
import { Rng } from "./random.js";

/**
 * Deterministic synthetic RouterOS configurations: a realistic small-office base (bridge, VLANs,
 * DHCP, firewall, VPN users, SNMPv3, Wi-Fi keys, so every secret kind is present) grown to a
 * target size with address-list entries, DHCP leases and filter rules.
 */

const MODELS = [
  "CCR2004-1G-12S+2XS",
  "RB5009UG+S+",
  "CCR1036-8G-2S+",
  "RB4011iGS+",
  "CRS326-24G-2S+",
  "RB760iGS",
  "RBD52G-5HacD2HnD",
  "CCR2116-12G-4S+",
];
const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const PASSWORD_CHARS = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/** Model, serial and software id of a synthetic device; cheap, so fleets compute it eagerly. */
export function syntheticProfile(seed: number): DeviceProfile {
  const rng = new Rng(seed);
  return {
    model: rng.pick(MODELS),
    serial: rng.hex(12),
    softwareId: `${rng.chars(ALNUM, 4)}-${rng.chars(ALNUM, 4)}`,
  };
}

function secret(rng: Rng): string {
  return rng.chars(PASSWORD_CHARS, 16);
}

function baseSections(rng: Rng, major: 6 | 7, identity: string): ConfigSection[] {
  const wan = `203.0.113.${4 * (1 + rng.int(60)) + 2}`;
  const gw = wan.replace(/\d+$/, (d) => String(Number(d) - 1));
  const wgKey = `${rng.chars(`${ALNUM}abcdefghijklmnopqrstuvwxyz+/`, 43)}=`;
  const s = (path: string, ...lines: string[]): ConfigSection => ({ path, lines });
  const wifi =
    major === 7
      ? s(
          "/interface wifi security",
          `add authentication-types=wpa2-psk,wpa3-psk name=sec-office passphrase=${secret(rng)}`,
        )
      : s(
          "/interface wireless security-profiles",
          "set [ find default=yes ] supplicant-identity=MikroTik",
          `add authentication-types=wpa2-psk mode=dynamic-keys name=office supplicant-identity=MikroTik wpa2-pre-shared-key=${secret(rng)}`,
        );
  return [
    s("/interface bridge", `add admin-mac=${rng.mac()} auto-mac=no comment=defconf name=bridge1`),
    s(
      "/interface ethernet",
      "set [ find default-name=ether1 ] comment=uplink",
      'set [ find default-name=ether2 ] comment="office LAN"',
    ),
    ...(major === 7
      ? [s("/interface wireguard", `add listen-port=13231 mtu=1420 name=wg-mgmt private-key="${wgKey}"`)]
      : []),
    s(
      "/interface vlan",
      "add interface=bridge1 name=vlan10-users vlan-id=10",
      "add interface=bridge1 name=vlan20-voice vlan-id=20",
      "add interface=bridge1 name=vlan30-guest vlan-id=30",
    ),
    s("/interface list", "add comment=defconf name=WAN", "add comment=defconf name=LAN"),
    wifi,
    s("/ip ipsec peer", `add address=198.51.100.${1 + rng.int(250)}/32 exchange-mode=ike2 name=hq`),
    s("/ip ipsec identity", `add peer=hq secret=${secret(rng)}`),
    s(
      "/ip pool",
      "add name=pool-users ranges=10.10.0.100-10.10.3.254",
      "add name=pool-vpn ranges=10.99.0.10-10.99.0.250",
    ),
    s("/ip dhcp-server", "add address-pool=pool-users interface=vlan10-users lease-time=1d name=dhcp-users"),
    s("/ppp profile", "add local-address=10.99.0.1 name=vpn-profile remote-address=pool-vpn use-encryption=required"),
    s(
      "/snmp community",
      "set [ find default=yes ] disabled=yes",
      `add addresses=10.0.0.0/8 authentication-password=${secret(rng)} authentication-protocol=SHA1 encryption-password=${secret(rng)} encryption-protocol=AES name=monitoring security=private`,
    ),
    s("/interface bridge port", ...[2, 3, 4, 5].map((n) => `add bridge=bridge1 interface=ether${n}`)),
    s("/interface list member", "add interface=ether1 list=WAN", "add interface=bridge1 list=LAN"),
    s(
      "/ip address",
      "add address=10.10.0.1/22 interface=vlan10-users network=10.10.0.0",
      "add address=10.20.0.1/24 interface=vlan20-voice network=10.20.0.0",
      `add address=${wan}/30 comment=uplink interface=ether1 network=${wan.replace(/\d+$/, (d) => String(Number(d) - 2))}`,
    ),
    s("/ip dhcp-server lease"),
    s("/ip dhcp-server network", "add address=10.10.0.0/22 dns-server=10.10.0.1 gateway=10.10.0.1"),
    s("/ip dns", "set allow-remote-requests=yes servers=1.1.1.1,9.9.9.9"),
    s("/ip firewall address-list", "add address=10.0.0.0/8 list=mgmt"),
    s(
      "/ip firewall filter",
      'add action=accept chain=input comment="defconf: accept established,related,untracked" connection-state=established,related,untracked',
      'add action=drop chain=input comment="defconf: drop invalid" connection-state=invalid',
      'add action=accept chain=input comment="defconf: accept ICMP" protocol=icmp',
      'add action=drop chain=input comment="defconf: drop all not coming from LAN" in-interface-list=!LAN',
    ),
    s(
      "/ip firewall nat",
      'add action=masquerade chain=srcnat comment="defconf: masquerade" ipsec-policy=out,none out-interface-list=WAN',
    ),
    s(
      "/ip route",
      major === 7
        ? `add disabled=no dst-address=0.0.0.0/0 gateway=${gw} routing-table=main`
        : `add distance=1 gateway=${gw}`,
    ),
    s("/ip service", "set telnet disabled=yes", "set ftp disabled=yes", "set www disabled=yes", "set api disabled=yes"),
    s(
      "/ppp secret",
      `add name=vpn-alice password=${secret(rng)} profile=vpn-profile service=l2tp`,
      `add name=vpn-bob password=${secret(rng)} profile=vpn-profile service=l2tp`,
    ),
    s("/radius", `add address=10.0.0.5 secret=${secret(rng)} service=ppp,login`),
    s("/snmp", 'set contact=noc@example.net enabled=yes location="rack 3"'),
    s("/system clock", "set time-zone-name=Europe/Riga"),
    s("/system identity", `set name=${identity}`),
    major === 7
      ? s("/system ntp client servers", "add address=pool.ntp.org")
      : s("/system ntp client", "set enabled=yes primary-ntp=162.159.200.1"),
    s(
      "/user",
      `add group=full name=netops password=${secret(rng)}`,
      `add group=read name=monitor password=${secret(rng)}`,
    ),
  ];
}

/** Bytes one logical line adds to a compact export. */
function renderedBytes(line: string): number {
  if (line.length <= 77) return line.length + 2;
  return wrapLine(line).reduce((sum, physical) => sum + physical.length + 2, 0);
}

/** Grows the bulk sections until the export reaches about `targetBytes`. */
function fillToSize(rng: Rng, sections: ConfigSection[], targetBytes: number): void {
  const section = (path: string): ConfigSection => sections.find((s) => s.path === path)!;
  const lists = section("/ip firewall address-list").lines;
  const leases = section("/ip dhcp-server lease").lines;
  const filters = section("/ip firewall filter").lines;
  let bytes = sections.reduce(
    (sum, s) => sum + s.path.length + 2 + s.lines.reduce((n, l) => n + renderedBytes(l), 0),
    0,
  );
  for (let i = 0; bytes < targetBytes; i++) {
    let line: string;
    const kind = i % 10;
    if (kind < 5) {
      line = `add address=${10 + rng.int(200)}.${rng.int(256)}.${rng.int(256)}.${rng.int(256)} comment=blk-${i} list=blocklist-${rng.int(8)}`;
      lists.push(line);
    } else if (kind < 8) {
      const host = leases.length;
      line = `add address=10.${10 + (host >> 16)}.${(host >> 8) & 255}.${host & 255} comment="host-${host} floor ${1 + rng.int(9)}" mac-address=${rng.mac()} server=dhcp-users`;
      leases.push(line);
    } else {
      line = `add action=accept chain=forward comment="allow service ${i}" dst-address=10.${rng.int(256)}.${rng.int(256)}.${rng.int(256)} dst-port=${1 + rng.int(65535)} protocol=${rng.pick(["tcp", "udp"])} src-address-list=trusted-${rng.int(16)}`;
      filters.push(line);
    }
    bytes += renderedBytes(line);
  }
}

/** The sections of a synthetic device, identical for the same arguments. */
export function syntheticSections(seed: number, major: 6 | 7, identity: string, targetBytes: number): ConfigSection[] {
  const rng = new Rng(seed ^ 0x5eed);
  const sections = baseSections(rng, major, identity);
  fillToSize(rng, sections, targetBytes);
  return sections;
}
