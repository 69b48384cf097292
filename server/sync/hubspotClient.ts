import { Client } from '@hubspot/api-client';
import type { Config } from '../config';
import type { HubSpotLimiter } from './rateLimiter';

export type HubSpotSettings = Config['hubspot'];

/**
 * The official client, pointed at HUBSPOT_API_BASE_URL. Its own retry loop is off: a failed call
 * ends the job run, and the job engine's backoff (or the 429's Retry-After) decides when to try again,
 * so a HubSpot outage never holds a worker in a sleep.
 */
export function createHubSpotClient(settings: HubSpotSettings, token: string): Client {
  return new Client({ accessToken: token, basePath: settings.baseUrl, numberOfApiCallRetries: 0 });
}

/** What a failed HubSpot call means for the push. */
export type HubSpotFailure =
  | { kind: 'rate-limited'; retryAfterMs: number; message: string }
  | { kind: 'unavailable'; message: string }
  | { kind: 'rejected'; status: number; message: string };

export function classifyHubSpotError(err: unknown): HubSpotFailure {
  const e = err as { code?: unknown; headers?: Record<string, string>; message?: string; body?: unknown };
  const status = typeof e.code === 'number' ? e.code : undefined;
  const message = `${status ?? 'network'}: ${String(e.message ?? err).slice(0, 300)}`;
  if (status === 429) {
    const header = e.headers?.['retry-after'] ?? e.headers?.['Retry-After'];
    const seconds = Number(header);
    return {
      kind: 'rate-limited',
      retryAfterMs: Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 10_000,
      message,
    };
  }
  if (status === undefined || status >= 500 || status === 408) return { kind: 'unavailable', message };
  return { kind: 'rejected', status, message };
}

export class HubSpotCallFailed extends Error {
  constructor(readonly failure: HubSpotFailure) {
    super(`HubSpot call failed (${failure.kind}): ${failure.message}`);
    this.name = 'HubSpotCallFailed';
  }
}

/**
 * Runs one HubSpot call once it fits the call budget all instances share (`limiter`: per 10 s, searches
 * per second, the day's quota), turning its failure into a classified HubSpotCallFailed. (The client's
 * own middleware option would be the natural place, but @hubspot/api-client 13 never runs configured
 * middleware, so every call goes through here.)
 */
export async function hubspotCall<T>(
  ctx: { limiter?: HubSpotLimiter | undefined },
  call: () => Promise<T>,
  kind: 'call' | 'search' = 'call',
): Promise<T> {
  try {
    await ctx.limiter?.acquire(kind);
    return await call();
  } catch (err) {
    throw new HubSpotCallFailed(classifyHubSpotError(err));
  }
}
