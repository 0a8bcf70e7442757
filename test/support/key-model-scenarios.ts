// The key model's exactness (docs/api.md: Owners, Rate limits, Credits, Retries of a verification),
// run on any deployment of two verify processes (test/verify-processes.e2e-spec.ts on the machine's
// Redis, test/scale/redis-cluster.e2e-spec.ts on a Redis Cluster): limits shared by an owner's keys,
// several limits and credits charged all together or not at all, exact sliding windows, and
// retried verifications charged once.
import { randomUUID } from 'node:crypto';
import { createTenant } from './builders';
import { client, type TestResponse } from './http-client';
import { createKey } from './key-builders';
import { storedRemaining, tally, verifyOn, type VerifyFleet } from './scale-scenarios';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An owner with a limit of 60 shared by 5 keys, 600 verifications at once over keys and processes: exactly 60 VALID. */
export async function ownerLimitIsSharedExactly(fleet: VerifyFleet): Promise<void> {
  const tenant = await createTenant(fleet.adminUrl);
  const ownerId = `cus_${randomUUID().slice(0, 8)}`;
  const put = await client(fleet.adminUrl, tenant.admin).put(`/v1/owners/${ownerId}`, {
    name: 'Shared',
    rateLimits: [{ name: 'shared', limit: 60, windowSeconds: 3600 }],
  });
  expect(put.status).toBe(200);
  const keys = await Promise.all(Array.from({ length: 5 }, () => createKey(fleet.adminUrl, tenant.admin, { ownerId })));
  const answers = await Promise.all(
    Array.from({ length: 600 }, (_, i) => verifyOn(fleet.verifiers[i % 2], tenant.verifier, { key: keys[i % 5].key })),
  );
  expect(tally(answers)).toEqual({ notOk: [], codes: { VALID: 60, RATE_LIMITED: 540 } });
  const limited = answers.find((answer) => answer.body.code === 'RATE_LIMITED')!;
  expect(limited.headers.get('ratelimit-policy')).toBe('"owner-shared";q=60;w=3600');
  expect(limited.body.rateLimits).toEqual([expect.objectContaining({ name: 'shared', scope: 'owner', remaining: 0, exceeded: true })]);
}

/** The windows a VALID answer was counted in, by limit: a fixed window is named by its end. */
const windowOf = (answer: TestResponse, name: string): string =>
  answer.body.rateLimits.find((limit: { name: string }) => limit.name === name).resetAt;

/**
 * A key with limits of 10 a second and 50 a minute and 40 credits, verified in bursts over both
 * processes for about 3 seconds: no window of either limit holds more than its limit, the credits
 * end at exactly 40 minus the VALID answers, and a refused verification changes no counter.
 */
export async function severalLimitsAndCreditsAreExact(fleet: VerifyFleet): Promise<void> {
  const tenant = await createTenant(fleet.adminUrl);
  const { id, key } = await createKey(fleet.adminUrl, tenant.admin, {
    rateLimits: [
      { name: 'second', limit: 10, windowSeconds: 1 },
      { name: 'minute', limit: 50, windowSeconds: 60 },
    ],
    credits: { remaining: 40 },
  });
  const answers: TestResponse[] = [];
  for (let burst = 0; burst < 12; burst++) {
    answers.push(
      ...(await Promise.all(Array.from({ length: 15 }, (_, i) => verifyOn(fleet.verifiers[(burst + i) % 2], tenant.verifier, { key })))),
    );
    await sleep(250);
  }
  const valid = answers.filter((answer) => answer.body.code === 'VALID');
  expect(tally(answers).notOk).toEqual([]);
  const count = (name: string) =>
    valid.reduce<Record<string, number>>((windows, answer) => {
      const window = windowOf(answer, name);
      return { ...windows, [window]: (windows[window] ?? 0) + 1 };
    }, {});
  expect(Math.max(...Object.values(count('second')))).toBeLessThanOrEqual(10);
  expect(Math.max(...Object.values(count('minute')))).toBeLessThanOrEqual(50);
  expect(valid.length).toBeLessThanOrEqual(40);
  // Some were refused by the per-second limit, later ones by the credits.
  expect(answers.some((answer) => answer.body.code === 'RATE_LIMITED')).toBe(true);
  expect(Math.min(...answers.map((answer) => answer.body.credits.remaining))).toBeGreaterThanOrEqual(0);
  expect(await storedRemaining(fleet.adminUrl, tenant.admin, id, 40 - valid.length)).toBe(40 - valid.length);

  // A refused verification (a scope the key lacks, then a cost above the credits left) charges nothing anywhere.
  const before = await verifyOn(fleet.verifiers[0], tenant.verifier, { key, scopes: ['not-granted'] });
  const refused = await verifyOn(fleet.verifiers[1], tenant.verifier, { key, cost: 1_000 });
  const after = await verifyOn(fleet.verifiers[0], tenant.verifier, { key, scopes: ['not-granted'] });
  expect([before.body.code, refused.body.code, after.body.code]).toEqual([
    'INSUFFICIENT_SCOPE',
    expect.stringMatching(/RATE_LIMITED|USAGE_EXCEEDED/),
    'INSUFFICIENT_SCOPE',
  ]);
  const counters = (answer: TestResponse) => ({
    credits: answer.body.credits,
    minute: answer.body.rateLimits.find((limit: { name: string }) => limit.name === 'minute').remaining,
  });
  expect(counters(after)).toEqual(counters(before));
}

/**
 * A sliding limit of 20 per 2 s under 6 s of load over both processes: no 2-second interval holds
 * more than 20 VALID answers. The check uses the times the answers arrived, so it allows the
 * answers' own delay (LATENCY_MS) on either side; a fixed window would let up to 40 through around
 * its edge, far beyond that allowance.
 */
export async function slidingLimitIsExact(fleet: VerifyFleet): Promise<void> {
  const LATENCY_MS = 150;
  const tenant = await createTenant(fleet.adminUrl);
  const { key } = await createKey(fleet.adminUrl, tenant.admin, {
    rateLimits: [{ name: 'slide', limit: 20, windowSeconds: 2, algorithm: 'sliding' }],
  });
  const arrivals: number[] = [];
  let refused = 0;
  const until = Date.now() + 6_000;
  let round = 0;
  while (Date.now() < until) {
    const answers = await Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        const answer = await verifyOn(fleet.verifiers[(round + i) % 2], tenant.verifier, { key });
        return { answer, at: Date.now() };
      }),
    );
    for (const { answer, at } of answers) {
      if (answer.body.code === 'VALID') arrivals.push(at);
      else if (answer.body.code === 'RATE_LIMITED') refused++;
      else throw new Error(`unexpected answer ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    round++;
    await sleep(40);
  }
  arrivals.sort((a, b) => a - b);
  expect(refused).toBeGreaterThan(0);
  // About 20 per 2 s over 6 s: 60, give or take one window's worth.
  expect(arrivals.length).toBeGreaterThanOrEqual(40);
  expect(arrivals.length).toBeLessThanOrEqual(80);
  for (let i = 0; i + 20 < arrivals.length; i++) expect(arrivals[i + 20] - arrivals[i]).toBeGreaterThanOrEqual(2_000 - LATENCY_MS);
}

/** The VALID verifications counted in the key's usage once they are `expected`, or after 6 s whatever they are then. */
async function validUsage(adminUrl: string, adminToken: string, id: string, expected: number): Promise<number> {
  const deadline = Date.now() + 6_000;
  for (;;) {
    const usage = await client(adminUrl, adminToken).get(`/v1/keys/${id}/usage?granularity=hour`);
    const valid = (usage.body.buckets ?? []).reduce(
      (sum: number, bucket: { counts: { VALID?: number } }) => sum + (bucket.counts.VALID ?? 0),
      0,
    );
    if (valid === expected || Date.now() > deadline) return valid;
    await sleep(200);
  }
}

/** 20 retries of one verification with one Idempotency-Key, at once over both processes: charged once, answered alike. */
export async function retriedVerificationIsChargedOnce(fleet: VerifyFleet): Promise<void> {
  const tenant = await createTenant(fleet.adminUrl);
  const { id, key } = await createKey(fleet.adminUrl, tenant.admin, {
    credits: { remaining: 10 },
    rateLimits: [{ name: 'key', limit: 100, windowSeconds: 3600 }],
  });
  const retry = (i: number, body: Record<string, unknown> = { key }) =>
    client(fleet.verifiers[i % 2].url, tenant.verifier).post('/v1/verify', body, { headers: { 'idempotency-key': 'order-4711' } });
  const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => retry(i)));
  expect(answers.map((answer) => [answer.status, answer.body.code, answer.body.remaining, answer.body.rateLimit.remaining])).toEqual(
    Array(20).fill([200, 'VALID', 9, 99]),
  );
  // One of them was decided; the others are its replays, marked as such and not counted again.
  expect(answers.filter((answer) => answer.headers.get('idempotent-replayed') === 'true')).toHaveLength(19);
  expect(await storedRemaining(fleet.adminUrl, tenant.admin, id, 9)).toBe(9);
  expect(await validUsage(fleet.adminUrl, tenant.admin, id, 1)).toBe(1);
  const reused = await retry(0, { key, cost: 2 });
  expect(reused.status).toBe(422);
  expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  // Another Idempotency-Key is another verification.
  const next = await client(fleet.verifiers[1].url, tenant.verifier).post(
    '/v1/verify',
    { key },
    { headers: { 'idempotency-key': 'order-4712' } },
  );
  expect(next.body).toMatchObject({ code: 'VALID', remaining: 8 });

  // A key without limits or credits charges nothing, but its retries are answered alike too.
  const plain = await createKey(fleet.adminUrl, tenant.admin);
  const again = (i: number, body: Record<string, unknown> = { key: plain.key }) =>
    client(fleet.verifiers[i % 2].url, tenant.verifier).post('/v1/verify', body, { headers: { 'idempotency-key': 'plain-1' } });
  const plainAnswers = [await again(0), await again(1), await again(0)];
  expect(plainAnswers.map((answer) => [answer.body.code, answer.headers.get('idempotent-replayed')])).toEqual([
    ['VALID', null],
    ['VALID', 'true'],
    ['VALID', 'true'],
  ]);
  expect((await again(1, { key: plain.key, scopes: ['other'] })).status).toBe(422);
}
