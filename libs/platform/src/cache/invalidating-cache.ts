// An in-process cache for records that other processes may change: bounded (LRU), with negative
// entries, a safety TTL, one load per key however many callers miss at once, invalidation that
// also covers loads already in flight, and (optionally) entries used past their TTL while the
// store cannot be read (docs/failure-modes.md).
import { LRUCache } from 'lru-cache';

export interface Loaded<V> {
  /** null records a negative entry: the store has no such record. */
  value: V | null;
  /**
   * Epoch ms after which the entry must not be used, even while the store is failing (a
   * credential's expiry, say); the cache's TTL may end its use sooner.
   */
  validUntil?: number;
}

export interface InvalidatingCacheOptions<V> {
  max: number;
  ttlMs: number;
  negativeTtlMs: number;
  /**
   * The record id of a value, for invalidateId(): with it an invalidation finds its entries in an
   * index instead of scanning every entry (a scan of a million cached keys per revocation would
   * stall the process for tens of milliseconds).
   */
  idOf?: (value: V) => string;
  /**
   * Serve entries past their TTL while the store is failing (caches of one store share one). When
   * a load fails, the entry it would have refreshed is handed to its callers instead of the error,
   * and for StoreFailures.staleForMs peek() also returns entries past their TTL, without trying
   * the store (after that, one load tries it again). Only records (never negative entries), never
   * past their own validUntil, and never an invalidated one: invalidation deletes the entry. A
   * load that succeeds ends it at once.
   */
  staleWhileFailing?: StoreFailures;
}

/** Whether a store is failing now, as the caches that read it have found: shared by those caches. */
export class StoreFailures {
  private until = 0;

  constructor(readonly staleForMs: number) {}

  failed(now = Date.now()): void {
    this.until = now + this.staleForMs;
  }

  succeeded(): void {
    this.until = 0;
  }

  isFailing(now = Date.now()): boolean {
    return now < this.until;
  }
}

interface Entry<V> {
  value: V | null;
  /** Until when the entry is used without asking the store (the TTL, or validUntil if sooner). */
  validUntil: number;
  /** Until when it may be used at all (Loaded.validUntil, else never ending). */
  usableUntil: number;
}

export class InvalidatingCache<V extends object> {
  private readonly entries: LRUCache<string, Entry<V>>;
  private readonly loading = new Map<string, Promise<V | null>>();
  /**
   * Bumped by every invalidation: a load that started before one may have read the old state, so
   * its result is handed to its callers but not kept.
   */
  private generation = 0;
  /** Cache keys by record id (see InvalidatingCacheOptions.idOf); almost always one key per id. */
  private readonly keysById = new Map<string, string | Set<string>>();

  constructor(private readonly options: InvalidatingCacheOptions<V>) {
    const { idOf } = options;
    this.entries = new LRUCache<string, Entry<V>>({
      max: options.max,
      // Evicted, deleted or replaced: the index forgets the entry with it.
      dispose: idOf ? (entry, key) => entry.value !== null && this.unindex(idOf(entry.value), key) : undefined,
    });
  }

  /** The cached value (null for a negative entry), or undefined on a miss. No promise, no I/O. */
  peek(key: string, now = Date.now()): V | null | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.validUntil > now) return entry.value;
    return this.options.staleWhileFailing?.isFailing(now) && this.usableStale(entry, now) ? entry.value : undefined;
  }

  /**
   * The value from the cache, or from `load` on a miss: one load per key for all concurrent
   * callers (a caller arriving while a load runs shares it).
   */
  get(key: string, load: () => Promise<Loaded<V>>, now = Date.now()): V | null | Promise<V | null> {
    const cached = this.peek(key, now);
    return cached !== undefined ? cached : this.load(key, load);
  }

  /** Drops every entry whose value matches (negative entries are kept: nothing names them). */
  invalidate(matches: (value: V) => boolean): void {
    this.generation++;
    for (const [key, entry] of this.entries.entries()) {
      if (entry.value !== null && matches(entry.value)) this.entries.delete(key);
    }
  }

  /** Drops every entry of the record `id` (needs the idOf option). */
  invalidateId(id: string): void {
    this.generation++;
    const keys = this.keysById.get(id);
    if (keys === undefined) return;
    for (const key of typeof keys === 'string' ? [keys] : [...keys]) this.entries.delete(key);
  }

  /** Drops the entry of `key`, a negative one too. */
  invalidateKey(key: string): void {
    this.generation++;
    this.entries.delete(key);
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  /** Loads `key` (after a peek() that missed), sharing a load already in flight. */
  load(key: string, load: () => Promise<Loaded<V>>): Promise<V | null> {
    const pending = this.loading.get(key);
    if (pending) return pending;
    const generationAtStart = this.generation;
    const loaded = load()
      .then(
        ({ value, validUntil }) => {
          const now = Date.now();
          this.options.staleWhileFailing?.succeeded();
          const ttl = value === null ? this.options.negativeTtlMs : this.options.ttlMs;
          if (this.generation === generationAtStart) {
            const usableUntil = validUntil ?? Infinity;
            this.entries.set(key, { value, validUntil: Math.min(now + ttl, usableUntil), usableUntil });
            if (value !== null && this.options.idOf) this.index(this.options.idOf(value), key);
          }
          return value;
        },
        (error: unknown) => {
          const failures = this.options.staleWhileFailing;
          if (!failures) throw error;
          const now = Date.now();
          failures.failed(now);
          // Still here, so not invalidated since it was loaded: the last known record.
          const entry = this.entries.get(key);
          if (entry && this.usableStale(entry, now)) return entry.value;
          throw error;
        },
      )
      .finally(() => this.loading.delete(key));
    this.loading.set(key, loaded);
    return loaded;
  }

  private usableStale(entry: Entry<V>, now: number): boolean {
    return entry.value !== null && now < entry.usableUntil;
  }

  private index(id: string, key: string): void {
    const known = this.keysById.get(id);
    if (known === undefined || known === key) this.keysById.set(id, key);
    else if (typeof known === 'string') this.keysById.set(id, new Set([known, key]));
    else known.add(key);
  }

  private unindex(id: string, key: string): void {
    const known = this.keysById.get(id);
    if (known === key) this.keysById.delete(id);
    else if (typeof known !== 'string' && known?.delete(key) && known.size === 0) this.keysById.delete(id);
  }
}
