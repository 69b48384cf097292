import type { KeyValueStore } from './store';

/**
 * The embedded mode's stand-in for Redis: correct for exactly one process, which is why the
 * service refuses to use it in production.
 */
export function createMemoryStore(): KeyValueStore {
  return {
    mode: 'memory',
    ping: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}
