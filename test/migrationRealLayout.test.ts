import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../client/src';
import { createTestDatabase, type TestDatabase, uniqueName } from './helpers/database';
import { loginClient } from './helpers/factories';
import { failure } from './helpers/failure';
import { type CliRun, runMigrationCli } from './helpers/migrationCli';
import { deleteKeys, uniqueRedisPrefix } from './helpers/redis';
import { startTestService, type TestService } from './helpers/service';
import { readOnlyRoleSql, realSourceDdl } from './helpers/supabaseRealSchema';

/**
 * Issue 17's cutover day, on a source built like the real Supabase database (helpers/supabaseRealSchema):
 * the runbook's commands exactly as docs/MIGRATION.md writes them (`--source "$SRC" --report …`, the
 * default search path), then the service on the imported data.
 */
const KEEPER = 'ffffffff-ffff-4fff-bfff-ffffffffffff';
const reportDir = mkdtempSync(join(tmpdir(), 'mb-cutover-'));
const readReport = <T>(name: string) => JSON.parse(readFileSync(join(reportDir, name), 'utf8')) as T;

interface Fill {
  table: string;
  column: string;
  description: string;
  rows: number;
}
interface ImportReport {
  problems: unknown[];
  sourceTables: Record<string, string>;
  fills: Fill[];
  duplicates: Array<{ contactId: string; seats: Array<{ bookingId: string; keeps: boolean; decidedBy?: string }> }>;
  totalBookingsRecounted: number;
  auditArchive: { read: number; inserted: number };
  exitCode: number;
}

/** The fills the report counts, as "table.column: description" → rows. */
const fillsOf = (fills: Fill[]) =>
  Object.fromEntries(fills.map((f) => [`${f.table}.${f.column}: ${f.description}`, f.rows]));
const fillRows = (fills: Fill[], table: string, column: string, about: string) =>
  fills.filter((f) => f.table === table && f.column === column && f.description.includes(about)).map((f) => f.rows);

/** Rows in the shapes the old code wrote them; times relative to now, so "upcoming" stays upcoming. */
async function fillRealSource(source: pg.Client): Promise<Record<string, string>> {
  await source.query(realSourceDdl());
  await source.query(`
    insert into hubspot_sync.hubspot_contact_credits (hubspot_id, student_id, email, firstname, lastname, sj_credits, cs_credits) values
      ('c-1', 'S001', 'alice@example.com', 'Alice', 'A', 1, 2), ('c-2', 'S002', 'bob@example.com', 'Bob', 'B', 0, 1),
      ('c-3', 'S003', 'carol@example.com', 'Carol', 'C', 1, 2), ('c-4', 'S004', 'dan@example.com', 'Dan', 'D', 1, 1);
    insert into hubspot_sync.hubspot_mock_exams (hubspot_id, mock_type, mock_set, exam_date, start_time, end_time, location, capacity,
        total_bookings, is_active, created_at, updated_at, synced_at, hubspot_last_sync_at)
      select x.id, x.type, 'A', (now() at time zone 'UTC' + x.days * interval '1 day')::date,
             to_char(date_trunc('hour', now() at time zone 'UTC') + x.days * interval '1 day' + x.hour * interval '1 hour', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
             to_char(date_trunc('hour', now() at time zone 'UTC') + x.days * interval '1 day' + (x.hour + 3) * interval '1 hour', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
             x.location, 8, 0, x.status, x.created::timestamp, null, null, timestamptz '2026-01-02 03:04:05Z'
        from (values ('ex-up', 'Clinical Skills', 10, 0, 'toronto', 'active', null),
                     ('ex-up2', 'Clinical Skills', 10, 0, 'Mississauga', 'true', '2025-09-01 00:00:00'),
                     ('ex-past', 'Situational Judgment', -330, 0, 'Toronto', 'true', '2025-01-01 00:00:00'))
             as x(id, type, days, hour, location, status, created);
    insert into public.sync_metadata (sync_type, last_sync_timestamp) values ('mock_exams', 0), ('contact_credits', 1767225600000), ('bookings', 0);`);
  const rpc = async (
    exam: string,
    contact: string,
    student: string,
    token: string,
    field: string,
    left: number,
    hand = 'Right',
  ) =>
    (
      await source.query<{ id: string }>(
        `select hubspot_sync.create_booking_atomic($1, $2, $3, $4, $5, $6, 'toronto', $7, $8, $9, $10, 'A') as id`,
        [
          `BK-${student}-${exam}`,
          exam,
          contact,
          student,
          `Student ${student}`,
          `${student}@example.com`,
          hand,
          token,
          field,
          left,
        ],
      )
    ).rows[0]!.id;
  const ids: Record<string, string> = {};
  ids.aliceUpcoming = await rpc('ex-up', 'c-1', 'S001', 'Clinical Skills Token', 'cs_credits', 1, 'true');
  ids.alicePast = await rpc('ex-past', 'c-1', 'S001', 'Situational Judgment Token', 'sj_credits', 0);
  ids.bobCancelled = await rpc('ex-up', 'c-2', 'S002', 'Clinical Skills Token', 'cs_credits', 0);
  // The student cancels: the RPC restores the credit and leaves token_refunded NULL.
  await source.query(`select hubspot_sync.cancel_booking_atomic($1, 'cs_credits', 1)`, [ids.bobCancelled]);
  // Carol holds ex-up through the RPC, and ex-up2 (same type, same day) through an earlier admin override.
  ids.carolLater = await rpc('ex-up', 'c-3', 'S003', 'Clinical Skills Token', 'cs_credits', 1);
  await source.query(`
    insert into hubspot_sync.hubspot_bookings (id, hubspot_id, associated_contact_id, associated_mock_exam, student_id, is_active,
        token_used, dominant_hand, created_at)
      values ('${KEEPER}', '900001', 'c-3', 'ex-up2', 'S003', 'active', 'Admin Override', 'right hand', '2025-10-01 09:00:00');
    -- An admin refund made before December 2025: token_refunded_at set, token_refunded NULL, legacy status.
    insert into hubspot_sync.hubspot_bookings (hubspot_id, associated_contact_id, associated_mock_exam, is_active, token_used,
        token_refunded_at, token_refund_admin, synced_at)
      values ('900002', 'c-3', 'ex-past', 'cancelled', 'Situational Judgment Token', '2025-11-03 10:00:00', 'admin@example.com', '2025-10-01 00:00:00');`);
  // An admin cancellation without refund: the audit log shows the cancellation and no credit coming back.
  ids.danNoRefund = (
    await source.query<{ id: string }>(`
      insert into hubspot_sync.hubspot_bookings (hubspot_id, associated_contact_id, associated_mock_exam, is_active, token_used, created_at, updated_at)
        values ('900003', 'c-4', 'ex-up2', 'Active', 'Clinical Skills Token', '2025-10-05 00:00:00', '2025-10-05 00:00:00') returning id`)
  ).rows[0]!.id;
  await source.query(`update hubspot_sync.hubspot_bookings set is_active = 'Cancelled' where id = $1`, [
    ids.danNoRefund,
  ]);
  // The first HubSpot import, before the audit triggers: Cancelled, token_refunded NULL, nothing in the log.
  await source.query(`
    set session_replication_role = replica;
    insert into hubspot_sync.hubspot_bookings (hubspot_id, associated_contact_id, associated_mock_exam, is_active, token_used, synced_at)
      values ('900004', 'c-4', 'ex-past', 'Cancelled', 'Situational Judgment Token', '2025-08-01 00:00:00');
    set session_replication_role = origin;
    analyze;`);
  return ids;
}

describe('cutover against the real Supabase layout (issue 17)', () => {
  const databases: TestDatabase[] = [];
  let source: pg.Client;
  let target: pg.Client;
  let sourceDb: TestDatabase;
  let targetDb: TestDatabase;
  let ids: Record<string, string>;
  let imported: CliRun;
  let verified: CliRun;
  let report: ImportReport;
  const run = (script: 'migrateImport' | 'migrateVerify', url: string, ...args: string[]) =>
    runMigrationCli(script, ['--source', url, ...args], { DATABASE_URL: targetDb.url });

  beforeAll(async () => {
    sourceDb = await createTestDatabase({ migrated: false });
    targetDb = await createTestDatabase({ migrated: true });
    databases.push(sourceDb, targetDb);
    source = await sourceDb.connect();
    target = await targetDb.connect();
    ids = await fillRealSource(source);
    // docs/MIGRATION.md §2 and §3, as written.
    imported = await run('migrateImport', sourceDb.url, '--report', join(reportDir, 'import-1.json'));
    report = readReport<ImportReport>('import-1.json');
    verified = await run('migrateVerify', sourceDb.url, '--report', join(reportDir, 'verify-1.json'));
  }, 300_000);
  afterAll(async () => {
    await source?.end();
    await target?.end();
    for (const db of databases) await db.drop();
  });

  describe('migrate:import, as the runbook writes it', () => {
    it('exits 0 and says where each table came from (the default search path hubspot_sync,public)', () => {
      expect(imported.code, imported.stdout + imported.stderr).toBe(0);
      expect(imported.stdout).toContain('hubspot_bookings ← hubspot_sync.hubspot_bookings');
      expect(imported.stdout).toContain('sync_metadata ← public.sync_metadata');
      expect(imported.stdout).toContain('audit_log ← hubspot_sync.audit_log');
      expect(report.sourceTables).toEqual({
        hubspot_contact_credits: 'hubspot_sync',
        hubspot_mock_exams: 'hubspot_sync',
        hubspot_bookings: 'hubspot_sync',
        sync_metadata: 'public',
        audit_log: 'hubspot_sync',
      });
      expect(report.problems).toEqual([]);
    });

    it('counts every documented fill', async () => {
      const nulls = async (table: string, column: string) =>
        (await source.query(`select count(*)::int as n from hubspot_sync.${table} where ${column} is null`)).rows[0].n;
      const f = report.fills;
      expect(fillRows(f, 'hubspot_bookings', 'created_at', 'NULL →')).toEqual([
        await nulls('hubspot_bookings', 'created_at'),
      ]);
      expect(fillRows(f, 'hubspot_bookings', 'updated_at', 'NULL →')).toEqual([
        await nulls('hubspot_bookings', 'updated_at'),
      ]);
      expect(fillRows(f, 'hubspot_mock_exams', 'created_at', 'NULL →')).toEqual([1]);
      expect(fillRows(f, 'hubspot_mock_exams', 'total_bookings', 'recounted')).toEqual([3]);
      for (const column of ['mock_type', 'exam_date', 'start_time', 'end_time'])
        expect(fillRows(f, 'hubspot_bookings', column, "its session's")).toEqual([
          await nulls('hubspot_bookings', column),
        ]);
      expect(await nulls('hubspot_bookings', 'mock_type')).toBe(8);
      // Bob's RPC cancellation (the audit log shows the credit restored), Carol's pre-December admin refund.
      // Bob's and Carol's become true, Dan's admin cancellation (the log shows no credit back) false.
      expect(fillRows(f, 'hubspot_bookings', 'token_refunded', "'true' when token_refunded_at")).toEqual([3]);
      expect(fillRows(f, 'hubspot_bookings', 'token_refunded', 'check these with the school')).toEqual([1]);
      expect(fillRows(f, 'hubspot_bookings', 'is_active', 'legacy')).toEqual([2]);
      expect(fillRows(f, 'hubspot_bookings', 'is_active', 'duplicate seat')).toEqual([1]);
      expect(fillRows(f, 'hubspot_bookings', 'dominant_hand', 'legacy')).toEqual([2]);
      expect(fillRows(f, 'hubspot_mock_exams', 'is_active', 'legacy')).toEqual([1]);
      expect(fillRows(f, 'hubspot_mock_exams', 'location', 'lower case')).toEqual([1]);
      expect(fillRows(f, 'sync_metadata', 'last_sync_timestamp', '0')).toEqual([2]);
      expect(imported.stdout).toMatch(/8 × hubspot_bookings\.mock_type: NULL → its session's/);
      expect(Object.keys(fillsOf(f)).length).toBeGreaterThan(10);
    });

    it('lists the duplicate seat before writing and gives it to the earliest created booking, not the lower UUID', () => {
      expect(report.duplicates).toEqual([
        {
          contactId: 'c-3',
          examDate: expect.any(String),
          mockType: 'Clinical Skills',
          examId: null,
          seats: [
            expect.objectContaining({ bookingId: KEEPER, hubspotId: '900001', keeps: true }),
            expect.objectContaining({ bookingId: ids.carolLater, keeps: false, decidedBy: 'created_at' }),
          ],
        },
      ]);
      expect(imported.stdout).toContain(`cancelled ${ids.carolLater}`);
    });

    it('writes the RPC-made bookings with their session’s type, date and times, and the decided refunds', async () => {
      const { rows } = await target.query(
        `select b.id::text, b.is_active, b.mock_type, b.exam_date::text, b.start_time = e.start_time as same_start,
                b.end_time = e.end_time as same_end, b.token_refunded, b.dominant_hand, b.attending_location
           from hubspot_bookings b join hubspot_mock_exams e on e.hubspot_id = b.associated_mock_exam`,
      );
      const byId = new Map(rows.map((r) => [r.id, r]));
      expect(byId.get(ids.aliceUpcoming)).toMatchObject({
        is_active: 'Active',
        mock_type: 'Clinical Skills',
        same_start: true,
        same_end: true,
        token_refunded: false,
        dominant_hand: 'Right',
        attending_location: 'Toronto',
      });
      expect(byId.get(ids.bobCancelled)).toMatchObject({ is_active: 'Cancelled', token_refunded: true });
      expect(byId.get(ids.danNoRefund)).toMatchObject({ is_active: 'Cancelled', token_refunded: false });
      expect(byId.get(ids.carolLater)).toMatchObject({ is_active: 'Cancelled', token_refunded: false });
      expect(byId.get(KEEPER)).toMatchObject({
        is_active: 'Active',
        mock_type: 'Clinical Skills',
        dominant_hand: 'Right',
      });
      const refunds = await target.query(
        "select hubspot_id, token_refunded from hubspot_bookings where hubspot_id in ('900002', '900004') order by 1",
      );
      expect(refunds.rows).toEqual([
        { hubspot_id: '900002', token_refunded: true },
        { hubspot_id: '900004', token_refunded: false },
      ]);
    });

    it('carries hubspot_last_sync_at, maps legacy sessions, turns a 0 sync cursor into NULL, recounts the seats', async () => {
      const exams = await target.query(
        'select hubspot_id, is_active, location, total_bookings, hubspot_last_sync_at from hubspot_mock_exams order by hubspot_id',
      );
      expect(exams.rows).toEqual([
        expect.objectContaining({ hubspot_id: 'ex-past', is_active: 'true', total_bookings: 1 }),
        expect.objectContaining({ hubspot_id: 'ex-up', is_active: 'true', location: 'Toronto', total_bookings: 1 }),
        expect.objectContaining({ hubspot_id: 'ex-up2', total_bookings: 1 }),
      ]);
      expect(exams.rows[1].hubspot_last_sync_at).toEqual(new Date('2026-01-02T03:04:05Z'));
      const sync = await target.query('select sync_type, last_sync_time from sync_metadata order by sync_type');
      expect(sync.rows).toEqual([
        { sync_type: 'bookings', last_sync_time: null },
        { sync_type: 'contact_credits', last_sync_time: new Date(1767225600000) },
        { sync_type: 'mock_exams', last_sync_time: null },
      ]);
    });

    it('archives the whole audit log into the read-only legacy_audit_log', async () => {
      const { rows } = await source.query('select count(*)::int as n from hubspot_sync.audit_log');
      expect(rows[0].n).toBeGreaterThan(10);
      expect(report.auditArchive).toMatchObject({ read: rows[0].n, inserted: rows[0].n });
      const refund = await target.query(
        `select row->'new_values'->>'cs_credits' as restored from legacy_audit_log
          where table_name = 'hubspot_contact_credits' and row->'old_values'->>'cs_credits' = '0' and row->'new_values'->>'cs_credits' = '1'`,
      );
      expect(refund.rows.length).toBeGreaterThan(0);
    });
  });

  it('migrate:verify, as the runbook writes it, applies the same fills and finds no difference', () => {
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    expect(verified.stdout).toContain('No differences');
    expect(verified.stdout).toMatch(/8 × hubspot_bookings\.mock_type: NULL → its session's/);
    expect(verified.stdout).toContain('every row archived as it is');
  });

  it('a re-import changes nothing', { timeout: 180_000 }, async () => {
    const again = await run('migrateImport', sourceDb.url, '--report', join(reportDir, 'import-2.json'));
    expect(again.code, again.stdout + again.stderr).toBe(0);
    const second = readReport<ImportReport & { tables: Array<{ inserted: number; updated: number }> }>('import-2.json');
    expect(second.tables.map((t) => [t.inserted, t.updated])).toEqual([
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
    expect(second.auditArchive.inserted).toBe(0);
    expect(second.totalBookingsRecounted).toBe(0);
  });

  describe('row-level security never empties a run silently', () => {
    const role = uniqueName('cutover_ro');
    beforeAll(async () => {
      await source.query(readOnlyRoleSql(role));
    });
    afterAll(async () => {
      await source.query(`drop owned by "${role}"; drop role "${role}"`);
    });

    it('a role the policies filter: import and verify stop, naming row-level security, and copy nothing', {
      timeout: 180_000,
    }, async () => {
      const url = sourceDb.url.replace('postgres@', `${role}@`);
      const before = await target.query('select count(*)::int as n from legacy_audit_log');
      const importRun = await run('migrateImport', url);
      expect(importRun.code).toBe(2);
      expect(importRun.stderr).toMatch(/row-level security is enabled/);
      expect(importRun.stderr).toContain(`role "${role}" is not its owner`);
      expect(importRun.stdout).not.toContain('every row copied');
      const verifyRun = await run('migrateVerify', url);
      expect(verifyRun.code).toBe(2);
      expect(verifyRun.stderr).toMatch(/row-level security/);
      expect((await target.query('select count(*)::int as n from legacy_audit_log')).rows).toEqual(before.rows);
    });

    it('the session itself runs with row_security off: a filtered read is an error, not fewer rows', async () => {
      const client = await sourceDb.connect();
      try {
        await client.query(`set role "${role}"`);
        expect((await client.query('select count(*)::int as n from hubspot_sync.hubspot_bookings')).rows).toEqual([
          { n: 0 },
        ]);
        await client.query('set row_security = off');
        await expect(client.query('select count(*) from hubspot_sync.hubspot_bookings')).rejects.toThrow(
          /row-level security/,
        );
      } finally {
        await client.end();
      }
    });
  });

  it('a table the planner believes non-empty that reads as 0 rows stops the run', { timeout: 180_000 }, async () => {
    const emptied = await createTestDatabase({ migrated: false });
    databases.push(emptied);
    const client = await emptied.connect();
    try {
      await client.query(realSourceDdl());
      await client.query(`
        insert into hubspot_sync.hubspot_contact_credits (hubspot_id) select 'c-' || g from generate_series(1, 50) g;
        analyze hubspot_sync.hubspot_contact_credits;
        alter table hubspot_sync.hubspot_contact_credits disable trigger audit;
        delete from hubspot_sync.hubspot_contact_credits;`);
    } finally {
      await client.end();
    }
    const stopped = await run('migrateImport', emptied.url, '--tables', 'hubspot_contact_credits');
    expect(stopped.code).toBe(2);
    expect(stopped.stderr).toMatch(
      /hubspot_sync\.hubspot_contact_credits reads as 0 rows, but the planner estimates about 50/,
    );
  });

  describe('the service on the imported data', () => {
    let service: TestService;
    let alice: Client;
    const redisPrefix = uniqueRedisPrefix();
    beforeAll(async () => {
      service = await startTestService(
        { LOGIN_RATE_LIMIT_PER_IP: '100000', CANCELLATION_CUTOFF_HOURS: '24' },
        { shared: { database: targetDb, redisPrefix, sessionSecret: randomBytes(32).toString('base64url') } },
      );
      alice = await loginClient(service.url, { contactId: 'c-1', studentId: 'S001', email: 'alice@example.com' });
    }, 120_000);
    afterAll(async () => {
      await service?.stop();
      await deleteKeys(redisPrefix);
    });

    it('lists the imported upcoming seat under upcoming, with its session’s times', async () => {
      const session = (
        await target.query("select start_time, end_time from hubspot_mock_exams where hubspot_id = 'ex-up'")
      ).rows[0];
      const upcoming = await alice.bookings.mine.query({ filter: 'upcoming' });
      expect(upcoming.items).toEqual([
        expect.objectContaining({
          bookingId: ids.aliceUpcoming,
          mockType: 'Clinical Skills',
          startTime: session.start_time,
          endTime: session.end_time,
          status: 'Active',
        }),
      ]);
      const past = await alice.bookings.mine.query({ filter: 'past' });
      expect(past.items.map((i) => [i.bookingId, i.status])).toEqual([[ids.alicePast, 'Completed']]);
    });

    it('refuses a second booking of a session held through an imported booking (and of its twin that day)', async () => {
      expect(await failure(alice.bookings.create.mutate({ examId: 'ex-up', dominantHand: 'Right' }))).toMatchObject({
        appCode: 'DUPLICATE_BOOKING',
        details: { bookingId: ids.aliceUpcoming },
      });
      expect(await failure(alice.bookings.create.mutate({ examId: 'ex-up2', dominantHand: 'Right' }))).toMatchObject({
        appCode: 'DUPLICATE_BOOKING',
      });
    });

    it('refuses to cancel (and refund) a past imported booking', async () => {
      expect(await failure(alice.bookings.cancel.mutate({ bookingId: ids.alicePast! }))).toMatchObject({
        appCode: 'BOOKING_NOT_CANCELLABLE',
      });
      const { rows } = await target.query("select sj_credits from hubspot_contact_credits where hubspot_id = 'c-1'");
      expect(rows).toEqual([{ sj_credits: 0 }]);
    });
  });
});
