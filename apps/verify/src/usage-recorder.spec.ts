import type { KeyUsageRepository, SignalFacts, UsageCount } from '@keyward/keys';
import { Metrics } from '@keyward/platform';
import type { ChargePlan } from './charge-plan';
import type { LimitOutcome } from './limiter';
import { UsageRecorder } from './usage-recorder';
import { VerifyMetrics } from './verify-metrics';

// What a flush hands the store for the usage signals (docs/api.md, Usage signals); the statement
// itself and the worker's decisions run on PostgreSQL in test/usage-signals.e2e-spec.ts.
describe('UsageRecorder: signal facts', () => {
  const HOUR_MS = 3_600_000;
  let writes: Array<{ counts: UsageCount[]; facts: SignalFacts }>;
  let failNext: boolean;
  let recorder: UsageRecorder;

  beforeEach(() => {
    writes = [];
    failNext = false;
    // Strict: the recorder may call record() and nothing else.
    const store = {
      record: async (counts: UsageCount[], _lastUsed: unknown, facts: SignalFacts) => {
        if (failNext) {
          failNext = false;
          throw new Error('PostgreSQL is away');
        }
        writes.push({ counts, facts });
      },
    } as unknown as KeyUsageRepository;
    recorder = new UsageRecorder(store, new VerifyMetrics(new Metrics('verify')));
  });

  const limits = (entries: Array<{ name: string; scope?: 'key' | 'owner'; limit: number; remaining: number }>): LimitOutcome =>
    ({
      verdict: 'VALID',
      plan: { limits: entries.map(({ name, scope = 'key', limit }) => ({ name, scope, limit: { limit } })) } as unknown as ChargePlan,
      limits: entries.map(({ remaining }) => ({ remaining, exceeded: remaining < 0 })),
      balances: null,
      fallback: false,
    }) as unknown as LimitOutcome;

  // In the current hour, as the recorder forgets the peaks of hours past by the clock.
  const hour = Date.now() - (Date.now() % HOUR_MS);
  const now = hour + 1_000;

  it('writes no facts for answers without limits or ip', async () => {
    recorder.record('k1', 'VALID', now);
    await recorder.flush();
    expect(writes).toHaveLength(1);
    expect(writes[0].facts).toEqual({ peaks: [], networks: [] });
  });

  it("writes each key's most used window of the hour once, and again only when it grows", async () => {
    recorder.record(
      'k1',
      'VALID',
      now,
      limits([
        { name: 'key', limit: 100, remaining: 60 },
        { name: 'burst', limit: 10, remaining: 2 },
      ]),
    );
    recorder.record(
      'k1',
      'VALID',
      now,
      limits([
        { name: 'key', limit: 100, remaining: 59 },
        { name: 'burst', limit: 10, remaining: 9 },
      ]),
    );
    await recorder.flush();
    expect(writes[0].facts.peaks).toEqual([{ keyId: 'k1', hour, scope: 'key', limitName: 'burst', percentUsed: 80 }]);

    recorder.record('k1', 'VALID', now, limits([{ name: 'key', limit: 100, remaining: 30 }]));
    await recorder.flush();
    expect(writes[1].facts.peaks).toEqual([]);

    recorder.record('k1', 'RATE_LIMITED', now, limits([{ name: 'owner-day', scope: 'owner', limit: 100, remaining: 0 }]));
    await recorder.flush();
    expect(writes[2].facts.peaks).toEqual([{ keyId: 'k1', hour, scope: 'owner', limitName: 'owner-day', percentUsed: 100 }]);
  });

  it('starts each hour afresh', async () => {
    recorder.record('k1', 'VALID', now, limits([{ name: 'key', limit: 100, remaining: 10 }]));
    await recorder.flush();
    recorder.record('k1', 'VALID', now + HOUR_MS, limits([{ name: 'key', limit: 100, remaining: 80 }]));
    await recorder.flush();
    expect(writes[1].facts.peaks).toEqual([{ keyId: 'k1', hour: hour + HOUR_MS, scope: 'key', limitName: 'key', percentUsed: 20 }]);
  });

  it('writes the network of VALID answers with an ip, each pair once an hour, and none of other answers', async () => {
    recorder.record('k1', 'VALID', now, null, '203.0.113.7');
    recorder.record('k1', 'VALID', now + 1, null, '203.0.113.9');
    recorder.record('k1', 'VALID', now + 2, null, '2001:db8:abcd:1::5');
    recorder.record('k2', 'REVOKED', now, null, '198.51.100.1');
    recorder.record('k2', 'VALID', now, null, 'not-an-address');
    await recorder.flush();
    expect(writes[0].facts.networks).toEqual([
      { keyId: 'k1', network: '203.0.113.0/24', at: now + 1 },
      { keyId: 'k1', network: '2001:db8:abcd::/48', at: now + 2 },
    ]);
    recorder.record('k1', 'VALID', now + 3, null, '203.0.113.7');
    await recorder.flush();
    expect(writes[1].facts.networks).toEqual([]);
  });

  it('bounds the networks of one key in one flush', async () => {
    for (let i = 0; i < 40; i++) recorder.record('k1', 'VALID', now, null, `10.0.${i}.1`);
    await recorder.flush();
    expect(writes[0].facts.networks).toHaveLength(16);
  });

  it('keeps the facts of a failed flush for the next one', async () => {
    recorder.record('k1', 'VALID', now, limits([{ name: 'key', limit: 4, remaining: 1 }]), '203.0.113.7');
    failNext = true;
    await recorder.flush();
    expect(writes).toEqual([]);
    await recorder.flush();
    expect(writes[0].facts).toEqual({
      peaks: [{ keyId: 'k1', hour, scope: 'key', limitName: 'key', percentUsed: 75 }],
      networks: [{ keyId: 'k1', network: '203.0.113.0/24', at: now }],
    });
  });
});
