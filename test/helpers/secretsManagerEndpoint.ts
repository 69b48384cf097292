import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local HTTP endpoint speaking Secrets Manager's JSON protocol (GetSecretValue), so tests run the
 * real @aws-sdk/client-secrets-manager against it (`AWS_ENDPOINT_URL_SECRETS_MANAGER`).
 */
export interface SecretsManagerEndpoint {
  url: string;
  /** Sets (or replaces: rotation) a secret's SecretString. */
  put(secretId: string, value: string | Record<string, unknown>): void;
  /** Makes reads of a secret fail with AccessDeniedException (an IAM policy that does not allow it). */
  deny(secretId: string): void;
  /** How many times each secret was read. */
  reads: Map<string, number>;
  close(): Promise<void>;
}

/** Credentials the SDK needs to sign requests; the endpoint does not check them. */
export const FAKE_AWS_ENV = {
  AWS_REGION: 'ca-central-1',
  AWS_ACCESS_KEY_ID: 'AKIDTESTONLY',
  AWS_SECRET_ACCESS_KEY: 'test-only-secret-key',
};

export async function startSecretsManagerEndpoint(): Promise<SecretsManagerEndpoint> {
  const secrets = new Map<string, { value: string; version: number }>();
  const denied = new Set<string>();
  const reads = new Map<string, number>();

  const fail = (res: import('node:http').ServerResponse, type: string, message: string) => {
    res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type });
    res.end(JSON.stringify({ __type: type, message }));
  };

  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      if (target !== 'secretsmanager.GetSecretValue')
        return fail(res, 'InvalidRequestException', `unsupported operation ${target}`);
      const { SecretId } = JSON.parse(body || '{}') as { SecretId?: string };
      if (!SecretId) return fail(res, 'InvalidParameterException', 'SecretId is required');
      reads.set(SecretId, (reads.get(SecretId) ?? 0) + 1);
      if (denied.has(SecretId)) {
        return fail(
          res,
          'AccessDeniedException',
          `User: arn:aws:sts::123456789012:assumed-role/app is not authorized to perform: secretsmanager:GetSecretValue on resource: ${SecretId}`,
        );
      }
      const secret = secrets.get(SecretId);
      if (!secret) return fail(res, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(
        JSON.stringify({
          ARN: `arn:aws:secretsmanager:ca-central-1:123456789012:secret:${SecretId}-AbCdEf`,
          Name: SecretId,
          SecretString: secret.value,
          VersionId: `v${secret.version}`,
          VersionStages: ['AWSCURRENT'],
          CreatedDate: Date.now() / 1000,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    put(secretId, value) {
      const previous = secrets.get(secretId);
      secrets.set(secretId, {
        value: typeof value === 'string' ? value : JSON.stringify(value),
        version: (previous?.version ?? 0) + 1,
      });
    },
    deny: (secretId) => void denied.add(secretId),
    reads,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
