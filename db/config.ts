/**
 * What db needs to open a database, as plain settings. The service builds them from its environment
 * (server/config); tests and tools may build them however they like. db never reads the environment.
 */

export const SSL_MODES = ['disable', 'require', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

export interface PostgresConfig {
  kind: 'postgres';
  /** Empty when the host comes from the database secret (its full shape). */
  host: string;
  port: number;
  database: string;
  user: string;
  password: string | undefined;
  poolMax: number;
  poolMin: number;
  /** A separate pool for booking/cancel transactions (see db/client.ts). */
  bookingPoolMax: number;
  /** Booking-pool connections kept open when idle, warm for the next release (see db/client.ts). */
  bookingPoolMin: number;
  idleTimeoutMs: number;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  ssl: { mode: SslMode; caPath: string | undefined };
  /** Secrets Manager secret with the credentials (RDS-managed or full shape), re-read on 28P01. */
  secretId: string | undefined;
  /** Authenticate with a fresh RDS IAM token per connection instead of a password. */
  iamAuth: boolean;
}

export interface PgliteConfig {
  kind: 'pglite';
  dataDir: string;
}

export type DatabaseConfig = PostgresConfig | PgliteConfig;
