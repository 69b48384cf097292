import { sleep } from '../lib/time';
import type { Logger } from '../logger';
import type { KeyValueStore } from '../redis';
import { redisKeys } from '../redis/keys';

export interface HubSpotLimits {
  /** HubSpot's burst limit per app: 100 calls per 10 s (Free/Starter), 190 (Professional/Enterprise). */
  callsPer10s: number;
  /** The CRM search endpoints' own limit: 4 requests per second per app. */
  searchesPerSecond: number;
  /** The account's daily call quota (250,000 on Free/Starter private apps; more on higher tiers). */
  dailyQuota: number;
  /** Calls stop while fewer than this many of the day's quota are left: the rest is for people. */
  dailyReserve: number;
}

/** A call the daily quota no longer allows: shaped as HubSpot's own 429, which the jobs already wait out. */
export class QuotaLow extends Error {
  readonly code = 429;
  readonly headers: Record<string, string>;
  constructor(remaining: number, retryAfterSeconds: number) {
    super(`HubSpot daily quota low: ${remaining} calls left (HUBSPOT_DAILY_QUOTA_RESERVE); sync paused`);
    this.headers = { 'retry-after': String(retryAfterSeconds) };
  }
}

/** Without Redis, each process keeps this share of the limits (several instances stay under the total). */
const LOCAL_SHARE = 0.25;
const DAY_MS = 86_400_000;

let latestDailyRemaining: number | undefined;
/** The daily quota left as this process last counted it (undefined before its first call). */
export const hubspotDailyRemaining = () => latestDailyRemaining;

export interface HubSpotLimiter {
  /** Waits until a call of this kind fits the limits shared by every instance; throws QuotaLow past the reserve. */
  acquire(kind: 'call' | 'search'): Promise<void>;
}

/**
 * The HubSpot call budget shared across instances: a fixed window per limit in Redis (INCR on one key
 * per window), so every instance's push, pulls, reconciliation and login lookups together stay under
 * HubSpot's per-10 s and search limits; a call over a limit waits for the next window. The day's calls
 * are counted the same way (per UTC day) against HUBSPOT_DAILY_QUOTA: once fewer than the reserve are
 * left, calls stop as a 429 until the day turns, and the crossing is logged as an error with
 * `hubspotDailyQuotaRemaining` (the CloudWatch alarm's field). Redis down: each process falls back to
 * a local window at a quarter of the limits (fail-safe: slower, never over); HubSpot's own 429 with
 * Retry-After stays the last word either way.
 */
export function createHubSpotLimiter(
  limits: HubSpotLimits,
  kv: KeyValueStore | undefined,
  logger: Logger,
): HubSpotLimiter {
  const local = new Map<string, number>();
  let warnedFallback = false;
  let warnedQuota = false;

  /** Counts one hit in the window `windowMs` wide; the count (shared if Redis answers) and the window's end. */
  async function hit(key: string, windowMs: number): Promise<{ count: number; shared: boolean; endsAt: number }> {
    const window = Math.floor(Date.now() / windowMs);
    const endsAt = (window + 1) * windowMs;
    const name = redisKeys.hubspotCalls(key, window);
    if (kv) {
      try {
        return { count: (await kv.countHit(name, windowMs * 2)).count, shared: true, endsAt };
      } catch (err) {
        if (!warnedFallback)
          logger.warn({ err: (err as Error).message }, 'hubspot limiter: Redis unavailable, limiting per process');
        warnedFallback = true;
      }
    }
    for (const k of local.keys())
      if (k.startsWith(`${name.slice(0, name.lastIndexOf(':'))}:`) && k !== name) local.delete(k);
    const count = (local.get(name) ?? 0) + 1;
    local.set(name, count);
    return { count, shared: false, endsAt };
  }

  async function take(key: string, windowMs: number, limit: number): Promise<void> {
    for (;;) {
      const { count, shared, endsAt } = await hit(key, windowMs);
      if (count <= (shared ? limit : Math.max(1, Math.floor(limit * LOCAL_SHARE)))) return;
      await sleep(Math.max(0, endsAt - Date.now()) + Math.random() * 50);
    }
  }

  return {
    async acquire(kind) {
      const day = await hit('day', DAY_MS);
      const remaining = limits.dailyQuota - day.count;
      latestDailyRemaining = remaining;
      if (remaining < limits.dailyReserve) {
        if (!warnedQuota)
          logger.error(
            { hubspotDailyQuotaRemaining: remaining, reserve: limits.dailyReserve },
            'hubspot daily quota low: sync calls stopped until the day turns (docs/OPERATIONS.md, HubSpot)',
          );
        warnedQuota = true;
        throw new QuotaLow(remaining, Math.ceil((day.endsAt - Date.now()) / 1000));
      }
      warnedQuota = false;
      if (kind === 'search') await take('search', 1_000, limits.searchesPerSecond);
      await take('all', 10_000, limits.callsPer10s);
    },
  };
}
