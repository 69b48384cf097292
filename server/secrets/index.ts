import type { SecretReader } from '../../db/secrets';
import type { Config } from '../config';
import { createSecretReader } from './secretsManager';

export { SecretError, type SecretReader } from '../../db/secrets';
export { applyStartupSecrets } from './resolve';

/** A Secrets Manager reader when the configuration names any secret; none otherwise (dev). */
export function secretReaderFor(config: Config): SecretReader | undefined {
  const named =
    (config.database.kind === 'postgres' && config.database.secretId) ||
    (config.redis.kind === 'redis' && config.redis.secretId) ||
    config.session.secretId ||
    config.hubspot.tokenSecretId;
  return named ? createSecretReader(config.aws) : undefined;
}
