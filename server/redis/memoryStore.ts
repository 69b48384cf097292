import type { KeyValueStore } from './store';

interface Entry {
  value: string;
  expiresAt: number;
}

/**
 * The embedded mode's stand-in for Redis, with the same semantics for one process. It is correct
 * for exactly one instance, which is why the service refuses to use it in production.
 */
export function createMemoryStore(now: () => number = Date.now): KeyValueStore {
  const entries = new Map<string, Entry>();
  const live = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };
  return {
    mode: 'memory',
    ping: () => Promise.resolve(),
    async tryLock(key, token, ttlMs) {
      if (live(key)) return false;
      entries.set(key, { value: token, expiresAt: now() + ttlMs });
      return true;
    },
    async unlock(key, token, andSet) {
      for (const [k, value] of andSet?.entries ?? [])
        entries.set(k, { value: String(value), expiresAt: now() + andSet!.ttlMs });
      if (live(key)?.value !== token) return false;
      return entries.delete(key);
    },
    async getNumbers(keys) {
      return keys.map((key) => {
        const entry = live(key);
        return entry ? Number(entry.value) : null;
      });
    },
    async setNumbers(values, ttlMs) {
      for (const [key, value] of values) entries.set(key, { value: String(value), expiresAt: now() + ttlMs });
    },
    async countHit(key, windowMs) {
      const entry = live(key) ?? { value: '0', expiresAt: now() + windowMs };
      entry.value = String(Number(entry.value) + 1);
      entries.set(key, entry);
      return { count: Number(entry.value), resetInMs: entry.expiresAt - now() };
    },
    close: () => Promise.resolve(),
  };
}
