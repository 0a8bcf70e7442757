// One HTTP POST of a delivery. Plain node:http(s) rather than fetch, for one reason: the
// connection must go to the addresses that were checked (delivery-target.ts), which a lookup
// function pinned per request guarantees; fetch would resolve the name again. No redirect is
// followed (node:http never does), and the whole exchange up to the status line has a deadline.
// With `loopbackOnly` (KEYWARD_WEBHOOK_LOOPBACK_ONLY, set in tests) every connection is checked
// where it is made, in the agent: to a loopback address, or never opened.
import { Injectable } from '@nestjs/common';
import ipaddr from 'ipaddr.js';
import { lookup as dnsLookup } from 'node:dns';
import * as http from 'node:http';
import * as https from 'node:https';
import { isIP, isIPv6, type LookupFunction, type Socket } from 'node:net';

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
  /**
   * No answer: `reason` names the failure without the address or anything the receiver said;
   * `refused` when the sender itself would not connect (see loopbackOnlyAgent).
   */
  | { answered: false; reason: string; refused?: true };

export interface WebhookSenderOptions {
  /** Connect to loopback addresses only (KEYWARD_WEBHOOK_LOOPBACK_ONLY). */
  readonly loopbackOnly: boolean;
}

const NOT_LOOPBACK = 'ERR_KEYWARD_WEBHOOK_NOT_LOOPBACK';
export const NOT_LOOPBACK_REASON = 'refused by the sender: KEYWARD_WEBHOOK_LOOPBACK_ONLY allows loopback addresses only';

function notLoopback(): NodeJS.ErrnoException {
  return Object.assign(new Error(NOT_LOOPBACK_REASON), { code: NOT_LOOPBACK });
}

/** 127.0.0.0/8, ::1 and IPv4-mapped loopback; nothing else (not even 0.0.0.0, which reaches the host). */
export function isLoopbackAddress(address: string): boolean {
  return ipaddr.isValid(address) && ipaddr.process(address).range() === 'loopback';
}

/** `inner`, but any answer with an address that is not loopback becomes an error. */
export function loopbackOnlyLookup(inner: LookupFunction): LookupFunction {
  return (hostname, options, callback) =>
    inner(hostname, options, (error, address, family) => {
      if (error) return callback(error, address, family);
      const addresses = Array.isArray(address) ? address.map((entry) => entry.address) : [address];
      if (addresses.length === 0 || !addresses.every(isLoopbackAddress)) return callback(notLoopback(), '', 0);
      callback(null, address, family);
    });
}

type CreateConnection = (options: Record<string, unknown>, callback: (error: Error | null, socket?: Socket) => void) => Socket | undefined;

/**
 * A fresh agent whose connections go to loopback addresses only. The check sits in
 * createConnection, the one place every socket of a request is made: a literal address is checked
 * there, a name through the lookup the socket resolves it with; a refused connection is never
 * opened (no packet leaves), and the request fails with NOT_LOOPBACK.
 */
export function loopbackOnlyAgent(secure: boolean): http.Agent {
  const agent = secure ? new https.Agent() : new http.Agent();
  const connectable = agent as unknown as { createConnection: CreateConnection };
  const createConnection = connectable.createConnection.bind(agent);
  connectable.createConnection = (options, callback) => {
    const host = typeof options.host === 'string' ? options.host : 'localhost';
    if (isIP(host) !== 0) {
      if (isLoopbackAddress(host)) return createConnection(options, callback);
      callback(notLoopback());
      return undefined;
    }
    const lookup = (options.lookup as LookupFunction | undefined) ?? dnsLookup;
    return createConnection({ ...options, lookup: loopbackOnlyLookup(lookup) }, callback);
  };
  return agent;
}

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
  private readonly loopbackOnly: boolean;

  constructor(options: WebhookSenderOptions = { loopbackOnly: false }) {
    this.loopbackOnly = options.loopbackOnly;
  }

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
          agent: this.loopbackOnly ? loopbackOnlyAgent(url.protocol === 'https:') : false,
          lookup: delivery.addresses ? pinnedLookup(delivery.addresses) : undefined,
          signal,
        },
        (response) => {
          resolve({ answered: true, statusCode: response.statusCode ?? 0 });
          // Only the status matters; the receiver's body is neither read nor kept.
          response.destroy();
        },
      );
      request.on('error', (error: NodeJS.ErrnoException) =>
        resolve(
          error.code === NOT_LOOPBACK
            ? { answered: false, refused: true, reason: NOT_LOOPBACK_REASON }
            : { answered: false, reason: describeFailure(error, signal.aborted, delivery.timeoutMs) },
        ),
      );
      request.end(delivery.body);
    });
  }
}
