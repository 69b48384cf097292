import { describe, expect, it } from 'vitest';
import { masker, sensitiveFromEnv } from '../tools/doctor/mask';

const PASSWORD = '52JNc-2#$$)r_|n=_57a9G^ad6%oC]cE';

describe('doctor: no password in the output', () => {
  it('masks passwords from the environment in every spelling', () => {
    const mask = masker(
      sensitiveFromEnv({ DB_PASSWORD: PASSWORD, REDIS_PASSWORD: 'redis-token-123', SESSION_SECRET: 's'.repeat(40) }),
    );
    const text = `pw=${PASSWORD} url=postgres://app:${encodeURIComponent(PASSWORD)}@db/x json=${JSON.stringify(PASSWORD)} redis-token-123 ${'s'.repeat(40)}`;
    const masked = mask(text);
    expect(masked).not.toContain(PASSWORD);
    expect(masked).not.toContain(encodeURIComponent(PASSWORD));
    expect(masked).not.toContain('redis-token-123');
    expect(masked).not.toContain('s'.repeat(40));
    expect(masked).toContain('postgres://app:***@db/x');
  });

  it('finds the password of a DATABASE_URL, also one too broken to parse', () => {
    const parsed = sensitiveFromEnv({ DATABASE_URL: `postgres://app:${encodeURIComponent(PASSWORD)}@db:5432/x` });
    expect(parsed).toContain(PASSWORD);
    const broken = sensitiveFromEnv({ DATABASE_URL: `postgres://app:${PASSWORD}@db:5432/x` });
    expect(masker(broken)(`got postgres://app:${PASSWORD}@db:5432/x`)).toBe('got postgres://app:***@db:5432/x');
  });

  it('masks values learned while running (a secret read from Secrets Manager)', () => {
    const sensitive = new Set<string>();
    const mask = masker(sensitive);
    sensitive.add(PASSWORD);
    expect(mask(`{"password":"${PASSWORD}"}`)).toBe('{"password":"***"}');
  });

  it('masks any user:password@ in a URL even when the value is unknown', () => {
    expect(masker(new Set())('redis://default:whatever@cache:6379')).toBe('redis://default:***@cache:6379');
  });

  it('masks a known value only as a whole token, never inside a word (password "x")', () => {
    const mask = masker(sensitiveFromEnv({ DB_PASSWORD: 'x', DATABASE_URL: 'postgres://app:x@db:5432/x_db' }));
    expect(mask('database "x_db" does not exist')).toBe('database "x_db" does not exist');
    expect(mask('password authentication failed: got "x"')).toBe('password authentication failed: got "***"');
    expect(mask('connect postgres://app:x@db:5432/x_db')).toBe('connect postgres://app:***@db:5432/x_db');
  });
});
