// One HTTP POST of a delivery. Plain node:http(s) rather than fetch, for one reason: the
// connection must go to the addresses that were checked (delivery-target.ts), which a lookup
// function pinned per request guarantees; fetch would resolve the name again. No redirect is
// followed (node:http never does), and the whole exchange up to the status line has a deadline.
import { Injectable } from '@nestjs/common';
import * as http from 'node:http';
import * as https from 'node:https';
import { isIPv6, type LookupFunction } from 'node:net';

export interface OutgoingDelivery {
  readonly url: URL;
  /** The checked addresses of the URL's host, or null when the URL names an address itself. */
  readonly addresses: readonly string[] | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly timeoutMs: number;
}

export type SendResult =
  | { answered: true; statusCode: number }
  /** No answer: `reason` names the failure without the address or anything the receiver said. */
  | { answered: false; reason: string };

/** A lookup that answers the checked addresses, in the shape net.connect asks for. */
function pinnedLookup(addresses: readonly string[]): LookupFunction {
  return (_hostname, options, callback) => {
    const entries = addresses
      .map((address) => ({ address, family: isIPv6(address) ? 6 : 4 }))
      .filter((entry) => !options.family || entry.family === options.family);
    if (entries.length === 0) {
      callback(Object.assign(new Error('no checked address of the requested family'), { code: 'ENOTFOUND' }), '', 0);
    } else if (options.all) {
      callback(null, entries);
    } else {
      callback(null, entries[0].address, entries[0].family);
    }
  };
}

function describeFailure(error: NodeJS.ErrnoException, timedOut: boolean, timeoutMs: number): string {
  if (timedOut) return `timed out after ${timeoutMs / 1000} s`;
  // The code alone: the message may hold the address connected to (the server's own network).
  return `connection failed (${typeof error.code === 'string' ? error.code : 'unknown error'})`;
}

@Injectable()
export class WebhookSender {
  post(delivery: OutgoingDelivery): Promise<SendResult> {
    const { url } = delivery;
    const transport = url.protocol === 'https:' ? https : http;
    const signal = AbortSignal.timeout(delivery.timeoutMs);
    return new Promise<SendResult>((resolve) => {
      const request = transport.request(
        {
          method: 'POST',
          protocol: url.protocol,
          hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
          port: url.port === '' ? undefined : Number(url.port),
          path: `${url.pathname}${url.search}`,
          headers: { ...delivery.headers, 'content-length': String(Buffer.byteLength(delivery.body, 'utf8')) },
          // A fresh connection every time: no socket is shared between tenants' receivers.
          agent: false,
          lookup: delivery.addresses ? pinnedLookup(delivery.addresses) : undefined,
          signal,
        },
        (response) => {
          resolve({ answered: true, statusCode: response.statusCode ?? 0 });
          // Only the status matters; the receiver's body is neither read nor kept.
          response.destroy();
        },
      );
      request.on('error', (error: NodeJS.ErrnoException) => resolve({ answered: false, reason: describeFailure(error, signal.aborted, delivery.timeoutMs) }));
      request.end(delivery.body);
    });
  }
}
