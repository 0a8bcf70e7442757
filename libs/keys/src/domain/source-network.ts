import ipaddr from 'ipaddr.js';

/**
 * The network a verification came from, as key.new_source tells networks apart (docs/api.md, Usage
 * signals): an IPv4 address's /24, an IPv6 address's /48 (an IPv4-mapped IPv6 address counts as its
 * IPv4 address), in CIDR notation; null for anything that is not an address.
 */
export function sourceNetworkOf(ip: string): string | null {
  // Dotted quads only: ipaddr.js would also take inet_aton's shorter forms ('10.1').
  const isV4 = ipaddr.IPv4.isValidFourPartDecimal(ip);
  if (!isV4 && (!ipaddr.IPv6.isValid(ip) || ip.includes('%'))) return null;
  const address = ipaddr.process(ip);
  if (address.kind() === 'ipv4') {
    const [a, b, c] = (address as ipaddr.IPv4).octets;
    return `${a}.${b}.${c}.0/24`;
  }
  const [a, b, c] = (address as ipaddr.IPv6).parts;
  return `${new ipaddr.IPv6([a, b, c, 0, 0, 0, 0, 0]).toString()}/48`;
}

/** The percent of a window a limit's `remaining` leaves used (0 to 100, rounded down). */
export function percentOfLimitUsed(limit: number, remaining: number): number {
  if (limit <= 0) return 100;
  return Math.max(0, Math.min(100, Math.floor(((limit - remaining) * 100) / limit)));
}
