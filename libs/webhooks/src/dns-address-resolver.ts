import { lookup } from 'node:dns/promises';
import type { AddressResolver } from './domain/webhook-url';

/** Injection token of the AddressResolver that webhook URL checks use. */
export const WEBHOOK_ADDRESS_RESOLVER = Symbol('WEBHOOK_ADDRESS_RESOLVER');

/** Long enough for a healthy resolver, short enough that a create request does not hang on DNS. */
const LOOKUP_TIMEOUT_MS = 3000;

/**
 * Resolves through the operating system, as the HTTP client that delivers will (getaddrinfo:
 * /etc/hosts included), every address of both families. A failure or time-out is "no address".
 */
export function createDnsAddressResolver(timeoutMs = LOOKUP_TIMEOUT_MS): AddressResolver {
  return async (hostname) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<[]>((resolve) => {
      timer = setTimeout(() => resolve([]), timeoutMs);
      timer.unref();
    });
    const resolved = lookup(hostname, { all: true, verbatim: true }).then(
      (entries) => entries.map((entry) => entry.address),
      () => [],
    );
    try {
      return await Promise.race([resolved, timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
}

/**
 * Answers the names of `hosts` (KEYWARD_WEBHOOK_HOSTS) itself and asks `resolve` about every
 * other name. Host names are compared without case, as DNS does.
 */
export function withFixedHosts(hosts: ReadonlyMap<string, readonly string[]>, resolve: AddressResolver): AddressResolver {
  if (hosts.size === 0) return resolve;
  return async (hostname) => {
    const fixed = hosts.get(hostname.toLowerCase().replace(/\.$/, ''));
    return fixed ? [...fixed] : resolve(hostname);
  };
}

/** The resolver webhook URL checks and deliveries use: fixed hosts first, then the system's DNS. */
export function createWebhookAddressResolver(config: { readonly webhookHosts: ReadonlyMap<string, readonly string[]> }): AddressResolver {
  return withFixedHosts(config.webhookHosts, createDnsAddressResolver());
}
