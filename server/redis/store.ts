/**
 * What the service needs from Redis, as an interface so the embedded single-instance mode can
 * run on an in-process implementation. Postgres holds every invariant; this only speeds things up.
 */
export interface KeyValueStore {
  readonly mode: 'redis' | 'memory';
  /** Resolves when the store answers; rejects with the reason otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
