import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../server/config';
import { sleep } from '../server/lib/time';
import { createLogger } from '../server/logger';
import { type KeyValueStore, openKeyValueStore } from '../server/redis';
import { createHubSpotClient, HubSpotCallFailed, hubspotCall } from '../server/sync/hubspotClient';
import { createHubSpotLimiter, type HubSpotLimiter, hubspotDailyRemaining } from '../server/sync/rateLimiter';
import { type HubSpotEndpoint, startHubSpotEndpoint } from './helpers/hubspotEndpoint';

/**
 * The HubSpot call budget (docs/SYNC.md "Limits"): counted in Redis so several instances together
 * stay under HubSpot's limits; the daily quota read from HubSpot's answers stops calls when it runs low.
 */
const logger = createLogger('silent');
const stores: KeyValueStore[] = [];
const store = (prefix: string, url = inject('redisUrl')) => {
  const kv = openKeyValueStore(
    loadConfig({ NODE_ENV: 'test', REDIS_URL: url, REDIS_KEY_PREFIX: prefix, REDIS_CONNECT_TIMEOUT_MS: '300' }).redis,
    logger,
  );
  stores.push(kv);
  return kv;
};
/** A connected store (commands before the connection is up fail fast, and the limiter counts alone). */
async function connected(prefix: string) {
  const kv = store(prefix);
  for (let i = 0; ; i++) {
    if (
      await kv.ping().then(
        () => true,
        () => false,
      )
    )
      return kv;
    if (i > 100) throw new Error('redis did not answer');
    await sleep(20);
  }
}
let hubspot: HubSpotEndpoint;
beforeAll(async () => {
  hubspot = await startHubSpotEndpoint();
});
afterAll(async () => {
  await Promise.all(stores.map((kv) => kv.close().catch(() => undefined)));
  await hubspot.close();
});

/** Waits until at least `ms` of the current 10 s window remain (windows are aligned to the epoch). */
async function earlyInWindow(ms: number) {
  const left = 10_000 - (Date.now() % 10_000);
  if (left < ms) await sleep(left + 20);
}
const settled = async (p: Promise<unknown>, withinMs: number) =>
  Promise.race([p.then(() => true), sleep(withinMs).then(() => false)]);

describe('HubSpot rate limiter', { timeout: 30_000 }, () => {
  it('two instances share one budget per 10 s: the call over it waits for the next window', async () => {
    const prefix = `mbt-limiter-${randomUUID()}:`;
    const limits = { callsPer10s: 5, searchesPerSecond: 4, dailyQuota: 1_000_000, dailyReserve: 0 };
    // Two "instances": each its own Redis connection and its own limiter.
    const a = createHubSpotLimiter(limits, await connected(prefix), logger);
    const b = createHubSpotLimiter(limits, await connected(prefix), logger);
    await earlyInWindow(4_000);
    await Promise.all([a.acquire('call'), a.acquire('call'), a.acquire('call'), b.acquire('call'), b.acquire('call')]);
    const sixth = b.acquire('call');
    expect(await settled(sixth, 1_000)).toBe(false);
    // It goes once the window turns (at most 10 s away).
    expect(await settled(sixth, 11_000)).toBe(true);
  });

  it('Redis down: each process keeps a quarter of the budget on its own (slower, never over)', async () => {
    const limits = { callsPer10s: 8, searchesPerSecond: 4, dailyQuota: 1_000_000, dailyReserve: 0 };
    const limiter = createHubSpotLimiter(limits, store('dead:', 'redis://127.0.0.1:1'), logger);
    await earlyInWindow(4_000);
    await limiter.acquire('call');
    await limiter.acquire('call');
    expect(await settled(limiter.acquire('call'), 1_000)).toBe(false);
  });

  it('the daily quota is counted across instances: past the reserve, calls stop as a 429 the jobs wait out', async () => {
    const prefix = `mbt-quota-${randomUUID()}:`;
    const limits = { callsPer10s: 100, searchesPerSecond: 4, dailyQuota: 10, dailyReserve: 4 };
    const settings = loadConfig({ NODE_ENV: 'test', HUBSPOT_API_BASE_URL: hubspot.url }).hubspot;
    const client = createHubSpotClient(settings, 'test-token');
    const instances = [
      createHubSpotLimiter(limits, await connected(prefix), logger),
      createHubSpotLimiter(limits, await connected(prefix), logger),
    ];
    const read = (limiter: HubSpotLimiter) =>
      hubspotCall({ limiter }, () =>
        client.crm.objects.batchApi.read('0-1', { inputs: [{ id: '1' }], properties: [], propertiesWithHistory: [] }),
      );
    // Six of the ten calls, from both instances: the reserve of four is still intact.
    for (let i = 0; i < 6; i++) await read(instances[i % 2]!);
    expect(hubspotDailyRemaining()).toBe(4);
    const before = hubspot.requests.length;
    const refused = await read(instances[0]!).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(HubSpotCallFailed);
    const failure = (refused as HubSpotCallFailed).failure;
    expect(failure.kind).toBe('rate-limited');
    // Until the (UTC) day turns, and HubSpot was not asked.
    expect(failure.kind === 'rate-limited' && failure.retryAfterMs).toBeGreaterThan(0);
    expect(hubspot.requests.length).toBe(before);
  });
});
