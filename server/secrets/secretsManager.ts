import { SecretError, type SecretReader } from '../../db/secrets';
import type { Config } from '../config';

/** Errors a retry cannot fix: the operator must change the secret, its name or the IAM policy. */
const PERMANENT = new Set([
  'ResourceNotFoundException',
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidRequestException',
  'DecryptionFailure',
  'InvalidParameterException',
]);

/** Reads secrets with the official SDK (credentials from the usual chain: instance role, env, …). */
export function createSecretReader(aws: Config['aws']): SecretReader {
  // Loaded on first use: a process with no secret configured never pays for the SDK (~60 MB RSS).
  const sdk = import('@aws-sdk/client-secrets-manager');
  const client = sdk.then(
    ({ SecretsManagerClient }) =>
      new SecretsManagerClient({
        region: aws.region,
        ...(aws.secretsManagerEndpoint ? { endpoint: aws.secretsManagerEndpoint } : {}),
        maxAttempts: 3,
      }),
  );
  return async (secretId) => {
    try {
      const { GetSecretValueCommand } = await sdk;
      const { SecretString } = await (await client).send(new GetSecretValueCommand({ SecretId: secretId }));
      if (SecretString === undefined)
        throw new SecretError(
          secretId,
          `secret ${secretId} has no SecretString (binary secrets are not supported)`,
          true,
        );
      return SecretString;
    } catch (err) {
      if (err instanceof SecretError) throw err;
      const name = (err as { name?: string }).name ?? 'Error';
      throw new SecretError(
        secretId,
        `reading secret ${secretId} failed: ${name}: ${(err as Error).message}`,
        PERMANENT.has(name),
        { cause: err },
      );
    }
  };
}
