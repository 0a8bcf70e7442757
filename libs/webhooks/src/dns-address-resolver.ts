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
