import { ValidationFailedError } from '@keyward/platform';
import { expiryWithinLifetime } from './tenant-policy';

const issuedAt = new Date('2026-01-01T00:00:00.000Z');
const days = (n: number) => new Date(issuedAt.getTime() + n * 86_400_000);

describe('expiryWithinLifetime', () => {
  it('leaves the requested expiry alone without a lifetime limit', () => {
    expect(expiryWithinLifetime({ maxKeyLifetimeDays: null }, issuedAt, undefined)).toBeNull();
    expect(expiryWithinLifetime({ maxKeyLifetimeDays: null }, issuedAt, days(400))).toEqual(days(400));
  });

  it('gives a key without an expiry the longest lifetime allowed', () => {
    expect(expiryWithinLifetime({ maxKeyLifetimeDays: 30 }, issuedAt, undefined)).toEqual(days(30));
  });

  it('accepts an expiry within the limit, the limit itself included', () => {
    expect(expiryWithinLifetime({ maxKeyLifetimeDays: 30 }, issuedAt, days(10))).toEqual(days(10));
    expect(expiryWithinLifetime({ maxKeyLifetimeDays: 30 }, issuedAt, days(30))).toEqual(days(30));
  });

  it.each([
    ['past the limit', days(31)],
    ['removed', null],
  ])('refuses an expiry %s, naming the field', (_case, requested) => {
    expect(() => expiryWithinLifetime({ maxKeyLifetimeDays: 30 }, issuedAt, requested, 'expiresAt')).toThrow(ValidationFailedError);
    try {
      expiryWithinLifetime({ maxKeyLifetimeDays: 30 }, issuedAt, requested, 'expiresAt');
    } catch (error) {
      expect((error as ValidationFailedError).fieldErrors[0].field).toBe('expiresAt');
    }
  });
});
