import type * as LoggerModule from './logger';
import { REDACTED, redactSecrets } from './redact';

/** An object with `leaf` under `depth` levels of `{ level: ... }`. */
function nested(depth: number, leaf: Record<string, unknown>): Record<string, unknown> {
  let value: Record<string, unknown> = leaf;
  for (let level = 0; level < depth; level++) value = { level: value };
  return value;
}

function leafOf(value: unknown, depth: number): Record<string, unknown> {
  let current = value as Record<string, unknown>;
  for (let level = 0; level < depth; level++) current = current.level as Record<string, unknown>;
  return current;
}

describe('redactSecrets', () => {
  it.each([
    'authorization',
    'Authorization',
    'AUTHORIZATION',
    'proxy-authorization',
    'cookie',
    'set-cookie',
    'key',
    'Key',
    'token',
    'TOKEN',
    'secret',
    'Secret',
    'password',
    'pepper',
    'x-api-key',
    'X-Api-Key',
  ])('replaces the value of a field named %s', (name) => {
    expect(redactSecrets({ [name]: 'kwc_plaintext', other: 1 })).toEqual({ [name]: REDACTED, other: 1 });
  });

  it('replaces secret fields whatever their value is: objects, arrays, numbers and empty strings included', () => {
    const redacted = redactSecrets({ token: { nested: 'kwc_x' }, key: ['a', 'b'], secret: 42, authorization: '' });
    expect(redacted).toEqual({ token: REDACTED, key: REDACTED, secret: REDACTED, authorization: REDACTED });
  });

  it('replaces secret fields nested in objects', () => {
    const record = { req: { headers: { authorization: 'Bearer kwc_abc', 'content-type': 'application/json' } } };
    expect(redactSecrets(record)).toEqual({ req: { headers: { authorization: REDACTED, 'content-type': 'application/json' } } });
  });

  it('replaces secret fields inside arrays, and inside arrays of arrays', () => {
    const record = { items: [{ token: 't1', id: 1 }, [{ Secret: 's1', id: 2 }], 'kept'] };
    expect(redactSecrets(record)).toEqual({ items: [{ token: REDACTED, id: 1 }, [{ Secret: REDACTED, id: 2 }], 'kept'] });
  });

  it.each([1, 5, 8, 12, 30])('replaces a secret field %i levels deep', (depth) => {
    const redacted = redactSecrets(nested(depth, { key: 'kw_live_secret', name: 'visible' }));
    expect(leafOf(redacted, depth)).toEqual({ key: REDACTED, name: 'visible' });
  });

  it('never lets a secret through however deep it is nested, even past the depth it copies', () => {
    const redacted = redactSecrets(nested(500, { token: 'kwc_deep_secret' }));
    expect(JSON.stringify(redacted)).not.toContain('kwc_deep_secret');
  });

  it('leaves fields whose names merely contain a secret word untouched', () => {
    const record = { keyId: 'k1', tokenCount: 3, secretive: false, monkey: 'm', authorizationMode: 'bearer', tokens: 2 };
    expect(redactSecrets(record)).toEqual(record);
  });

  it('leaves primitives, null and dates as they are', () => {
    expect(redactSecrets('token')).toBe('token');
    expect(redactSecrets(7)).toBe(7);
    expect(redactSecrets(null)).toBeNull();
    expect(redactSecrets(undefined)).toBeUndefined();
    const at = new Date('2024-01-01T00:00:00.000Z');
    const record = { at, iso: at.toISOString(), n: 0, flag: true, nothing: null };
    const redacted = redactSecrets(record) as typeof record;
    expect(redacted).toEqual(record);
    expect(JSON.stringify(redacted)).toBe(JSON.stringify(record));
  });

  it('does not mutate its input', () => {
    const input = { token: 'kwc_a', headers: { authorization: 'Bearer kwc_b', host: 'h' }, list: [{ secret: 's' }] };
    const snapshot = structuredClone(input);
    const output = redactSecrets(input) as typeof input;
    expect(input).toEqual(snapshot);
    expect(output).not.toBe(input);
    expect(output.headers).not.toBe(input.headers);
    expect(output.list).not.toBe(input.list);
  });

  it('terminates on a record that refers to itself', () => {
    const record: Record<string, unknown> = { token: 'kwc_a', name: 'n' };
    record.self = record;
    const redacted = redactSecrets(record) as Record<string, unknown>;
    expect(redacted.token).toBe(REDACTED);
    expect(JSON.stringify(redacted)).not.toContain('kwc_a');
  });
});

describe('serializeError', () => {
  it('keeps type, message and stack of a database error and drops its query and parameters', () => {
    const { serializeError } = jest.requireActual<typeof LoggerModule>('./logger');
    const error = Object.assign(new Error('connection terminated'), {
      query: 'SELECT * FROM keyward_authenticate_credential($1)',
      parameters: [Buffer.from('keyed-hash-of-a-token')],
      driverError: { parameters: ['x'] },
      code: '57P01',
    });
    const logged = serializeError(error);
    expect(logged).toMatchObject({ type: 'Error', message: 'connection terminated', code: '57P01' });
    expect(logged.stack).toEqual(expect.any(String));
    expect(JSON.stringify(logged)).not.toContain('keyed-hash-of-a-token');
    expect(logged).not.toHaveProperty('parameters');
    expect(logged).not.toHaveProperty('query');
    expect(logged).not.toHaveProperty('driverError');
  });
});
