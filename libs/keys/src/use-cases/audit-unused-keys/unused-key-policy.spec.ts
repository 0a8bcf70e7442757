import { goesFurther, idleSince, isUnused, type UnusedKeyOutcome } from './unused-key-policy';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000);
const key = (
  fields: Partial<{ lastUsedAt: Date | null; createdAt: Date; revokedAt: Date | null; expiresAt: Date | null; enabled: boolean }> = {},
) => ({
  lastUsedAt: null,
  createdAt: daysAgo(100),
  revokedAt: null,
  expiresAt: null,
  enabled: true,
  ...fields,
});

describe('unused-key policy', () => {
  it.each<[UnusedKeyOutcome, UnusedKeyOutcome, boolean]>([
    ['reported', 'reported', false],
    ['disabled', 'reported', true],
    ['revoked', 'reported', true],
    ['reported', 'disabled', false],
    ['disabled', 'disabled', false],
    ['revoked', 'disabled', true],
    ['reported', 'revoked', false],
    ['disabled', 'revoked', false],
    ['revoked', 'revoked', false],
  ])('wanting %s after %s goes further: %s', (wanted, done, expected) => {
    expect(goesFurther(wanted, done)).toBe(expected);
  });

  it('counts idleness from the last use, or from creation for a key never used', () => {
    expect(idleSince(key({ lastUsedAt: daysAgo(3) }))).toEqual(daysAgo(3));
    expect(idleSince(key())).toEqual(daysAgo(100));
  });

  it.each([
    ['never used, made before the threshold', key({ createdAt: daysAgo(31) }), 30, true],
    ['never used, made exactly at the threshold', key({ createdAt: daysAgo(30) }), 30, true],
    ['never used, made after the threshold', key({ createdAt: daysAgo(29) }), 30, false],
    ['used recently though made long ago', key({ lastUsedAt: daysAgo(1) }), 30, false],
    ['used long ago', key({ lastUsedAt: daysAgo(40) }), 30, true],
    ['disabled and idle', key({ enabled: false }), 30, true],
    ['revoked', key({ revokedAt: daysAgo(1) }), 30, false],
    ['expired', key({ expiresAt: daysAgo(1) }), 30, false],
    ['expiring later', key({ expiresAt: new Date(NOW.getTime() + 1000) }), 30, true],
    ['a threshold of 0 days', key({ lastUsedAt: NOW }), 0, true],
  ])('%s', (_case, subject, days, expected) => {
    expect(isUnused(subject, days, NOW)).toBe(expected);
  });
});
