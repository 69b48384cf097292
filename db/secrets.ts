import { z } from 'zod';

/**
 * What db needs from a secret store: something that reads a secret's text by id. The service passes
 * its Secrets Manager reader in (server/secrets); db never builds one.
 */
export type SecretReader = (secretId: string) => Promise<string>;

/** A secret that cannot be read, or does not hold what it should. */
export class SecretError extends Error {
  /** Its message names the secret and the AWS error: health and logs show it as is. */
  readonly operatorMessage = true;
  constructor(
    readonly secretId: string,
    message: string,
    /** True when retrying cannot help: the operator must change the secret, its name or the IAM policy. */
    readonly permanent: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SecretError';
  }
}

/** The secret's text as JSON, or undefined when it is not JSON (a plain-string secret). */
export function parseSecretJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `value` checked against `schema`; a mismatch names the fields to check, never the values. */
export function secretOfShape<T>(schema: z.ZodType<T>, secretId: string, value: unknown, expected: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.') || '(value)').join(', ');
    throw new SecretError(secretId, `secret ${secretId} is not ${expected} (check: ${fields})`, true);
  }
  return parsed.data;
}

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

export const parseDatabaseSecret = (secretId: string, text: string): DatabaseSecret =>
  secretOfShape(
    databaseSecret,
    secretId,
    parseSecretJson(text),
    'an RDS credentials secret ({ "username", "password" }, optionally host/port/dbname)',
  );

/** The host to connect to: the full-shape secret's own, else DB_HOST; neither is a broken setup. */
export function databaseSecretHost(secretId: string, secret: DatabaseSecret, configuredHost: string): string {
  const host = secret.host ?? configuredHost;
  if (!host) throw new SecretError(secretId, `secret ${secretId} has no host and DB_HOST is not set`, true);
  return host;
}
