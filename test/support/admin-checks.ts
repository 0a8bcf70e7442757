// What the owners and key-model suites both check on the admin API: audit events of an action, a
// refusal that names a field, bad rateLimits and credits, and the bad bodies of POST .../credits.
import { client, type TestResponse } from './http-client';

/** The tenant's audit events matching `query` (e.g. `action=owner.created`), oldest first. */
export async function auditEvents(adminUrl: string, auditorToken: string, query: string): Promise<any[]> {
  const page = await client(adminUrl, auditorToken).get(`/v1/audit-events?${query}&limit=100`);
  if (page.status !== 200) throw new Error(`audit events: ${page.status} ${JSON.stringify(page.body)}`);
  return page.body.data;
}

/** A 400 VALIDATION_FAILED problem whose errors name `field`. */
export function expectRefused(response: TestResponse, field: string): void {
  const fields = (response.body?.errors ?? []).map((error: any) => error.field);
  expect({ status: response.status, code: response.body?.code, fields }).toEqual({
    status: 400,
    code: 'VALIDATION_FAILED',
    fields: expect.arrayContaining([field]),
  });
  expect(response.headers.get('content-type')).toContain('application/problem+json');
}

/** Bodies of POST .../credits, each refused naming the field. */
export const BAD_CREDIT_CHANGES: Array<[label: string, body: unknown, field: string]> = [
  ['an unknown op', { op: 'multiply', amount: 2 }, 'op'],
  ['an op in capitals', { op: 'SET', amount: 2 }, 'op'],
  ['no op', { amount: 2 }, 'op'],
  ['a negative amount', { op: 'decrement', amount: -2 }, 'amount'],
  ['a fractional amount', { op: 'increment', amount: 2.5 }, 'amount'],
  ['an amount past 2^53', { op: 'set', amount: 2 ** 53 }, 'amount'],
  ['an amount as a string', { op: 'set', amount: '2' }, 'amount'],
  ['no amount', { op: 'increment' }, 'amount'],
  ['an unknown field', { op: 'set', amount: 2, note: 'x' }, 'note'],
];

/** A named limit as a resource shows it: fixed, always applied. */
export const fixed = (name: string, limit: number, windowSeconds: number) => ({
  name,
  limit,
  windowSeconds,
  algorithm: 'fixed',
  apply: 'always',
});

/** rateLimits and credits as keys and owners take them: each body refused naming the field. */
export const BAD_LIMITS_AND_CREDITS: Array<[label: string, body: Record<string, unknown>, field: string]> = [
  ['rateLimits that is an object', { rateLimits: fixed('a', 1, 1) }, 'rateLimits'],
  ['rateLimits null', { rateLimits: null }, 'rateLimits'],
  ['11 rate limits', { rateLimits: Array.from({ length: 11 }, (_, i) => fixed(`l${i}`, 1, 1)) }, 'rateLimits'],
  ['a limit that is a string', { rateLimits: ['key'] }, 'rateLimits[0]'],
  ['a limit name with an uppercase letter', { rateLimits: [fixed('a', 1, 1), fixed('Burst', 1, 1)] }, 'rateLimits[1].name'],
  ['a limit name of 33 characters', { rateLimits: [fixed('n'.repeat(33), 1, 1)] }, 'rateLimits[0].name'],
  ['an empty limit name', { rateLimits: [fixed('', 1, 1)] }, 'rateLimits[0].name'],
  ['a limit without a name', { rateLimits: [{ limit: 1, windowSeconds: 1 }] }, 'rateLimits[0].name'],
  ['a repeated limit name', { rateLimits: [fixed('a', 1, 1), fixed('b', 1, 1), fixed('a', 2, 2)] }, 'rateLimits[2].name'],
  ['a limit of 0', { rateLimits: [fixed('a', 0, 1)] }, 'rateLimits[0].limit'],
  ['a fractional limit', { rateLimits: [fixed('a', 1.5, 1)] }, 'rateLimits[0].limit'],
  ['a limit over 1e9', { rateLimits: [fixed('a', 1_000_000_001, 1)] }, 'rateLimits[0].limit'],
  ['a sliding limit over 10,000', { rateLimits: [{ ...fixed('a', 10_001, 1), algorithm: 'sliding' }] }, 'rateLimits[0].limit'],
  ['windowSeconds 0', { rateLimits: [fixed('a', 1, 0)] }, 'rateLimits[0].windowSeconds'],
  ['windowSeconds over a year', { rateLimits: [fixed('a', 1, 31_536_001)] }, 'rateLimits[0].windowSeconds'],
  ['windowSeconds as a string', { rateLimits: [{ ...fixed('a', 1, 1), windowSeconds: '60' }] }, 'rateLimits[0].windowSeconds'],
  ['an unknown algorithm', { rateLimits: [{ ...fixed('a', 1, 1), algorithm: 'leaky' }] }, 'rateLimits[0].algorithm'],
  ['an unknown apply', { rateLimits: [{ ...fixed('a', 1, 1), apply: 'sometimes' }] }, 'rateLimits[0].apply'],
  ['an unknown field in a limit', { rateLimits: [{ ...fixed('a', 1, 1), burst: 2 }] }, 'rateLimits[0].burst'],
  ['credits that is a number', { credits: 5 }, 'credits'],
  ['credits that is an array', { credits: [{ remaining: 5 }] }, 'credits'],
  ['credits without remaining', { credits: { refill: { interval: 'daily', amount: 1 } } }, 'credits.remaining'],
  ['negative credits', { credits: { remaining: -1 } }, 'credits.remaining'],
  ['credits as a string', { credits: { remaining: '5' } }, 'credits.remaining'],
  ['credits past 2^53', { credits: { remaining: 2 ** 53 } }, 'credits.remaining'],
  ['a refill that is a string', { credits: { remaining: 1, refill: 'daily' } }, 'credits.refill'],
  ['an unknown refill interval', { credits: { remaining: 1, refill: { interval: 'hourly', amount: 1 } } }, 'credits.refill.interval'],
  ['a refill without interval', { credits: { remaining: 1, refill: { amount: 1 } } }, 'credits.refill.interval'],
  ['a refill without amount', { credits: { remaining: 1, refill: { interval: 'daily' } } }, 'credits.refill.amount'],
  ['a negative refill amount', { credits: { remaining: 1, refill: { interval: 'daily', amount: -5 } } }, 'credits.refill.amount'],
  ['a fractional refill amount', { credits: { remaining: 1, refill: { interval: 'daily', amount: 0.5 } } }, 'credits.refill.amount'],
  ['dayOfMonth 32', { credits: { remaining: 1, refill: { interval: 'monthly', amount: 1, dayOfMonth: 32 } } }, 'credits.refill.dayOfMonth'],
  ['dayOfMonth 0', { credits: { remaining: 1, refill: { interval: 'monthly', amount: 1, dayOfMonth: 0 } } }, 'credits.refill.dayOfMonth'],
  [
    'dayOfMonth on a daily refill',
    { credits: { remaining: 1, refill: { interval: 'daily', amount: 1, dayOfMonth: 1 } } },
    'credits.refill.dayOfMonth',
  ],
  [
    'an unknown field in a refill',
    { credits: { remaining: 1, refill: { interval: 'daily', amount: 1, at: '00:00' } } },
    'credits.refill.at',
  ],
  ['an unknown field in credits', { credits: { remaining: 1, ownerRemaining: 2 } }, 'credits.ownerRemaining'],
];
