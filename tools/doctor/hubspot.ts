import type { Config } from '../../server/config';
import { createHubSpotClient } from '../../server/sync/hubspotClient';
import type { Outcome } from './check';
import { CheckFailure } from './checkFailure';

/** What the sync calls need of the private app (docs/SYNC.md "Setting it up in HubSpot"). */
export const REQUIRED_SCOPES = [
  'crm.objects.contacts.read',
  'crm.objects.contacts.write',
  'crm.objects.custom.read',
  'crm.objects.custom.write',
];

/**
 * The token HubSpot's way: its access-token info (who it belongs to and its scopes, compared with what
 * the sync needs), then the unique properties the push upserts on (HUBSPOT_BOOKING_KEY_PROPERTY on the
 * bookings object, HUBSPOT_EXAM_KEY_PROPERTY on the mock exams object). Through the official client, on HUBSPOT_API_BASE_URL.
 */
export async function checkHubSpot(config: Config, token: string): Promise<Outcome> {
  const { hubspot } = config;
  const client = createHubSpotClient(hubspot, token);
  const answer = await client.apiRequest({
    method: 'POST',
    path: '/oauth/v2/private-apps/get/access-token-info',
    body: { tokenKey: token },
  });
  if (answer.status === 401 || answer.status === 403 || answer.status === 400)
    throw new CheckFailure('HUBSPOT_TOKEN_REJECTED', `HubSpot refused the token (${answer.status})`);
  if (!answer.ok) throw new Error(`HubSpot answered ${answer.status} to the token check`);
  const info = (await answer.json()) as { hubId?: number; appId?: number; scopes?: string[] };
  const missing = REQUIRED_SCOPES.filter((s) => !(info.scopes ?? []).includes(s));
  if (missing.length > 0)
    throw new CheckFailure('HUBSPOT_SCOPES_MISSING', `the private app's token lacks ${missing.join(', ')}`);

  const keys = [
    await uniqueProperty(client, hubspot.objects.bookings, hubspot.bookingKeyProperty, 'bookings'),
    await uniqueProperty(client, hubspot.objects.mockExams, hubspot.examKeyProperty, 'mock exams'),
  ];
  return {
    detail: `token of app ${info.appId ?? '?'} in portal ${info.hubId ?? '?'} at ${hubspot.baseUrl}; scopes ok; ${keys.join(', ')} unique`,
  };
}

/** A property the push upserts on: it must exist on the object and require unique values. */
async function uniqueProperty(
  client: ReturnType<typeof createHubSpotClient>,
  objectType: string,
  key: string,
  label: string,
): Promise<string> {
  const where = `${key} on ${label} (${objectType})`;
  const property = await client.crm.properties.coreApi.getByName(objectType, key).catch((err: unknown) => {
    if ((err as { code?: number }).code === 404) throw new CheckFailure('HUBSPOT_KEY_PROPERTY', `no property ${where}`);
    throw err;
  });
  if (!property.hasUniqueValue)
    throw new CheckFailure('HUBSPOT_KEY_PROPERTY', `${where} does not require unique values`);
  return where;
}
