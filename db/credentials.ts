import type pg from 'pg';
import type { PostgresConfig } from './config';
import { databaseSecretHost, parseDatabaseSecret, type SecretReader } from './secrets';

/** What a new connection needs to know about where and as whom to connect. */
export interface ConnectionCredentials {
  host: string;
  port: number;
  database: string;
  user: string;
  /** A value, or (IAM) a function pg calls for each new connection. */
  password: string | (() => Promise<string>) | undefined;
}

export interface CredentialSource {
  /** The credentials for the next connection; loads them first if they never were. */
  current(): Promise<ConnectionCredentials>;
  /**
   * Called when Postgres refused the password (28P01): re-reads the secret once for everyone
   * waiting, at most once per interval. True when there is something new worth retrying with.
   */
  refreshAfterAuthFailure(): Promise<boolean>;
}

const MIN_REFRESH_INTERVAL_MS = 5_000;

/**
 * Credentials from the environment, from a Secrets Manager secret (RDS-managed or full shape), and
 * optionally an IAM token instead of the password.
 */
export function createCredentialSource(
  cfg: PostgresConfig,
  deps: { readSecret?: SecretReader; region?: string | undefined } = {},
): CredentialSource {
  const fromEnv: ConnectionCredentials = {
    host: cfg.host,
    port: cfg.port,
    database: cfg.database,
    user: cfg.user,
    password: cfg.password,
  };

  const withIam = (c: ConnectionCredentials): ConnectionCredentials => {
    if (!cfg.iamAuth) return c;
    // The signer is loaded on first use, like the Secrets Manager SDK.
    const signer = import('@aws-sdk/rds-signer').then(
      ({ Signer }) => new Signer({ hostname: c.host, port: c.port, username: c.user, region: deps.region }),
    );
    return { ...c, password: async () => (await signer).getAuthToken() };
  };

  const secretId = cfg.secretId;
  const readSecret = deps.readSecret;
  if (!secretId || !readSecret) {
    const fixed = withIam(fromEnv);
    return { current: async () => fixed, refreshAfterAuthFailure: async () => false };
  }

  let loaded: Promise<ConnectionCredentials> | undefined;
  let refreshing: Promise<boolean> | undefined;
  let lastRefresh = 0;

  const load = async (): Promise<ConnectionCredentials> => {
    const secret = parseDatabaseSecret(secretId, await readSecret(secretId));
    const host = databaseSecretHost(secretId, secret, cfg.host);
    return withIam({
      host,
      port: secret.port ?? cfg.port,
      database: secret.dbname ?? cfg.database,
      user: secret.username,
      password: secret.password,
    });
  };

  return {
    current() {
      // A failed load is forgotten, so the next connection attempt tries again.
      loaded ??= load().catch((err: unknown) => {
        loaded = undefined;
        throw err;
      });
      return loaded;
    },
    refreshAfterAuthFailure() {
      if (refreshing) return refreshing;
      if (Date.now() - lastRefresh < MIN_REFRESH_INTERVAL_MS) return Promise.resolve(false);
      lastRefresh = Date.now();
      const previous = loaded;
      refreshing = (async () => {
        try {
          const before = previous ? await previous.catch(() => undefined) : undefined;
          const next = load();
          const fresh = await next;
          loaded = next;
          return (
            before === undefined ||
            fresh.password !== before.password ||
            fresh.user !== before.user ||
            fresh.host !== before.host
          );
        } finally {
          refreshing = undefined;
        }
      })();
      return refreshing;
    },
  };
}

const isAuthFailure = (err: unknown) => (err as { code?: string } | null)?.code === '28P01';

type ConnectCallback = (err: Error | undefined, client?: pg.PoolClient, release?: (err?: Error) => void) => void;

/**
 * A pg.Pool whose connections take their credentials from a source at the moment they are made,
 * and which, when Postgres refuses the password (RDS rotated it), re-reads the secret once and
 * retries. pg-pool's query() goes through connect(), so both paths are covered.
 *
 * Every client it makes handles its own 'error' event. pg-pool listens only while a client is idle;
 * a client checked out (inside a transaction, or between a query and its release) whose server goes
 * away emits 'error' with nobody listening, and Node turns that into a process crash. The handler
 * only reports: the failed query rejects on its own, and the pool discards the client on release
 * because it is no longer queryable.
 */
export function credentialedPool(
  PoolClass: typeof pg.Pool,
  ClientClass: typeof pg.Client,
  options: pg.PoolConfig,
  source: CredentialSource,
  onConnectionLost: (err: Error) => void,
): pg.Pool {
  // The credentials the pool's next new client is built with: pg-pool constructs clients
  // synchronously inside connect() (or later from its queue), always after `next` was refreshed.
  let next: ConnectionCredentials | undefined;
  class SourcedClient extends ClientClass {
    constructor(config?: pg.ClientConfig) {
      super({ ...config, ...next });
      this.once('error', onConnectionLost);
      // Later errors of the same dead connection (pg can emit more than one) are already reported.
      this.on('error', () => undefined);
    }
  }
  class SourcedPool extends PoolClass {
    override connect(): Promise<pg.PoolClient>;
    override connect(callback: ConnectCallback): void;
    override connect(callback?: ConnectCallback): Promise<pg.PoolClient> | undefined {
      const attempt = async (): Promise<pg.PoolClient> => {
        const used = await source.current();
        next = used;
        try {
          return await super.connect();
        } catch (err) {
          if (!isAuthFailure(err)) throw err;
          // Refused with what this attempt read. If another connection re-read the secret meanwhile
          // (its refusal came first), retry with what it found: asking for a refresh of our own would
          // be turned down inside the refresh interval, and this connection would fail after rotation.
          const renewed = (await source.current()) !== used || (await source.refreshAfterAuthFailure());
          if (!renewed) throw err;
          next = await source.current();
          return super.connect();
        }
      };
      if (!callback) return attempt();
      attempt().then(
        (client) => callback(undefined, client, (e?: Error) => client.release(e)),
        (err: Error) => callback(err),
      );
    }
  }
  return new SourcedPool({ ...options, Client: SourcedClient });
}
