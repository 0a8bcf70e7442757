import { InvalidatingCache, type Loaded } from './invalidating-cache';

interface Record {
  id: string;
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('InvalidatingCache', () => {
  it('loads a key once for all concurrent misses, then serves it without loading', async () => {
    const load = jest.fn(async (key: string): Promise<Loaded<Record>> => ({ value: { id: key } }));
    const cache = new InvalidatingCache<Record>({ max: 10, ttlMs: 60_000, negativeTtlMs: 5_000 });
    const results = await Promise.all([cache.get('a', () => load('a')), cache.get('a', () => load('a')), cache.get('a', () => load('a'))]);
    expect(results).toEqual([{ id: 'a' }, { id: 'a' }, { id: 'a' }]);
    expect(load).toHaveBeenCalledTimes(1);
    expect(cache.peek('a')).toEqual({ id: 'a' });
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('keeps negative entries for their own, shorter time', async () => {
    const load = jest.fn(async (): Promise<Loaded<Record>> => ({ value: null }));
    const cache = new InvalidatingCache<Record>({ max: 10, ttlMs: 60_000, negativeTtlMs: 5_000 });
    expect(await cache.get('x', load)).toBeNull();
    expect(cache.peek('x')).toBeNull();
    expect(cache.peek('x', Date.now() + 5_001)).toBeUndefined();
  });

  it('drops entries past their safety TTL or their own validUntil', async () => {
    const validUntil = Date.now() + 1_000;
    const cache = new InvalidatingCache<Record>({ max: 10, ttlMs: 60_000, negativeTtlMs: 5_000 });
    const load = (key: string) => async (): Promise<Loaded<Record>> => ({ value: { id: key }, validUntil: key === 'short' ? validUntil : undefined });
    await cache.get('short', load('short'));
    await cache.get('long', load('long'));
    expect(cache.peek('short', validUntil + 1)).toBeUndefined();
    expect(cache.peek('long', Date.now() + 59_000)).toEqual({ id: 'long' });
    expect(cache.peek('long', Date.now() + 60_001)).toBeUndefined();
  });

  it('invalidates matching entries and does not keep a load that raced an invalidation', async () => {
    const gate = deferred<Loaded<Record>>();
    const cache = new InvalidatingCache<Record>({ max: 10, ttlMs: 60_000, negativeTtlMs: 5_000 });
    const inFlight = cache.get('a', () => gate.promise);
    cache.invalidate((value) => value.id === 'a');
    gate.resolve({ value: { id: 'a' } });
    expect(await inFlight).toEqual({ id: 'a' });
    expect(cache.peek('a')).toBeUndefined();
  });

  it('is bounded', async () => {
    const cache = new InvalidatingCache<Record>({ max: 2, ttlMs: 60_000, negativeTtlMs: 5_000 });
    const load = (key: string) => async (): Promise<Loaded<Record>> => ({ value: { id: key } });
    await cache.get('a', load('a'));
    await cache.get('b', load('b'));
    await cache.get('c', load('c'));
    expect(cache.size).toBe(2);
    expect(cache.peek('a')).toBeUndefined();
  });

  describe('invalidateId (with idOf)', () => {
    const byId = (max = 10) => new InvalidatingCache<Record>({ max, ttlMs: 60_000, negativeTtlMs: 5_000, idOf: (value) => value.id });
    const loadAs = (id: string) => async (): Promise<Loaded<Record>> => ({ value: { id } });

    it('drops every entry of the id, and only those', async () => {
      const cache = byId();
      await cache.get('tenant1:hashA', loadAs('key-a'));
      await cache.get('tenant2:hashA', loadAs('key-a'));
      await cache.get('tenant1:hashB', loadAs('key-b'));
      await cache.get('tenant1:unknown', async () => ({ value: null }));

      cache.invalidateId('key-a');

      expect(cache.peek('tenant1:hashA')).toBeUndefined();
      expect(cache.peek('tenant2:hashA')).toBeUndefined();
      expect(cache.peek('tenant1:hashB')).toEqual({ id: 'key-b' });
      expect(cache.peek('tenant1:unknown')).toBeNull();
    });

    it('does not keep a load that raced the invalidation', async () => {
      const gate = deferred<Loaded<Record>>();
      const cache = byId();
      const inFlight = cache.get('k', () => gate.promise);
      cache.invalidateId('key-a');
      gate.resolve({ value: { id: 'key-a' } });
      expect(await inFlight).toEqual({ id: 'key-a' });
      expect(cache.peek('k')).toBeUndefined();
    });

    it('forgets evicted and replaced entries, so an id later cached under another key is still found', async () => {
      const cache = byId(2);
      await cache.get('a', loadAs('key-a'));
      await cache.get('b', loadAs('key-b'));
      await cache.get('c', loadAs('key-c')); // evicts a
      await cache.get('a2', loadAs('key-a'));
      cache.invalidateId('key-a');
      expect(cache.peek('a2')).toBeUndefined();
      expect(cache.peek('c')).toEqual({ id: 'key-c' });
      // Every entry is gone from the index once gone from the cache: nothing is left to grow.
      cache.clear();
      expect((cache as unknown as { keysById: Map<string, unknown> }).keysById.size).toBe(0);
    });
  });
});
