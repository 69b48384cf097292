import { SecretError, type SecretReader } from '../../db/secrets';
import type { Config } from '../config';
import { retryDelayMs, sleep } from '../lib/time';
import type { Logger } from '../logger';
import { parseRedisSecret, parseSessionSecret } from './shapes';

/** Reads a secret, retrying transient failures with backoff; a permanent one is thrown at once. */
async function readWithRetry(read: SecretReader, secretId: string, log: Logger): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await read(secretId);
    } catch (err) {
      if (!(err instanceof SecretError) || err.permanent) throw err;
      const retryInMs = retryDelayMs(attempt);
      log.warn({ err: err.message, retryInMs }, 'secrets manager: read failed; retrying');
      await sleep(retryInMs);
    }
  }
}

/**
 * Fills the Redis and session secrets into the configuration at start. (Database credentials are
 * read by their credential source, which also re-reads them when RDS rotates the password.)
 */
export async function applyStartupSecrets(config: Config, read: SecretReader, log: Logger): Promise<Config> {
  let { redis, session } = config;
  if (redis.kind === 'redis' && redis.secretId) {
    const secret = parseRedisSecret(redis.secretId, await readWithRetry(read, redis.secretId, log));
    redis = {
      ...redis,
      password: secret.password,
      username: secret.username ?? redis.username,
      host: secret.host ?? redis.host,
      port: secret.port ?? redis.port,
    };
  }
  if (session.secretId) {
    session = {
      ...session,
      secret: parseSessionSecret(session.secretId, await readWithRetry(read, session.secretId, log)),
      secretIsEphemeral: false,
    };
  }
  return { ...config, redis, session };
}
