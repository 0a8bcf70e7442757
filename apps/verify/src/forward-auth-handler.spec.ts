import { ValidationFailedError } from '@keyward/platform';
import { apiKeyOf, bearerKeyOf, clientIpOf, readForwardAuthParams } from './forward-auth-handler';

const fieldsOf = (query: string): string[] => {
  try {
    readForwardAuthParams(query);
  } catch (error) {
    if (error instanceof ValidationFailedError) return error.fieldErrors.map((each) => each.field);
    throw error;
  }
  return [];
};

describe('the parameters of /v1/forward-auth', () => {
  it('reads scopes, scopeQuery, cost and gateway, and nothing when the query is empty', () => {
    expect(readForwardAuthParams('')).toEqual({});
    expect(readForwardAuthParams('scopes=a:read,b:*&scopeQuery=a%20AND%20b&cost=7&gateway=nginx')).toEqual({
      scopes: ['a:read', 'b:*'],
      scopeQuery: 'a AND b',
      cost: 7,
      gateway: 'nginx',
    });
    // An empty value is the parameter's absence (nginx's `scopes=$keyward_scopes` with "").
    expect(readForwardAuthParams('scopes=&scopeQuery=')).toEqual({});
    expect(readForwardAuthParams('cost=1000000').cost).toBe(1_000_000);
  });

  it('names every bad parameter at once', () => {
    expect(fieldsOf('cost=0&gateway=apache&scopes=a,&other=1')).toEqual(['cost', 'gateway', 'scopes', 'other']);
    expect(fieldsOf('cost=01')).toEqual(['cost']);
    expect(fieldsOf('cost=-1')).toEqual(['cost']);
    expect(fieldsOf('cost=1e3')).toEqual(['cost']);
    expect(fieldsOf('gateway=nginx&gateway=envoy')).toEqual(['gateway']);
    expect(fieldsOf(`scopeQuery=${'a'.repeat(1001)}`)).toEqual(['scopeQuery']);
    expect(fieldsOf(`scopeQuery=${'a'.repeat(1000)}`)).toEqual([]);
  });
});

describe('what the forwarded headers say', () => {
  it('takes the key from a Bearer Authorization (any case of the scheme), else from X-API-Key', () => {
    expect(bearerKeyOf({ authorization: 'Bearer kw_live_x ' })).toBe('kw_live_x');
    expect(bearerKeyOf({ authorization: 'bearer kw_live_x' })).toBe('kw_live_x');
    expect(bearerKeyOf({ authorization: 'Basic dXNlcjpwYXNz' })).toBe('');
    expect(bearerKeyOf({ authorization: 'Bearer ' })).toBe('');
    expect(bearerKeyOf({})).toBe('');
    expect(apiKeyOf({ 'x-api-key': ' kw_live_y' })).toBe('kw_live_y');
    expect(apiKeyOf({})).toBe('');
  });

  it('takes the address from X-Real-IP, else the first of X-Forwarded-For, and none that is too long to be one', () => {
    expect(clientIpOf({ 'x-real-ip': '203.0.113.9', 'x-forwarded-for': '198.51.100.1' })).toBe('203.0.113.9');
    expect(clientIpOf({ 'x-forwarded-for': ' 198.51.100.1 , 10.0.0.1' })).toBe('198.51.100.1');
    expect(clientIpOf({ 'x-real-ip': ' ', 'x-forwarded-for': '2001:db8::1' })).toBe('2001:db8::1');
    expect(clientIpOf({ 'x-real-ip': '1'.repeat(65) })).toBeUndefined();
    expect(clientIpOf({})).toBeUndefined();
  });
});
