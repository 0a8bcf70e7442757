// Fastify plugin: routes that name their requirements in `config.keyward` (or every route, with
// `requireKey: true`) are verified in an onRequest hook; the principal is `request.keyward`
// (docs/sdk.md, "Fastify").
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import {
  checkRequest,
  mergeRequirements,
  settleDenial,
  type KeywardHttpOptions,
  type KeywardPrincipal,
  type KeywardRequirements,
} from './http';

export * from './http';

export interface KeywardFastifyOptions extends Omit<KeywardHttpOptions<FastifyRequest>, keyof KeywardRequirements> {
  /** Protect every route, also those without `config.keyward` (a route opts out with `config: { keyward: false }`). Default false. */
  requireKey?: boolean;
  /** Requirements every protected route has, before its own. */
  defaults?: KeywardRequirements;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified caller, on routes the Keyward plugin protects. */
    keyward?: KeywardPrincipal | null;
  }
  interface FastifyContextConfig {
    /** What the route needs from the caller's key; `false` leaves it unprotected. */
    keyward?: KeywardRequirements | false;
  }
}

/** `await app.register(keywardPlugin, { verifier })`, then `app.get('/orders', { config: { keyward: { scopes: ['orders:read'] } } }, handler)`. */
const keywardPlugin: FastifyPluginAsync<KeywardFastifyOptions> = async (app, options) => {
  const { verifier, ip, onDenied, requireKey = false, defaults } = options;
  app.decorateRequest('keyward', null);
  app.addHook('onRequest', async (request, reply) => {
    const own = request.routeOptions.config.keyward;
    if (own === false || (own === undefined && !requireKey)) return;
    const outcome = await checkRequest(verifier, request.headers, {
      ...mergeRequirements(defaults, own),
      ip: ip ? ip(request) : request.ip,
    });
    if ('principal' in outcome) {
      for (const [name, value] of Object.entries(outcome.principal.headers)) reply.header(name, value);
      request.keyward = outcome.principal;
      return;
    }
    const denial = await settleDenial(outcome.denial, request, onDenied);
    if (!denial) return;
    reply.code(denial.status);
    for (const [name, value] of Object.entries(denial.headers)) reply.header(name, value);
    reply.header('content-type', 'application/problem+json');
    return reply.send(denial.body);
  });
};

// Fastify applies the hooks of a plugin marked so to the scope that registers it (what fastify-plugin does).
Object.assign(keywardPlugin, { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: 'keyward' });

export { keywardPlugin };
export default keywardPlugin;
