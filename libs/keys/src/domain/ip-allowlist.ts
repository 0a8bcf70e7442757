import ipaddr from 'ipaddr.js';

/**
 * Why `entry` is not an allowlist entry, or null when it is: a dotted-quad IPv4 address, an IPv6
 * address, or a CIDR of either whose prefix fits the address family.
 */
export function ipAllowlistEntryProblem(entry: unknown): string | null {
  if (typeof entry !== 'string' || entry.length === 0 || entry.length > 64) return 'must be an IPv4 or IPv6 address or CIDR';
  const [address, prefix, ...rest] = entry.split('/');
  if (rest.length > 0) return 'must be an IPv4 or IPv6 address or CIDR';
  const isV4 = ipaddr.IPv4.isValidFourPartDecimal(address);
  const isV6 = !isV4 && ipaddr.IPv6.isValid(address) && !address.includes('%');
  if (!isV4 && !isV6) return 'must be an IPv4 address in dotted-quad form or an IPv6 address';
  if (prefix !== undefined) {
    const max = isV4 ? 32 : 128;
    if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) return `has a CIDR prefix that is not 0..${max}`;
  }
  return null;
}

/** True when `ip` falls within one of the entries (callers pass entries that passed the check above). */
export function ipAllowed(entries: readonly string[], ip: string): boolean {
  if (!ipaddr.isValid(ip)) return false;
  const address = ipaddr.process(ip);
  return entries.some((entry) => {
    const [range, bits] = entry.includes('/') ? ipaddr.parseCIDR(entry) : [ipaddr.process(entry), undefined];
    const normalised =
      range.kind() === 'ipv6' && (range as ipaddr.IPv6).isIPv4MappedAddress() ? (range as ipaddr.IPv6).toIPv4Address() : range;
    if (normalised.kind() !== address.kind()) return false;
    const prefix = bits ?? (address.kind() === 'ipv4' ? 32 : 128);
    return address.match(normalised, normalised === range ? prefix : Math.max(0, prefix - 96));
  });
}
