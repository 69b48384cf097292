import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { openPostgres } from '../../db/client';
import { migrateDatabase } from '../../db/migrate';
import { loadConfig } from '../../server/config';

/**
 * A second, throwaway PostgreSQL that behaves like RDS with rds.force_ssl=1: TLS only (pg_hba has
 * nothing but `hostssl … scram-sha-256` lines), a server certificate for DNS:localhost signed by a
 * CA generated here, and real password checks, unlike the local cluster's `trust`. Tests of TLS
 * modes, certificate failures and passwords run against it; nothing here is mocked.
 */
export interface TlsPostgres {
  /** The name on the certificate; 127.0.0.1 is deliberately not on it. */
  host: 'localhost';
  port: number;
  /** The CA that signed the server certificate. */
  caPath: string;
  /** A CA that signed nothing this server presents. */
  otherCaPath: string;
  /** A login role and a database it owns; with `migrated`, the service's migrations are applied. */
  createRoleWithDatabase(options: {
    password: string;
    migrated?: boolean;
  }): Promise<{ user: string; database: string; password: string }>;
  /** The DB_* variables for a role, with verify-full against the right CA. */
  env(role: { user: string; database: string; password: string }): Record<string, string>;
  /** A superuser connection (TLS, verified) for arranging things, to `postgres` or the named database. */
  admin(database?: string): Promise<pg.Client>;
  /**
   * The server side of a failover, as clients see it: `restart` is `pg_ctl restart -m fast` (an RDS
   * reboot or Multi-AZ failover), `halt`/`resume` stop it (`-m fast`) and start it again on the same port.
   */
  restart(): Promise<void>;
  halt(): Promise<void>;
  resume(): Promise<void>;
  /** Stops the server for good and deletes its files. */
  stop(): Promise<void>;
}

const run = promisify(execFile);
const isRoot = process.getuid?.() === 0;

/** PostgreSQL refuses to run as root: as root, its binaries run as the `postgres` user. */
async function asPostgres(command: string, args: string[]): Promise<void> {
  const [file, argv] = isRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  await run(file, argv, { timeout: 30_000 });
}

function postgresBinDir(): string {
  if (process.env.TEST_PG_BIN) return process.env.TEST_PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) {
    throw new Error(
      'test/helpers/tlsPostgres.ts needs the PostgreSQL server binaries (initdb, pg_ctl): none under /usr/lib/postgresql/*/bin. ' +
        'Install them (Debian: apt-get install postgresql) or set TEST_PG_BIN to their directory.',
    );
  }
  return join(root, newest, 'bin');
}

function requireOpenssl(): void {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
  } catch {
    throw new Error(
      'test/helpers/tlsPostgres.ts needs `openssl` on PATH to generate the test CA and server certificate (Debian: apt-get install openssl).',
    );
  }
}

function postgresUid(): { uid: number; gid: number } | undefined {
  if (!isRoot) return undefined;
  try {
    const [uid, gid] = ['-u', '-g'].map((flag) =>
      Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim()),
    );
    return { uid: uid!, gid: gid! };
  } catch {
    throw new Error(
      'test/helpers/tlsPostgres.ts runs as root, so it needs a `postgres` system user to run the server as (PostgreSQL refuses root).',
    );
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const openssl = (args: string[], cwd: string) => run('openssl', args, { cwd });

/** A CA (EC P-256: fast to generate) and, optionally, a server certificate for DNS:localhost it signs. */
async function makeCertificates(dir: string): Promise<void> {
  const ca = (name: string) =>
    openssl(
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '2',
        '-subj',
        `/CN=${name}`,
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.crt`,
      ],
      dir,
    );
  await Promise.all([ca('test-ca'), ca('other-ca')]);
  await openssl(
    [
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-subj',
      '/CN=localhost',
      '-keyout',
      'server.key',
      '-out',
      'server.csr',
    ],
    dir,
  );
  writeFileSync(
    join(dir, 'server.ext'),
    'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n',
  );
  await openssl(
    [
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'test-ca.crt',
      '-CAkey',
      'test-ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      'server.ext',
      '-out',
      'server.crt',
    ],
    dir,
  );
  chmodSync(join(dir, 'server.key'), 0o600);
}

let sequence = 0;

export async function startTlsPostgres(): Promise<TlsPostgres> {
  const bin = postgresBinDir();
  requireOpenssl();
  const owner = postgresUid();
  const dir = mkdtempSync(join(tmpdir(), 'mbt-tls-pg-'));
  const data = join(dir, 'data');
  const superuserPassword = randomBytes(18).toString('base64url');
  const pgCtl = join(bin, 'pg_ctl');
  let started = false;

  const stopSync = () => {
    // Last resort when the test process dies without afterAll: never leave a server running.
    if (started)
      execFileSync(
        isRoot ? 'runuser' : pgCtl,
        isRoot
          ? ['-u', 'postgres', '--', pgCtl, 'stop', '-D', data, '-m', 'immediate']
          : ['stop', '-D', data, '-m', 'immediate'],
        { stdio: 'ignore' },
      );
    rmSync(dir, { recursive: true, force: true });
  };
  const onExit = () => {
    try {
      stopSync();
    } catch {
      // already stopped
    }
  };

  try {
    await makeCertificates(dir);
    writeFileSync(join(dir, 'pwfile'), `${superuserPassword}\n`);
    if (owner) for (const f of ['', ...readdirSync(dir)]) chownSync(join(dir, f), owner.uid, owner.gid);
    chmodSync(dir, 0o700);

    await asPostgres(join(bin, 'initdb'), [
      '-D',
      data,
      '-U',
      'postgres',
      `--pwfile=${join(dir, 'pwfile')}`,
      '--auth=scram-sha-256',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
      '--no-instructions',
    ]);
    const port = await freePort();
    // Only TLS, only passwords checked by SCRAM: a plain connection gets 28000 "… no encryption".
    writeFileSync(
      join(data, 'pg_hba.conf'),
      'hostssl all all 127.0.0.1/32 scram-sha-256\nhostssl all all ::1/128 scram-sha-256\n',
    );
    writeFileSync(
      join(data, 'postgresql.auto.conf'),
      [
        `port = ${port}`,
        `listen_addresses = '127.0.0.1'`,
        `unix_socket_directories = '${dir}'`,
        'ssl = on',
        `ssl_cert_file = '${join(dir, 'server.crt')}'`,
        `ssl_key_file = '${join(dir, 'server.key')}'`,
        `password_encryption = 'scram-sha-256'`,
        'max_connections = 100',
        'shared_buffers = 16MB',
        'fsync = off',
        'synchronous_commit = off',
        'full_page_writes = off',
        '',
      ].join('\n'),
    );
    process.once('exit', onExit);
    started = true;
    const pgCtlWithLog = (action: 'start' | 'restart') =>
      asPostgres(pgCtl, [action, '-D', data, '-l', join(dir, 'server.log'), '-m', 'fast', '-w', '-t', '15']).catch(
        (err: unknown) => {
          const log = existsSync(join(dir, 'server.log'))
            ? readFileSync(join(dir, 'server.log'), 'utf8').slice(-2_000)
            : '(no log)';
          throw new Error(`the TLS test PostgreSQL did not ${action}: ${(err as Error).message}\n${log}`);
        },
      );
    await pgCtlWithLog('start');

    const caPath = join(dir, 'test-ca.crt');
    const admin = async (database = 'postgres') => {
      const client = new pg.Client({
        host: 'localhost',
        port,
        user: 'postgres',
        password: superuserPassword,
        database,
        ssl: { ca: readFileSync(caPath, 'utf8') },
      });
      // A test that restarts the server would otherwise die with this connection.
      client.on('error', () => undefined);
      await client.connect();
      return client;
    };

    const env = (role: { user: string; database: string; password: string }) => ({
      DB_HOST: 'localhost',
      DB_PORT: String(port),
      DB_NAME: role.database,
      DB_USER: role.user,
      DB_PASSWORD: role.password,
      DB_SSL_MODE: 'verify-full',
      DB_SSL_CA: caPath,
    });

    return {
      host: 'localhost',
      port,
      caPath,
      otherCaPath: join(dir, 'other-ca.crt'),
      admin,
      async createRoleWithDatabase({ password, migrated = false }) {
        const suffix = `${process.pid}_${++sequence}`;
        const role = { user: `app_${suffix}`, database: `booking_${suffix}`, password };
        const client = await admin();
        try {
          await client.query(`create role "${role.user}" login password ${client.escapeLiteral(password)}`);
          await client.query(`create database "${role.database}" owner "${role.user}"`);
        } finally {
          await client.end();
        }
        if (migrated) await migrateAs(env(role));
        return role;
      },
      env,
      restart: () => pgCtlWithLog('restart'),
      halt: () => asPostgres(pgCtl, ['stop', '-D', data, '-m', 'fast', '-w']),
      resume: () => pgCtlWithLog('start'),
      async stop() {
        process.off('exit', onExit);
        try {
          // A test that failed between halt() and resume() leaves it stopped already.
          if (existsSync(join(data, 'postmaster.pid')))
            await asPostgres(pgCtl, ['stop', '-D', data, '-m', 'immediate', '-w']);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (err) {
    process.off('exit', onExit);
    onExit();
    throw err;
  }
}

/** Applies the service's migrations through its own migrator and connection code. */
async function migrateAs(env: Record<string, string>): Promise<void> {
  const cfg = loadConfig(env).database;
  if (cfg.kind !== 'postgres') throw new Error('unreachable: DB_HOST selects postgres');
  const handle = openPostgres(cfg, console);
  try {
    await migrateDatabase(handle);
  } finally {
    await handle.close();
  }
}
