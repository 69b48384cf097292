import { describe, expect, it } from 'vitest';
import { createClient } from '../client/src';
import { ConfigError, loadConfig } from '../server/config';
import { insertContact } from './helpers/factories';
import { failure } from './helpers/failure';
import { useTestService } from './helpers/service';

/** TRUST_PROXY takes a hop count or proxy subnets, never "trust every hop" in production (issue 18 item 6). */

const production = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://app@db.internal/booking',
  REDIS_URL: 'redis://cache.internal:6379',
  SESSION_SECRET: 'x'.repeat(32),
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

describe('TRUST_PROXY settings', () => {
  it('refuses "true" in production, naming the alternatives', () => {
    expect(problemsOf({ ...production, TRUST_PROXY: 'true' })).toEqual([
      expect.stringMatching(
        /^TRUST_PROXY: "true" trusts every X-Forwarded-For hop; use a hop count \(1 behind one ALB\)/,
      ),
    ]);
  });

  it('accepts a hop count and subnets in production', () => {
    expect(loadConfig({ ...production, TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ ...production, TRUST_PROXY: '10.0.0.0/16, 10.1.0.0/16,loopback' }).trustProxy).toEqual([
      '10.0.0.0/16',
      '10.1.0.0/16',
      'loopback',
    ]);
  });

  it('refuses entries that are neither addresses nor subnets', () => {
    expect(problemsOf({ TRUST_PROXY: '10.0.0.0/16, alb.internal, 10.0.0.0/40' })).toEqual([
      'TRUST_PROXY: not a hop count, address, subnet or loopback/linklocal/uniquelocal: "alb.internal", "10.0.0.0/40"',
    ]);
  });
});

describe('behind one ALB (TRUST_PROXY=1)', () => {
  const s = useTestService({ TRUST_PROXY: '1', LOGIN_RATE_LIMIT_PER_IP: '3' });

  it('takes the client IP the ALB appended: rotating the entries before it does not escape the per-IP limit', async () => {
    const contact = await insertContact(s.db);
    const login = (forwardedFor: string) =>
      createClient({ url: `${s.url}/api/trpc`, headers: { 'x-forwarded-for': forwardedFor } }).auth.login.mutate({
        studentId: contact.studentId,
        email: contact.email,
      });
    for (let i = 1; i <= 3; i++) await login(`10.9.9.${i}, 203.0.113.50`);
    const refused = await failure(login('10.9.9.99, 203.0.113.50'));
    expect(refused.appCode).toBe('RATE_LIMITED');
    // Another client (another address appended by the ALB) is its own budget.
    expect((await login('10.9.9.99, 203.0.113.51')).contact.contactId).toBe(contact.contactId);
  });
});
