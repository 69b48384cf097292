import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { type DoctorRun, runDoctorCli } from './helpers/doctorCli';
import { type HubSpotEndpoint, startHubSpotEndpoint } from './helpers/hubspotEndpoint';
import { uniqueRedisPrefix } from './helpers/redis';
import {
  FAKE_AWS_ENV,
  type SecretsManagerEndpoint,
  startSecretsManagerEndpoint,
} from './helpers/secretsManagerEndpoint';

/**
 * `npm run doctor`'s HubSpot check, run as an operator runs it: the token from HUBSPOT_TOKEN_SECRET_ID
 * (a local Secrets Manager endpoint) or HUBSPOT_TOKEN, asked of a local HubSpot-shaped endpoint through
 * the official client: accepted, its scopes enough, the unique booking key property present. The token
 * is never printed.
 */
const TOKEN = 'pat-na1-11111111-2222-3333-4444-555555555555';
let database: TestDatabase;
let hubspot: HubSpotEndpoint;
let secrets: SecretsManagerEndpoint;
beforeAll(async () => {
  database = await createTestDatabase();
  hubspot = await startHubSpotEndpoint();
  secrets = await startSecretsManagerEndpoint();
});
afterAll(async () => {
  await database?.drop();
  await hubspot?.close();
  await secrets?.close();
});

const env = (extra: Record<string, string>) => ({
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  DATABASE_URL: database.url,
  REDIS_URL: inject('redisUrl'),
  REDIS_KEY_PREFIX: uniqueRedisPrefix(),
  HUBSPOT_API_BASE_URL: hubspot.url,
  ...extra,
});
const hubspotLine = (run: DoctorRun) => {
  const line = run.checks.get('hubspot');
  if (!line) throw new Error(`no hubspot line in:\n${run.stdout}\n${run.stderr}`);
  return line;
};
const expectNoToken = (run: DoctorRun) => expect(run.stdout + run.stderr).not.toContain(TOKEN);

describe('doctor: HubSpot', { timeout: 90_000 }, () => {
  it('reads the token from Secrets Manager, checks it and its scopes with HubSpot, and the unique booking key', async () => {
    secrets.put('mocks-booking/test/hubspot-token', TOKEN);
    hubspot.tokens = {
      [TOKEN]: [
        'crm.objects.contacts.read',
        'crm.objects.contacts.write',
        'crm.objects.custom.read',
        'crm.objects.custom.write',
      ],
    };
    const run = await runDoctorCli(
      env({
        ...FAKE_AWS_ENV,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
        HUBSPOT_TOKEN_SECRET_ID: 'mocks-booking/test/hubspot-token',
      }),
    );
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.checks.get('secret HUBSPOT_TOKEN_SECRET_ID')?.mark).toBe('✓');
    expect(hubspotLine(run).mark).toBe('✓');
    expect(hubspotLine(run).text).toMatch(
      /app 77 in portal 4242 .*scopes ok; mocks_booking_uuid on bookings \(2-50158943\), mocks_booking_exam_id on mock exams \(2-50158913\) unique/,
    );
    expect(hubspot.requests.some((r) => (r.body as { tokenKey?: string } | undefined)?.tokenKey === TOKEN)).toBe(true);
    expectNoToken(run);
  });

  it('a token HubSpot does not accept: ✗ with the cause and where to get a new one', async () => {
    hubspot.tokens = {};
    const run = await runDoctorCli(env({ HUBSPOT_TOKEN: TOKEN }));
    expect(run.code).toBe(1);
    expect(hubspotLine(run).mark).toBe('✗');
    expect(hubspotLine(run).text).toMatch(/cause: HubSpot does not accept the token/);
    expect(hubspotLine(run).text).toMatch(/Private Apps/);
    expectNoToken(run);
  });

  it('a token without the custom-object write scope: ✗ naming it', async () => {
    hubspot.tokens = {
      [TOKEN]: ['crm.objects.contacts.read', 'crm.objects.contacts.write', 'crm.objects.custom.read'],
    };
    const run = await runDoctorCli(env({ HUBSPOT_TOKEN: TOKEN }));
    expect(run.code).toBe(1);
    expect(hubspotLine(run).text).toMatch(/lacks crm\.objects\.custom\.write/);
    expect(hubspotLine(run).text).toMatch(/cause: The private app lacks scopes/);
  });

  it('a booking key property that is not unique: ✗ with how to create it', async () => {
    hubspot.tokens = undefined;
    hubspot.properties.set('2-50158943/mocks_booking_uuid', { name: 'mocks_booking_uuid', hasUniqueValue: false });
    try {
      const run = await runDoctorCli(env({ HUBSPOT_TOKEN: TOKEN }));
      expect(run.code).toBe(1);
      expect(hubspotLine(run).text).toMatch(/does not require unique values/);
      expect(hubspotLine(run).text).toMatch(/Require unique values for this property/);
    } finally {
      hubspot.properties.set('2-50158943/mocks_booking_uuid', { name: 'mocks_booking_uuid', hasUniqueValue: true });
    }
  });

  it('no session key property on the mock exams object: ✗ naming it', async () => {
    hubspot.tokens = undefined;
    const saved = hubspot.properties.get('2-50158913/mocks_booking_exam_id')!;
    hubspot.properties.delete('2-50158913/mocks_booking_exam_id');
    try {
      const run = await runDoctorCli(env({ HUBSPOT_TOKEN: TOKEN }));
      expect(run.code).toBe(1);
      expect(hubspotLine(run).text).toMatch(/no property mocks_booking_exam_id on mock exams \(2-50158913\)/);
    } finally {
      hubspot.properties.set('2-50158913/mocks_booking_exam_id', saved);
    }
  });

  it('sync off: a pass that says so', async () => {
    const run = await runDoctorCli(env({}));
    expect(hubspotLine(run).mark).toBe('✓');
    expect(hubspotLine(run).text).toMatch(/sync off/);
  });
});
