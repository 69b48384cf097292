/** Integer values to set, each expiring after `ttlMs`. */
export interface NumbersToSet {
  entries: Array<readonly [string, number]>;
  ttlMs: number;
}

/**
 * What the service needs from Redis, as an interface so the embedded single-instance mode can
 * run on an in-process implementation. Postgres holds every invariant; this only speeds things up,
 * so every caller must survive any of these rejecting (Redis down) by falling back to Postgres.
 */
export interface KeyValueStore {
  readonly mode: 'redis' | 'memory';
  /** Resolves when the store answers; rejects with the reason otherwise. */
  ping(): Promise<void>;
  /** SET key token NX PX ttl: true when this caller now holds the lock. */
  tryLock(key: string, token: string, ttlMs: number): Promise<boolean>;
  /**
   * Deletes the lock only if it still holds `token` (never someone else's after our TTL ran out).
   * `andSet` values are written first, whoever holds the lock, in the same round trip (a holder's
   * last word: the seat counts it proved).
   */
  unlock(key: string, token: string, andSet?: NumbersToSet): Promise<boolean>;
  /** Integer values of the keys; null where a key is missing or expired. */
  getNumbers(keys: string[]): Promise<Array<number | null>>;
  /** Sets integer values, each expiring after `ttlMs`. */
  setNumbers(entries: NumbersToSet['entries'], ttlMs: number): Promise<void>;
  /** Counts one hit in a fixed window: INCR, starting the window's expiry on the first hit. */
  countHit(key: string, windowMs: number): Promise<{ count: number; resetInMs: number }>;
  close(): Promise<void>;
}
