import { InvalidatingCache, StoreFailures, type Loaded } from './invalidating-cache';

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
    const load = (key: string) => async (): Promise<Loaded<Record>> => ({
      value: { id: key },
      validUntil: key === 'short' ? validUntil : undefined,
    });
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

describe('InvalidatingCache while its store is failing (staleWhileFailing)', () => {
  let failures: StoreFailures;
  let options: ConstructorParameters<typeof InvalidatingCache<Record>>[0];
  beforeEach(() => {
    failures = new StoreFailures(5_000);
    options = { max: 10, ttlMs: 1_000, negativeTtlMs: 500, idOf: (value: Record) => value.id, staleWhileFailing: failures };
  });
  const found = (key: string, validUntil?: number) => async (): Promise<Loaded<Record>> => ({ value: { id: key }, validUntil });
  const failing = jest.fn(async (): Promise<Loaded<Record>> => {
    throw new Error('store unavailable');
  });
  beforeEach(() => failing.mockClear());

  it('hands the last known record to the load that failed, then serves it past its TTL without trying the store', async () => {
    const cache = new InvalidatingCache<Record>(options);
    await cache.get('a', found('a'));
    const later = Date.now() + 1_001;
    expect(cache.peek('a', later)).toBeUndefined(); // past its TTL: the store is asked first
    expect(await cache.load('a', failing)).toEqual({ id: 'a' });
    expect(failing).toHaveBeenCalledTimes(1);
    expect(failures.isFailing()).toBe(true);
    // For the next 5 s the record is served at once, without a load.
    expect(cache.peek('a', Date.now() + 4_000)).toEqual({ id: 'a' });
    // Then one load tries the store again.
    expect(cache.peek('a', Date.now() + 5_001)).toBeUndefined();
  });

  it('fails a load that has no record to fall back on, and never serves a negative entry stale', async () => {
    const cache = new InvalidatingCache<Record>(options);
    await cache.get('gone', async () => ({ value: null }));
    await expect(cache.load('cold', failing)).rejects.toThrow('store unavailable');
    await expect(cache.load('gone', failing)).rejects.toThrow('store unavailable');
    expect(cache.peek('gone', Date.now() + 501)).toBeUndefined();
  });

  it('never serves an invalidated record, nor one past its own validUntil', async () => {
    const cache = new InvalidatingCache<Record>(options);
    const expiresAt = Date.now() + 3_000;
    await cache.get('a', found('a'));
    await cache.get('b', found('b'));
    await cache.get('c', found('c', expiresAt));
    cache.invalidateId('a');
    await expect(cache.load('a', failing)).rejects.toThrow('store unavailable');
    expect(await cache.load('b', failing)).toEqual({ id: 'b' });
    expect(cache.peek('c', expiresAt - 1)).toEqual({ id: 'c' }); // failing, within its own limit
    expect(cache.peek('c', expiresAt + 1)).toBeUndefined();
    // A subscription gap drops everything, stale records too.
    cache.clear();
    await expect(cache.load('b', failing)).rejects.toThrow('store unavailable');
  });

  it('stops serving stale records as soon as a load succeeds again', async () => {
    const cache = new InvalidatingCache<Record>(options);
    await cache.get('a', found('a'));
    await cache.get('b', found('b'));
    const later = Date.now() + 1_001;
    expect(await cache.load('a', failing)).toEqual({ id: 'a' });
    expect(cache.peek('b', later)).toEqual({ id: 'b' });
    await cache.load('c', found('c'));
    expect(failures.isFailing()).toBe(false);
    expect(cache.peek('b', later)).toBeUndefined();
  });

  it('shares what it found with the other caches of the same store', async () => {
    const keys = new InvalidatingCache<Record>(options);
    const verifiers = new InvalidatingCache<Record>(options);
    await keys.get('k', found('k'));
    await verifiers.get('v', found('v'));
    const later = Date.now() + 1_001;
    expect(await keys.load('k', failing)).toEqual({ id: 'k' });
    // The other cache serves its own record at once, without a load of its own waiting on the store.
    expect(verifiers.peek('v', later)).toEqual({ id: 'v' });
  });

  it('without the option, a failed load fails and nothing past its TTL is served', async () => {
    const cache = new InvalidatingCache<Record>({ max: 10, ttlMs: 1_000, negativeTtlMs: 500 });
    await cache.get('a', found('a'));
    await expect(cache.load('a', failing)).rejects.toThrow('store unavailable');
    expect(cache.peek('a', Date.now() + 1_001)).toBeUndefined();
  });
});
