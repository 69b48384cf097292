import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { PostgresConfig } from './config';

/**
 * pg's TLS settings for a DB_SSL_MODE. verify-full checks the certificate chain (against DB_SSL_CA,
 * e.g. the RDS global bundle, or the system store) and the host name. Certificate checks are only
 * ever off when the operator chose `require` explicitly.
 */
export function tlsOptions(ssl: PostgresConfig['ssl']): false | ConnectionOptions {
  switch (ssl.mode) {
    case 'disable':
      return false;
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-full':
      return { rejectUnauthorized: true, ...(ssl.caPath ? { ca: readFileSync(ssl.caPath, 'utf8') } : {}) };
  }
}
