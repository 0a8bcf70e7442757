import { verifiableKey } from '../../../../test/support/verifiable-key';
import { parseScopeQuery } from './scope-query';
import { decideBeforeLimits, type VerifiableKey, type VerifyRequestFacts } from './verify-decision';

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);

function key(overrides: Partial<VerifiableKey> = {}): VerifiableKey {
  return verifiableKey({ id: 'k', tenantId: 't', scopes: ['billing:*', 'reports:read'], ...overrides });
}

const active = { now: NOW, tenantActive: true };

describe('verify decision before limits', () => {
  it('passes a healthy key on to the limits', () => {
    expect(decideBeforeLimits(key(), {}, active)).toBe('LIMITS');
  });

  it('answers NOT_FOUND without a key', () => {
    expect(decideBeforeLimits(null, { scopes: ['x'] }, active)).toBe('NOT_FOUND');
  });

  // Every pair of failing checks: the earlier code in the list of docs/api.md (Verify codes) wins.
  const failures: Array<[string, Partial<VerifiableKey>, VerifyRequestFacts, boolean]> = [
    ['REVOKED', { revoked: true }, {}, true],
    ['EXPIRED', { expiresAt: NOW }, {}, true],
    ['DISABLED', { enabled: false }, {}, true],
    ['IP_NOT_ALLOWED', { ipAllowlist: ['10.0.0.0/8'] }, { ip: '192.0.2.1' }, true],
    ['INSUFFICIENT_SCOPE', {}, { scopes: ['admin:write'] }, true],
    ['INSUFFICIENT_SCOPE', {}, { parsedScopeQuery: parseScopeQuery('admin:write OR admin:read') }, true],
  ];
  for (let i = 0; i < failures.length; i++) {
    for (let j = i + 1; j < failures.length; j++) {
      const [first, keyA, requestA] = failures[i];
      const [second, keyB, requestB] = failures[j];
      it(`answers ${first} for a key that is also ${second}`, () => {
        expect(decideBeforeLimits(key({ ...keyA, ...keyB }), { ...requestA, ...requestB }, active)).toBe(first);
      });
    }
  }

  it.each(failures)('answers %s on its own', (code, keyOverrides, request) => {
    expect(decideBeforeLimits(key(keyOverrides), request, active)).toBe(code);
  });

  it('answers DISABLED for every key of a suspended tenant', () => {
    expect(decideBeforeLimits(key(), {}, { now: NOW, tenantActive: false })).toBe('DISABLED');
    expect(decideBeforeLimits(key({ revoked: true }), {}, { now: NOW, tenantActive: false })).toBe('REVOKED');
  });

  it('treats a key as expired from its expiry instant, not before', () => {
    expect(decideBeforeLimits(key({ expiresAt: NOW + 1 }), {}, active)).toBe('LIMITS');
    expect(decideBeforeLimits(key({ expiresAt: NOW }), {}, active)).toBe('EXPIRED');
  });

  it('refuses a key with an allowlist verified without an ip', () => {
    expect(decideBeforeLimits(key({ ipAllowlist: ['0.0.0.0/0'] }), {}, active)).toBe('IP_NOT_ALLOWED');
    expect(decideBeforeLimits(key({ ipAllowlist: ['0.0.0.0/0'] }), { ip: '198.51.100.4' }, active)).toBe('LIMITS');
    expect(decideBeforeLimits(key({ ipAllowlist: ['2001:db8::/32'] }), { ip: '2001:db8::7' }, active)).toBe('LIMITS');
  });

  it('grants requested scopes through wildcards only', () => {
    expect(decideBeforeLimits(key(), { scopes: ['billing:read', 'reports:read'] }, active)).toBe('LIMITS');
    expect(decideBeforeLimits(key(), { scopes: ['reports:write'] }, active)).toBe('INSUFFICIENT_SCOPE');
    expect(decideBeforeLimits(key({ scopes: ['*'] }), { scopes: ['anything:at:all'] }, active)).toBe('LIMITS');
    expect(decideBeforeLimits(key(), { scopes: [] }, active)).toBe('LIMITS');
  });

  it('checks a scope query on the same scopes, after `scopes`; both must hold', () => {
    const query = (text: string) => parseScopeQuery(text);
    expect(decideBeforeLimits(key(), { parsedScopeQuery: query('billing:read AND (reports:read OR admin)') }, active)).toBe('LIMITS');
    expect(decideBeforeLimits(key(), { parsedScopeQuery: query('billing:read AND admin') }, active)).toBe('INSUFFICIENT_SCOPE');
    expect(decideBeforeLimits(key(), { scopes: ['admin'], parsedScopeQuery: query('billing:read') }, active)).toBe('INSUFFICIENT_SCOPE');
    expect(decideBeforeLimits(key({ enabled: false }), { parsedScopeQuery: query('admin') }, active)).toBe('DISABLED');
  });
});
