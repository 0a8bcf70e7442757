// Express (and plain Node http) middleware: verifies the request's key with the route's
// requirements, exposes the principal as `req.keyward`, and answers refusals itself
// (docs/sdk.md, "Express").
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkRequest, settleDenial, type KeywardDenial, type KeywardHttpOptions, type KeywardPrincipal } from './http';

export * from './http';

declare global {
  // Express's own Request type (from @types/express), where an app has it: `req.keyward` is typed there too.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The verified caller, on routes behind keyward(). */
      keyward?: KeywardPrincipal;
    }
  }
}

/** The request as the middleware sees it: Node's, with Express's `ip` when there is one. */
export type KeywardExpressRequest = IncomingMessage & { ip?: string; keyward?: KeywardPrincipal };

type Next = (error?: unknown) => void;

function send(response: ServerResponse, denial: KeywardDenial): void {
  const body = JSON.stringify(denial.body);
  response.statusCode = denial.status;
  for (const [name, value] of Object.entries(denial.headers)) response.setHeader(name, value);
  response.setHeader('content-type', 'application/problem+json');
  response.setHeader('content-length', Buffer.byteLength(body));
  response.end(body);
}

/**
 * `app.get('/orders', keyward({ verifier, scopes: ['orders:read'] }), handler)`: the handler runs
 * only for a VALID key, with the principal at `req.keyward` (or `principalOf(req)`).
 */
export function keyward(options: KeywardHttpOptions<KeywardExpressRequest>) {
  const { verifier, ip, onDenied, ...requirements } = options;
  return (request: KeywardExpressRequest, response: ServerResponse, next: Next): void => {
    const address = ip ? ip(request) : (request.ip ?? request.socket?.remoteAddress);
    checkRequest(verifier, request.headers, { ...requirements, ip: address })
      .then(async (outcome) => {
        if ('principal' in outcome) {
          for (const [name, value] of Object.entries(outcome.principal.headers)) response.setHeader(name, value);
          request.keyward = outcome.principal;
          return next();
        }
        const denial = await settleDenial(outcome.denial, request, onDenied);
        if (denial) send(response, denial);
        else next();
      })
      .catch(next);
  };
}

/** The principal `keyward()` put on the request, or throws when the route is not protected by it. */
export function principalOf(request: IncomingMessage): KeywardPrincipal {
  const principal = (request as KeywardExpressRequest).keyward;
  if (!principal) throw new Error('No Keyward principal on this request: is the route protected by keyward()?');
  return principal;
}
