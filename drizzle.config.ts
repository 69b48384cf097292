import { mkdirSync } from 'node:fs';
import { defineConfig } from 'drizzle-kit';
import { acquireDataDirLock, DataDirLockedError } from './db/dataDirLock';
import { tlsOptions } from './db/tls';
import { loadConfig } from './server/config';

// drizzle-kit reads the same configuration as the service, so `db:studio` opens the database the
// service would use: the embedded PGlite directory when nothing is configured.
const { database } = loadConfig(process.env);

// Studio opens the embedded folder inside this (drizzle-kit's) process, so it takes the folder's lock as
// the server does (db/dataDirLock.ts): refused while a server has it open, and a running studio makes a
// server refuse. Held until drizzle-kit exits. generate/check never open a database and take nothing.
if (database.kind === 'pglite' && process.argv.includes('studio')) {
  mkdirSync(database.dataDir, { recursive: true });
  try {
    acquireDataDirLock(database.dataDir, 'db:studio');
  } catch (err) {
    if (!(err instanceof DataDirLockedError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}

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
