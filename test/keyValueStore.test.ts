import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../server/config';
import { sleep } from '../server/lib/time';
import { createLogger } from '../server/logger';
import { type KeyValueStore, openKeyValueStore } from '../server/redis';
import { createMemoryStore } from '../server/redis/memoryStore';
import { deleteKeys, uniqueRedisPrefix } from './helpers/redis';

// One contract, two implementations: the embedded mode's in-process store must behave like Redis.
const prefix = uniqueRedisPrefix();
const redisConfig = loadConfig({ REDIS_URL: inject('redisUrl'), REDIS_KEY_PREFIX: prefix }).redis;
const stores: Array<[string, KeyValueStore]> = [
  ['redis', openKeyValueStore(redisConfig, createLogger('silent'))],
  ['memory', createMemoryStore()],
];
// Commands fail fast until connected (by design), so wait for the connection like health does.
beforeAll(() => Promise.all(stores.map(([, store]) => store.ping())));
afterAll(async () => {
  for (const [, store] of stores) await store.close();
  await deleteKeys(prefix);
});

let n = 0;
const key = (name: string) => `${name}:${++n}`;

describe.each(stores)('%s store', (_name, store) => {
  it('a lock is held by one token at a time and released only by its holder', async () => {
    const lock = key('lock');
    expect(await store.tryLock(lock, 'a', 10_000)).toBe(true);
    expect(await store.tryLock(lock, 'b', 10_000)).toBe(false);
    expect(await store.unlock(lock, 'b')).toBe(false);
    expect(await store.tryLock(lock, 'b', 10_000)).toBe(false);
    expect(await store.unlock(lock, 'a')).toBe(true);
    expect(await store.tryLock(lock, 'b', 10_000)).toBe(true);
  });

  it('a lock TTL is in milliseconds: it lapses by itself', async () => {
    const lock = key('lock');
    expect(await store.tryLock(lock, 'a', 150)).toBe(true);
    await sleep(400);
    expect(await store.tryLock(lock, 'b', 10_000)).toBe(true);
    expect(await store.unlock(lock, 'a')).toBe(false); // the old holder cannot release the new one
  });

  it("a release writes its holder's numbers in the same call, even when the lock has passed on", async () => {
    const [lock, a, b] = [key('lock'), key('num'), key('num')];
    expect(await store.tryLock(lock, 'a', 10_000)).toBe(true);
    expect(
      await store.unlock(lock, 'a', {
        entries: [
          [a, 3],
          [b, 8],
        ],
        ttlMs: 200,
      }),
    ).toBe(true);
    expect(await store.getNumbers([a, b])).toEqual([3, 8]);
    expect(await store.tryLock(lock, 'b', 10_000)).toBe(true);
    // A holder whose TTL ran out still reports what it proved, and releases nobody else's lock.
    expect(await store.unlock(lock, 'a', { entries: [[a, 4]], ttlMs: 200 })).toBe(false);
    expect(await store.getNumbers([a])).toEqual([4]);
    expect(await store.tryLock(lock, 'c', 10_000)).toBe(false);
    await sleep(400);
    expect(await store.getNumbers([a, b])).toEqual([null, null]);
  });

  it('numbers round-trip, missing ones read as null, and they expire', async () => {
    const [a, b, c] = [key('num'), key('num'), key('num')];
    await store.setNumbers(
      [
        [a, 7],
        [b, 0],
      ],
      200,
    );
    expect(await store.getNumbers([a, b, c])).toEqual([7, 0, null]);
    await sleep(400);
    expect(await store.getNumbers([a, b])).toEqual([null, null]);
  });

  it('countHit counts within a window and starts over after it', async () => {
    const counter = key('hits');
    expect((await store.countHit(counter, 300)).count).toBe(1);
    const second = await store.countHit(counter, 300);
    expect(second.count).toBe(2);
    expect(second.resetInMs).toBeGreaterThan(0);
    expect(second.resetInMs).toBeLessThanOrEqual(300);
    await sleep(500);
    expect((await store.countHit(counter, 300)).count).toBe(1);
  });
});
