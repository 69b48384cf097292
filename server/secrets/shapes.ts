import { z } from 'zod';
import { parseSecretJson, SecretError, secretOfShape } from '../../db/secrets';

/** A Redis AUTH token: a plain string, or `{ password }` with an optional username/host/port. */
const redisSecret = z.object({
  password: z.string().min(1),
  username: z.string().min(1).optional(),
  host: z.string().min(1).optional(),
  port: z.coerce.number().int().positive().optional(),
});
export type RedisSecret = z.infer<typeof redisSecret>;

export function parseRedisSecret(secretId: string, text: string): RedisSecret {
  const json = parseSecretJson(text);
  return secretOfShape(
    redisSecret,
    secretId,
    typeof json === 'object' && json !== null ? json : { password: text },
    'a Redis AUTH secret',
  );
}

/** The session-signing secret: a plain string, or JSON with one string field (`secret`, `SESSION_SECRET`). */
export function parseSessionSecret(secretId: string, text: string): string {
  const json = parseSecretJson(text);
  const value =
    typeof json === 'object' && json !== null
      ? ((json as Record<string, unknown>).secret ?? (json as Record<string, unknown>).SESSION_SECRET)
      : text;
  if (typeof value !== 'string' || value.length < 32)
    throw new SecretError(secretId, `secret ${secretId} must hold a session secret of 32+ characters`, true);
  return value;
}
