import { afterAll, describe, expect, it } from 'vitest';
import { createClient } from '../client/src';
import { sleep } from '../server/lib/time';
import { insertContact, insertExam, loginClient } from './helpers/factories';
import { failure } from './helpers/failure';
import { startOidcIssuer } from './helpers/oidcIssuer';
import { useTestService, withTestService } from './helpers/service';

// The school's IdP, over HTTP; the service discovers its keys through the real code path.
const idp = await startOidcIssuer();
afterAll(() => idp.close());

const s = useTestService({ ...idp.env, LOGIN_RATE_LIMIT_PER_IP: '1000' });

const adminClient = (token: string | undefined) => createClient({ url: `${s.url}/api/trpc`, getToken: () => token });
const listWith = (token: string | undefined) => adminClient(token).admin.exams.list.query({});
const now = () => Math.floor(Date.now() / 1000);

describe('admin sign-in: tokens of the school IdP', () => {
  it('accepts a valid token: discovery, JWKS, signature, issuer, audience, expiry', async () => {
    await insertExam(s.db);
    const page = await listWith(await idp.token('admin'));
    expect(page.total).toBeGreaterThan(0);
  });

  it('accepts a token expired by less than the clock skew (30 s)', async () => {
    await expect(listWith(await idp.token('viewer', { claims: { exp: now() - 10 } }))).resolves.toBeTruthy();
  });

  it.each([
    ['no token at all', async () => undefined],
    ['expired beyond the skew', () => idp.token('admin', { claims: { exp: now() - 120 } })],
    ['not yet valid (nbf in 5 min)', () => idp.token('admin', { claims: { nbf: now() + 300 } })],
    ['without exp', () => idp.token('admin', { claims: { exp: undefined } })],
    ['without sub', () => idp.token('admin', { claims: { sub: undefined } })],
    ['from another issuer', () => idp.token('admin', { claims: { iss: 'https://evil.example' } })],
    ['for another audience', () => idp.token('admin', { claims: { aud: 'some-other-app' } })],
    [
      'forged: signed with a key the issuer does not publish, under its kid',
      async () => idp.token('super_admin', { key: await idp.newKey() }),
    ],
    [
      'signed with an unknown kid',
      async () => {
        const key = await idp.newKey();
        return idp.token('super_admin', { key, kid: key.kid });
      },
    ],
    ['alg none', async () => idp.unsignedToken({ 'cognito:groups': ['super_admin'] })],
    ['HS256 keyed with the public key', async () => idp.hmacWithPublicKey({ 'cognito:groups': ['super_admin'] })],
    ['garbage', async () => 'not.a.jwt'],
  ])('refuses a token %s: UNAUTHENTICATED (401)', async (_, make) => {
    const error = await failure(listWith(await make()));
    expect(error).toMatchObject({ appCode: 'UNAUTHENTICATED', httpStatus: 401 });
  });

  it('a flood of unknown kids costs at most one key fetch per cooldown', async () => {
    await listWith(await idp.token('admin'));
    const before = idp.jwksFetches;
    const key = await idp.newKey();
    const forged = await Promise.all(Array.from({ length: 20 }, () => idp.token('admin', { key, kid: key.kid })));
    for (const token of forged) await failure(listWith(token));
    expect(idp.jwksFetches - before).toBeLessThanOrEqual(1);
  });

  it('picks up a key rotation at the issuer without a restart', async () => {
    await listWith(await idp.token('admin'));
    await idp.rotate();
    await sleep(1_100); // the refresh cooldown of this test's configuration
    await expect(listWith(await idp.token('admin'))).resolves.toBeTruthy();
  });

  it('a signed-in admin whose token names no known role is FORBIDDEN', async () => {
    const error = await failure(listWith(await idp.token('students')));
    expect(error).toMatchObject({ appCode: 'FORBIDDEN', httpStatus: 403 });
  });

  it('a student token never reaches an admin procedure, an admin token never a student one', async () => {
    const contact = await insertContact(s.db, { cs_credits: 1 });
    const student = await loginClient(s.url, contact);
    expect(await failure(student.admin.exams.list.query({}))).toMatchObject({ appCode: 'UNAUTHENTICATED' });
    const admin = adminClient(await idp.token('super_admin'));
    expect(await failure(admin.bookings.mine.query({}))).toMatchObject({ appCode: 'UNAUTHENTICATED' });
  });

  it('accepts the lower-case bearer scheme', async () => {
    const token = await idp.token('admin');
    const lower = createClient({ url: `${s.url}/api/trpc`, headers: { authorization: `bearer ${token}` } });
    await expect(lower.admin.exams.list.query({})).resolves.toBeTruthy();
  });
});

describe('admin sign-in: configuration', () => {
  it('maps IdP groups to roles (ADMIN_ROLE_MAP) from the configured claim (ADMIN_ROLE_CLAIM)', async () => {
    await withTestService(
      { ...idp.env, ADMIN_ROLE_CLAIM: 'roles', ADMIN_ROLE_MAP: 'Front Desk=viewer,Mocks Team=admin' },
      async (svc) => {
        const list = async () =>
          createClient({ url: `${svc.url}/api/trpc`, getToken: () => token }).admin.exams.list.query({});
        let token = await idp.token([], { claims: { roles: ['Front Desk'] } });
        await expect(list()).resolves.toBeTruthy();
        // The group is not mapped: its literal role name counts for nothing once a map is configured.
        token = await idp.token([], { claims: { roles: ['admin'] } });
        expect(await failure(list())).toMatchObject({ appCode: 'FORBIDDEN' });
        // cognito:groups is ignored when the claim is configured as roles.
        token = await idp.token('Mocks Team');
        expect(await failure(list())).toMatchObject({ appCode: 'FORBIDDEN' });
      },
    );
  });

  it('answers SERVICE_UNAVAILABLE (503) when the issuer cannot be reached, not 401 or 500', async () => {
    const token = await idp.token('admin');
    await withTestService(
      { ADMIN_OIDC_ISSUER: 'http://127.0.0.1:9', ADMIN_OIDC_AUDIENCE: idp.audience },
      async (svc) => {
        const client = createClient({ url: `${svc.url}/api/trpc`, getToken: () => token });
        expect(await failure(client.admin.exams.list.query({}))).toMatchObject({
          appCode: 'SERVICE_UNAVAILABLE',
          httpStatus: 503,
        });
      },
    );
  });

  it('without an issuer configured, admin procedures answer UNAUTHENTICATED', async () => {
    const token = await idp.token('admin');
    await withTestService({}, async (svc) => {
      const client = createClient({ url: `${svc.url}/api/trpc`, getToken: () => token });
      expect(await failure(client.admin.exams.list.query({}))).toMatchObject({ appCode: 'UNAUTHENTICATED' });
    });
  });
});
