/**
 * What identifies an item in each RouterOS menu, as data. Menus not listed use the default keys.
 *
 * - Ordered menus: the item's position matters to the device (first matching rule wins), and items
 *   have no name, so they are matched by content and position (moves reported).
 * - Natural keys: alternatives tried in order; the first whose attributes are all present (and
 *   hold no secret) identifies the item. Anything else falls back to {@link DEFAULT_KEYS}, then to
 *   position and content.
 */
export const ORDERED_MENUS: ReadonlySet<string> = new Set([
  "/ip firewall filter",
  "/ip firewall nat",
  "/ip firewall mangle",
  "/ip firewall raw",
  "/ipv6 firewall filter",
  "/ipv6 firewall nat",
  "/ipv6 firewall mangle",
  "/ipv6 firewall raw",
  "/interface bridge filter",
  "/interface bridge nat",
  "/interface ethernet switch rule",
  "/interface wireless access-list",
  "/interface wireless connect-list",
  "/interface wifi access-list",
  "/interface wifiwave2 access-list",
  "/caps-man access-list",
  "/caps-man provisioning",
  "/interface wifi provisioning",
  "/ip hotspot walled-garden",
  "/ip hotspot walled-garden ip",
  "/ip proxy access",
  "/ip socks access",
  "/ip route rule",
  "/ip ipsec policy",
  "/routing filter",
  "/routing filter rule",
  "/routing rule",
]);

type Keys = readonly (readonly string[])[];

/** Keys of items that have no `name` of their own. */
export const NATURAL_KEYS: Readonly<Record<string, Keys>> = {
  "/ip address": [["address"]],
  "/ipv6 address": [["address"]],
  "/ip route": [["dst-address", "gateway"], ["dst-address"], ["gateway"]],
  "/ipv6 route": [["dst-address", "gateway"], ["dst-address"], ["gateway"]],
  "/ip firewall address-list": [["list", "address"]],
  "/ipv6 firewall address-list": [["list", "address"]],
  "/ip dhcp-server network": [["address"]],
  "/ip dhcp-server lease": [["mac-address"], ["client-id"], ["address"]],
  "/ip dhcp-client": [["interface"]],
  "/ipv6 dhcp-client": [["interface"]],
  "/ipv6 nd": [["interface"]],
  "/ip arp": [["address"]],
  "/ip dns static": [["name"], ["regexp"]],
  "/ip ipsec identity": [["peer"]],
  "/ip ipsec peer": [["name"], ["address"]],
  "/ip upnp interfaces": [["interface"]],
  "/ip traffic-flow target": [["dst-address"]],
  "/interface bridge port": [["bridge", "interface"]],
  "/interface bridge vlan": [["bridge", "vlan-ids"]],
  "/interface bridge host": [["mac-address"]],
  "/interface list member": [["list", "interface"]],
  "/interface ethernet switch vlan": [["vlan-id"]],
  "/interface wireguard peers": [["name"], ["public-key"]],
  "/mpls ldp interface": [["interface"]],
  "/radius": [["address"]],
  "/routing ospf interface-template": [["interfaces"], ["networks"]],
  "/system ntp client servers": [["address"]],
  "/tool netwatch": [["host"]],
  "/user ssh-keys": [["user"]],
};

/** Tried after a menu's natural keys, and for every menu not listed. */
export const DEFAULT_KEYS: Keys = [["name"], ["comment"]];
