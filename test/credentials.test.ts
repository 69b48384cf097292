import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCredentialSource } from '../db/credentials';
import { loadConfig, type PostgresConfig } from '../server/config';
import { createSecretReader } from '../server/secrets/secretsManager';
import {
  FAKE_AWS_ENV,
  type SecretsManagerEndpoint,
  startSecretsManagerEndpoint,
} from './helpers/secretsManagerEndpoint';

let endpoint: SecretsManagerEndpoint;
beforeAll(async () => {
  endpoint = await startSecretsManagerEndpoint();
  Object.assign(process.env, FAKE_AWS_ENV); // the SDKs' credential chain reads these
});
afterAll(() => endpoint.close());

function postgresConfig(env: Record<string, string>): PostgresConfig {
  const cfg = loadConfig({
    DB_HOST: 'mocks.abc123.ca-central-1.rds.amazonaws.com',
    DB_PORT: '5432',
    DB_NAME: 'prepdoctors',
    DB_USER: 'mocks_app',
    AWS_REGION: 'ca-central-1',
    ...env,
  }).database;
  if (cfg.kind !== 'postgres') throw new Error('expected postgres');
  return cfg;
}

describe('database credential source', () => {
  it('with DB_IAM_AUTH signs a fresh RDS auth token for each new connection (no password in the config)', async () => {
    const source = createCredentialSource(postgresConfig({ DB_IAM_AUTH: 'true', DB_SSL_MODE: 'verify-full' }), {
      region: 'ca-central-1',
    });
    const { password, host, user } = await source.current();
    expect(typeof password).toBe('function');
    const token = await (password as () => Promise<string>)();
    expect(token).toMatch(/^mocks\.abc123\.ca-central-1\.rds\.amazonaws\.com:5432\/\?Action=connect&DBUser=mocks_app&/);
    expect(token).toContain('X-Amz-Signature=');
    expect([host, user]).toEqual(['mocks.abc123.ca-central-1.rds.amazonaws.com', 'mocks_app']);
  });

  it('re-reads a rotated secret once however many connections fail at the same moment', async () => {
    endpoint.put('rds/rotating', { username: 'mocks_app', password: 'old-password' });
    const read = createSecretReader({ region: 'ca-central-1', secretsManagerEndpoint: endpoint.url });
    const source = createCredentialSource(postgresConfig({ DB_SECRET_ID: 'rds/rotating' }), { readSecret: read });
    expect((await source.current()).password).toBe('old-password');
    expect(endpoint.reads.get('rds/rotating')).toBe(1);

    endpoint.put('rds/rotating', { username: 'mocks_app', password: 'new-password' });
    const refreshed = await Promise.all(Array.from({ length: 10 }, () => source.refreshAfterAuthFailure()));
    expect(refreshed).toEqual(Array(10).fill(true));
    expect(endpoint.reads.get('rds/rotating')).toBe(2);
    expect((await source.current()).password).toBe('new-password');

    // Another failure right after: no second read (a wrong password must not hammer Secrets Manager).
    expect(await source.refreshAfterAuthFailure()).toBe(false);
    expect(endpoint.reads.get('rds/rotating')).toBe(2);
  });

  it('forgets a failed first read, so the next connection attempt reads again', async () => {
    const read = createSecretReader({ region: 'ca-central-1', secretsManagerEndpoint: endpoint.url });
    const source = createCredentialSource(postgresConfig({ DB_SECRET_ID: 'rds/later' }), { readSecret: read });
    await expect(source.current()).rejects.toThrow(/ResourceNotFoundException/);
    endpoint.put('rds/later', { username: 'mocks_app', password: 'p' });
    await expect(source.current()).resolves.toMatchObject({ user: 'mocks_app', password: 'p' });
  });
});
