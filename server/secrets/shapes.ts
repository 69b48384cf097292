import { z } from 'zod';
import { SecretError } from './secretsManager';

/**
 * Database credentials as RDS keeps them: the managed shape `{ username, password }` (host, port and
 * database from the environment) or the full shape `{ engine, host, port, username, password, dbname }`.
 */
const databaseSecret = z.object({
  username: z.string().min(1),
  password: z.string(),
  host: z.string().min(1).optional(),
  port: z.coerce.number().int().positive().optional(),
  dbname: z.string().min(1).optional(),
  engine: z.string().optional(),
});
export type DatabaseSecret = z.infer<typeof databaseSecret>;

/** A Redis AUTH token: a plain string, or `{ password }` with an optional username/host/port. */
const redisSecret = z.object({
  password: z.string().min(1),
  username: z.string().min(1).optional(),
  host: z.string().min(1).optional(),
  port: z.coerce.number().int().positive().optional(),
});
export type RedisSecret = z.infer<typeof redisSecret>;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function shaped<T>(schema: z.ZodType<T>, secretId: string, value: unknown, expected: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.') || '(value)').join(', ');
    throw new SecretError(secretId, `secret ${secretId} is not ${expected} (check: ${fields})`, true);
  }
  return parsed.data;
}

export const parseDatabaseSecret = (secretId: string, text: string) =>
  shaped(
    databaseSecret,
    secretId,
    parseJson(text),
    'an RDS credentials secret ({ "username", "password" }, optionally host/port/dbname)',
  );

export function parseRedisSecret(secretId: string, text: string): RedisSecret {
  const json = parseJson(text);
  return shaped(
    redisSecret,
    secretId,
    typeof json === 'object' && json !== null ? json : { password: text },
    'a Redis AUTH secret',
  );
}

/** The session-signing secret: a plain string, or JSON with one string field (`secret`, `SESSION_SECRET`). */
export function parseSessionSecret(secretId: string, text: string): string {
  const json = parseJson(text);
  const value =
    typeof json === 'object' && json !== null
      ? ((json as Record<string, unknown>).secret ?? (json as Record<string, unknown>).SESSION_SECRET)
      : text;
  if (typeof value !== 'string' || value.length < 32)
    throw new SecretError(secretId, `secret ${secretId} must hold a session secret of 32+ characters`, true);
  return value;
}
