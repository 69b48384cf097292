import { afterAll, beforeAll } from 'vitest';
import { useCaller } from './caller';
import { type HubSpotEndpoint, startHubSpotEndpoint } from './hubspotEndpoint';

/**
 * useCaller with HubSpot sync on, pointed at a local HubSpot-shaped endpoint of this file's own. The
 * endpoint starts in a hook registered before useCaller's, so its address is known when the caller's
 * settings are read (hooks run in the order they are registered).
 */
export function useHubSpotCaller(extra: Record<string, string> = {}) {
  let endpoint: HubSpotEndpoint | undefined;
  beforeAll(async () => {
    endpoint = await startHubSpotEndpoint();
  });
  afterAll(async () => {
    await endpoint?.close();
  });
  const env = {
    HUBSPOT_TOKEN: 'test-token',
    get HUBSPOT_API_BASE_URL() {
      if (!endpoint) throw new Error('useHubSpotCaller: the endpoint is ready inside tests and hooks');
      return endpoint.url;
    },
    ...extra,
  };
  return { ...useCaller(env), env, hubspot: () => endpoint! };
}
