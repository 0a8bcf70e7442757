// The three gateways of docs/gateways.md in front of a test service, each as one `send`: the client's
// request in, what the client got and what the service behind got (null: the request never reached
// it) out. nginx is the real one (support/nginx.ts) in front of a real service; Envoy and Traefik
// are not on the machine, so their side is played from the very files the doc quotes
// (docker/envoy/envoy.yaml, docker/traefik/dynamic.yaml) and their documented behaviour: the
// request each sends to /v1/forward-auth is shaped exactly as theirs, and the answer is applied
// the way each applies it.
import { CORE_SCHEMA, load } from 'js-yaml';
import { readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export type Headers = Record<string, string>;

export interface ClientRequest {
  method: string;
  path: string;
  headers: Headers;
}

export interface GatewayAnswer {
  status: number;
  /** The answer's headers, names in lower case. */
  headers: Headers;
  /** The headers of the request the service behind received, names in lower case; null when it received none. */
  upstream: Headers | null;
}

export interface Gateway {
  name: string;
  send(request: ClientRequest): Promise<GatewayAnswer>;
}

/** The verifier credential the configuration files hold as a placeholder, replaced by the test's. */
export const CREDENTIAL_PLACEHOLDER = 'kwc_your_verifier_credential';
/** The verify service's address in the Envoy and Traefik files. */
const VERIFY_ADDRESS = 'http://verify:3001';
const DOCKER = join(__dirname, '../../docker');

function lowerCased(headers: IncomingHttpHeaders | Headers): Headers {
  const result: Headers = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) result[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return result;
}

/** One HTTP request, its headers exactly as given (fetch would add and drop some). */
export function rawRequest(
  baseUrl: string,
  method: string,
  path: string,
  headers: Headers,
): Promise<{ status: number; headers: Headers; body: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(baseUrl);
    const sent = httpRequest({ host: url.hostname, port: url.port, method, path, headers, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: lowerCased(response.headers), body }));
    });
    sent.on('error', reject);
    sent.end();
  });
}

/** The service behind the gateway: answers 200 to anything and keeps the headers of each request. */
export async function startRecordingService(): Promise<{ port: number; received: Headers[]; close(): Promise<void> }> {
  const received: Headers[] = [];
  const server: Server = createServer((request, response) => {
    received.push(lowerCased(request.headers));
    request.resume();
    response.writeHead(200, { 'content-type': 'text/plain' }).end('from the service');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** nginx, real, in front of `service`: what the service received during this request is its upstream. */
export function nginxGateway(nginxUrl: string, service: { received: Headers[] }): Gateway {
  return {
    name: 'nginx',
    async send({ method, path, headers }) {
      const before = service.received.length;
      const answer = await rawRequest(nginxUrl, method, path, headers);
      const reached = service.received.slice(before);
      if (reached.length > 1) throw new Error(`one request reached the service ${reached.length} times`);
      return { status: answer.status, headers: answer.headers, upstream: reached[0] ?? null };
    },
  };
}

function readYaml(file: string): any {
  return load(readFileSync(join(DOCKER, file), 'utf8'), { schema: CORE_SCHEMA });
}

const exact = (patterns: Array<{ exact: string }>): string[] => patterns.map((pattern) => pattern.exact.toLowerCase());

/** The value of `name` in `headers`, `value` placed there; the placeholder credential becomes `credential`. */
function withCredential(value: string, credential: string): string {
  return value === CREDENTIAL_PLACEHOLDER ? credential : value;
}

interface EnvoyFilter {
  name: string;
  typed_config: any;
}

/**
 * Envoy's HTTP filters from docker/envoy/envoy.yaml, in their order. The HTTP connection manager
 * (use_remote_address) has already appended the client's address to X-Forwarded-For. header_mutation
 * applies its request_mutations (an append's value may be %DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%).
 * ext_authz's HTTP service sends the check with the client's method, path_prefix + the client's path
 * (its query included), Host, Authorization, Content-Length 0 and the allowed_headers, plus
 * headers_to_add. A 200 lets the request on with allowed_upstream_headers copied from the answer
 * and x-envoy-auth-headers-to-remove removed; any other answer goes to the client with its status
 * and the allowed_client_headers.
 */
export function envoyGateway(verifyUrl: string, credential: string): Gateway {
  const config = readYaml('envoy/envoy.yaml');
  const manager = config.static_resources.listeners[0].filter_chains[0].filters[0].typed_config;
  const filters: EnvoyFilter[] = manager.http_filters;
  const peer = '127.0.0.1';
  const formatted = (value: string) => value.replaceAll('%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%', peer);
  return {
    name: 'Envoy',
    async send({ method, path, headers }) {
      const client = lowerCased(headers);
      if (manager.use_remote_address)
        client['x-forwarded-for'] = client['x-forwarded-for'] ? `${client['x-forwarded-for']}, ${peer}` : peer;
      for (const filter of filters) {
        if (filter.name === 'envoy.filters.http.header_mutation') {
          for (const mutation of filter.typed_config.mutations.request_mutations) {
            if (mutation.remove) delete client[mutation.remove.toLowerCase()];
            else if (mutation.append.append_action !== 'OVERWRITE_IF_EXISTS_OR_ADD')
              throw new Error('only OVERWRITE_IF_EXISTS_OR_ADD is played here');
            else client[mutation.append.header.key.toLowerCase()] = formatted(mutation.append.header.value);
          }
        } else if (filter.name === 'envoy.filters.http.ext_authz') {
          const service = filter.typed_config.http_service;
          if (service.server_uri.uri !== VERIFY_ADDRESS) throw new Error(`envoy.yaml's server_uri must be ${VERIFY_ADDRESS}`);
          const check: Headers = { host: client.host ?? 'service.example', 'content-length': '0' };
          if (client.authorization !== undefined) check.authorization = client.authorization;
          for (const name of exact(service.authorization_request.allowed_headers.patterns))
            if (client[name] !== undefined) check[name] = client[name];
          for (const { key, value } of service.authorization_request.headers_to_add as Array<{ key: string; value: string }>)
            check[key.toLowerCase()] = withCredential(value, credential);
          const answer = await rawRequest(verifyUrl, method, `${service.path_prefix}${path}`, check);
          if (answer.status !== 200) {
            const toClient: Headers = {};
            for (const name of exact(service.authorization_response.allowed_client_headers.patterns))
              if (answer.headers[name] !== undefined) toClient[name] = answer.headers[name];
            return { status: answer.status, headers: toClient, upstream: null };
          }
          for (const name of exact(service.authorization_response.allowed_upstream_headers.patterns))
            if (answer.headers[name] !== undefined) client[name] = answer.headers[name];
          for (const name of (answer.headers['x-envoy-auth-headers-to-remove'] ?? '').split(',')) delete client[name.trim().toLowerCase()];
        } else if (filter.name !== 'envoy.filters.http.router')
          throw new Error(`envoy.yaml has a filter this test does not play: ${filter.name}`);
      }
      return { status: 200, headers: {}, upstream: client };
    },
  };
}

interface TraefikMiddleware {
  headers?: { customRequestHeaders: Headers };
  forwardAuth?: { address: string; authRequestHeaders: string[]; authResponseHeaders: string[] };
}

/**
 * Traefik's routers and middlewares, from docker/traefik/dynamic.yaml, in their order. A headers
 * middleware sets its customRequestHeaders (an empty value removes the header). ForwardAuth sends
 * GET to its address with the client's headers named in authRequestHeaders and Traefik's
 * X-Forwarded-Method, -Proto, -Host, -Uri and -For (the client's address: trustForwardHeader is
 * off); a 2xx lets the request on with each of authResponseHeaders removed and then copied from the
 * answer, any other answer goes to the client with its status and headers.
 */
export function traefikGateway(verifyUrl: string, credential: string): Gateway {
  const config = readYaml('traefik/dynamic.yaml').http as {
    routers: Record<string, { rule: string; middlewares: string[] }>;
    middlewares: Record<string, TraefikMiddleware>;
  };
  const routers = Object.values(config.routers);
  const prefixOf = (rule: string) => /^PathPrefix\(`(.*)`\)$/.exec(rule)![1];
  const { middlewares } = config;
  return {
    name: 'Traefik',
    async send({ method, path, headers }) {
      // The most specific rule wins: here the longest prefix.
      const router = routers
        .filter((each) => path.startsWith(prefixOf(each.rule)))
        .sort((a, b) => prefixOf(b.rule).length - prefixOf(a.rule).length)[0];
      const request = lowerCased(headers);
      for (const name of router.middlewares) {
        const middleware = middlewares[name];
        if (middleware.headers) {
          for (const [header, value] of Object.entries(middleware.headers.customRequestHeaders)) {
            if (value === '') delete request[header.toLowerCase()];
            else request[header.toLowerCase()] = withCredential(value, credential);
          }
        } else if (middleware.forwardAuth) {
          const auth = middleware.forwardAuth;
          if (!auth.address.startsWith(VERIFY_ADDRESS))
            throw new Error(`dynamic.yaml's forwardAuth address must start with ${VERIFY_ADDRESS}`);
          const sent: Headers = {};
          for (const header of auth.authRequestHeaders)
            if (request[header.toLowerCase()] !== undefined) sent[header.toLowerCase()] = request[header.toLowerCase()];
          Object.assign(sent, {
            'x-forwarded-method': method,
            'x-forwarded-proto': 'http',
            'x-forwarded-host': request.host ?? 'service.example',
            'x-forwarded-uri': path,
            'x-forwarded-for': '127.0.0.1',
          });
          const answer = await rawRequest(verifyUrl, 'GET', auth.address.slice(VERIFY_ADDRESS.length), sent);
          if (answer.status < 200 || answer.status > 299) return { status: answer.status, headers: answer.headers, upstream: null };
          for (const header of auth.authResponseHeaders) {
            delete request[header.toLowerCase()];
            if (answer.headers[header.toLowerCase()] !== undefined) request[header.toLowerCase()] = answer.headers[header.toLowerCase()];
          }
        }
      }
      return { status: 200, headers: {}, upstream: request };
    },
  };
}
