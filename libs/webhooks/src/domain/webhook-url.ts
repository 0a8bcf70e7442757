// What a webhook URL must be (docs/api.md, Webhooks): https (or http where allowed), no credentials,
// and no address a tenant should not make the server call (loopback, private networks, cloud
// metadata at 169.254.169.254, ...) unless the deployment allows private addresses. Name
// resolution is passed in, so these rules run without a network in unit tests.
import { ValidationFailedError } from '@keyward/platform';
import ipaddr from 'ipaddr.js';

export const WEBHOOK_URL_MAX_LENGTH = 2048;

export interface WebhookUrlPolicy {
  /** KEYWARD_WEBHOOK_ALLOW_HTTP: http: is accepted besides https:. */
  readonly allowHttp: boolean;
  /** KEYWARD_WEBHOOK_ALLOW_PRIVATE: addresses outside the public internet are accepted. */
  readonly allowPrivate: boolean;
}

/**
 * Every address a host name resolves to; an empty list when it resolves to none (unknown name,
 * lookup failure or time-out). A rejection is a fault of the resolver itself, not an answer.
 */
export type AddressResolver = (hostname: string) => Promise<string[]>;

/** How each non-public range is named in an error message. */
const RANGE_LABELS: Readonly<Record<string, string>> = {
  loopback: 'loopback',
  private: 'private',
  linkLocal: 'link-local',
  uniqueLocal: 'unique-local',
  unspecified: 'unspecified',
  carrierGradeNat: 'carrier-grade NAT',
  multicast: 'multicast',
  broadcast: 'broadcast',
};

/** IANA's global unicast space: an IPv6 address outside it is reserved, whatever ipaddr.js calls it. */
const GLOBAL_UNICAST_IPV6 = ipaddr.parseCIDR('2000::/3');

function refuse(message: string): never {
  throw new ValidationFailedError([{ field: 'url', message }]);
}

/**
 * The kind of address this is when it is not a public unicast one, else null. Deny by default:
 * anything ipaddr.js does not call plain unicast (documentation, benchmarking, 6to4, Teredo,
 * NAT64 ranges that embed IPv4 addresses, ...) is refused too.
 */
export function nonPublicRangeOf(address: string): string | null {
  if (!ipaddr.isValid(address)) return 'unrecognised';
  // process() turns an IPv4-mapped IPv6 address (::ffff:127.0.0.1) into the IPv4 address it is.
  const parsed = ipaddr.process(address);
  const range = parsed.range();
  if (range !== 'unicast') return RANGE_LABELS[range] ?? 'reserved';
  if (parsed.kind() === 'ipv6' && !parsed.match(GLOBAL_UNICAST_IPV6)) return 'reserved';
  return null;
}

/** The host as an IP address when the URL names one literally (the URL parser has normalised it). */
function literalAddressOf(hostname: string): string | null {
  if (hostname.startsWith('[') && hostname.endsWith(']')) return hostname.slice(1, -1);
  return ipaddr.IPv4.isValidFourPartDecimal(hostname) ? hostname : null;
}

/**
 * Checks a webhook URL against the policy and returns it parsed; throws ValidationFailedError
 * naming `url` when it is refused. A host that resolves to no address is refused whatever the
 * policy: nothing could ever be delivered to it.
 */
export async function checkWebhookUrl(raw: string, policy: WebhookUrlPolicy, resolve: AddressResolver): Promise<URL> {
  if (raw.length > WEBHOOK_URL_MAX_LENGTH) refuse(`must be at most ${WEBHOOK_URL_MAX_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    refuse('must be an absolute URL');
  }
  const allowedProtocols = policy.allowHttp ? ['https:', 'http:'] : ['https:'];
  if (!allowedProtocols.includes(url.protocol)) refuse(policy.allowHttp ? 'must use https or http' : 'must use https');
  if (url.username !== '' || url.password !== '') refuse('must not contain credentials');
  if (url.hostname === '') refuse('must name a host');
  // Port 0 is no port a receiver can listen on (the URL parser keeps it: it is not a default port).
  if (url.port === '0') refuse('must not use port 0');
  if (url.href.length > WEBHOOK_URL_MAX_LENGTH) refuse(`must be at most ${WEBHOOK_URL_MAX_LENGTH} characters`);

  const literal = literalAddressOf(url.hostname);
  const addresses = literal ? [literal] : await resolve(url.hostname);
  if (addresses.length === 0) refuse('does not resolve');
  if (policy.allowPrivate) return url;
  for (const address of addresses) {
    const range = nonPublicRangeOf(address);
    // The address itself is not echoed: it may describe the server's own network.
    if (range) refuse(`must not resolve to a non-public address (${range})`);
  }
  return url;
}
