import { databaseSecretHost, parseDatabaseSecret, type SecretReader } from '../../db/secrets';
import type { Config } from '../../server/config';
import { parseRedisSecret, parseSessionSecret } from '../../server/secrets/shapes';
import { parseToken } from '../../server/sync/token';
import type { Outcome } from './check';

/** One Secrets Manager secret the configuration names, and how to read its shape. */
export interface NamedSecret {
  /** The check's name, e.g. "secret DB_SECRET_ID". */
  variable: 'DB_SECRET_ID' | 'REDIS_SECRET_ID' | 'SESSION_SECRET_ID' | 'HUBSPOT_TOKEN_SECRET_ID';
  secretId: string;
  /** Parses the value as the service would; returns what may be shown and what must never be. */
  inspect(text: string): { shown: string; sensitive: string[] };
}

export function namedSecrets(config: Config): NamedSecret[] {
  const found: NamedSecret[] = [];
  const db = config.database;
  if (db.kind === 'postgres' && db.secretId) {
    const secretId = db.secretId;
    found.push({
      variable: 'DB_SECRET_ID',
      secretId,
      inspect(text) {
        const s = parseDatabaseSecret(secretId, text);
        // The credential source refuses a secret without a host too, but only at the first connection.
        const host = databaseSecretHost(secretId, s, db.host);
        const shape = s.host
          ? `full shape (host ${s.host}${s.port ? `:${s.port}` : ''}${s.dbname ? `, dbname ${s.dbname}` : ''})`
          : `RDS-managed shape (host from DB_HOST: ${host})`;
        return { shown: `user "${s.username}", ${shape}`, sensitive: [s.password] };
      },
    });
  }
  if (config.redis.kind === 'redis' && config.redis.secretId) {
    const secretId = config.redis.secretId;
    found.push({
      variable: 'REDIS_SECRET_ID',
      secretId,
      inspect(text) {
        const s = parseRedisSecret(secretId, text);
        return {
          shown: `AUTH token${s.username ? ` for user "${s.username}"` : ''}${s.host ? `, host ${s.host}` : ''}`,
          sensitive: [s.password],
        };
      },
    });
  }
  if (config.session.secretId) {
    const secretId = config.session.secretId;
    found.push({
      variable: 'SESSION_SECRET_ID',
      secretId,
      inspect(text) {
        const secret = parseSessionSecret(secretId, text);
        return { shown: `session secret of ${secret.length} characters`, sensitive: [secret] };
      },
    });
  }
  if (config.hubspot.tokenSecretId && !config.hubspot.token) {
    found.push({
      variable: 'HUBSPOT_TOKEN_SECRET_ID',
      secretId: config.hubspot.tokenSecretId,
      inspect(text) {
        const token = parseToken(text);
        return { shown: `HubSpot private app token of ${token.length} characters`, sensitive: [token] };
      },
    });
  }
  return found;
}

/** Reads one secret once (no retry loop: doctor reports, it does not wait) and checks its shape. */
export async function checkSecret(secret: NamedSecret, read: SecretReader, sensitive: Set<string>): Promise<Outcome> {
  const text = await read(secret.secretId);
  sensitive.add(text);
  const { shown, sensitive: values } = secret.inspect(text);
  for (const v of values) sensitive.add(v);
  return { detail: `"${secret.secretId}": ${shown}` };
}

/** A reader that serves what the checks already fetched, so later steps reuse, not re-read, them. */
export function rememberingReader(read: SecretReader): SecretReader {
  const fetched = new Map<string, string>();
  return async (secretId) => {
    const known = fetched.get(secretId);
    if (known !== undefined) return known;
    const text = await read(secretId);
    fetched.set(secretId, text);
    return text;
  };
}
