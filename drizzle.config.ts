import { defineConfig } from 'drizzle-kit';
import { tlsOptions } from './db/tls';
import { loadConfig } from './server/config';

// drizzle-kit reads the same configuration as the service, so `db:studio` opens the database the
// service would use: the embedded PGlite directory when nothing is configured.
const { database } = loadConfig(process.env);

export default defineConfig({
  dialect: 'postgresql',
  schema: './db/schema/index.ts',
  out: './db/migrations',
  strict: true,
  verbose: true,
  ...(database.kind === 'pglite'
    ? { driver: 'pglite' as const, dbCredentials: { url: database.dataDir } }
    : {
        dbCredentials: database.password
          ? {
              host: database.host,
              port: database.port,
              database: database.database,
              user: database.user,
              password: database.password,
              // The service's own TLS rules (DB_SSL_MODE / DB_SSL_CA); a secret-only setup needs DB_* for studio.
              ssl: tlsOptions(database.ssl),
            }
          : // drizzle-kit insists on a password in this form; without one (trust/peer auth) use its URL form.
            {
              url: `postgres://${encodeURIComponent(database.user)}@${database.host}:${database.port}/${encodeURIComponent(database.database)}`,
            },
      }),
});
