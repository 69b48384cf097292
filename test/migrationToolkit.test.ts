import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { type CliRun, runMigrationCli } from './helpers/migrationCli';
import { generatedSizes, generatedSourceSql, liveSourceDdl } from './helpers/supabaseSourceSchema';

/**
 * The toolkit as an operator meets it: a source shaped like the live Supabase database, a migrated
 * target, and the two commands run as child processes (TZ=America/Toronto, to prove nothing depends on
 * the machine's zone).
 */
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function database(migrated: boolean, dropWith = cleanup): Promise<{ db: TestDatabase; client: pg.Client }> {
  const db = await createTestDatabase({ migrated });
  const client = await db.connect();
  dropWith.push(
    () => db.drop(),
    () => client.end(),
  );
  return { db, client };
}

const reportDir = mkdtempSync(join(tmpdir(), 'mb-migration-'));
let reports = 0;
const reportPath = () => join(reportDir, `report-${process.pid}-${++reports}.json`);
const readReport = <T>(path: string) => JSON.parse(readFileSync(path, 'utf8')) as T;

/** The JSON reports of the two commands (--report), as far as these tests read them. */
interface ImportReport {
  problems: Array<{ table: string; key: string; column: string; value: unknown; reason: string }>;
  refusedRows: number;
  targetOnlyColumns: Record<string, string[]>;
  tables: Array<{ table: string; inserted: number; updated: number; unchanged: number; refused: number }>;
}
interface VerifyReport {
  differences: Array<{ table: string; kind: string; key: string; columns?: unknown[] }>;
  totalDifferences: number;
  dataQuality: Array<{ side: string; check: string; count: number; examples: unknown[] }>;
  tables: Array<Record<string, unknown> & { table: string }>;
}

const bookingId = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const epoch = (iso: string) => String(Date.parse(iso));

/**
 * The fixture: every drift the issue lists, four rows the target cannot take as they are, and a second
 * seat (booking 6, created after booking 2) that the import resolves as a duplicate.
 */
async function fillLiveSource(client: pg.Client, schema = 'hubspot_sync') {
  const s = `"${schema}"`;
  await client.query(liveSourceDdl(schema));
  await client.query(`
    insert into ${s}.hubspot_contact_credits (hubspot_id, student_id, email, firstname, lastname, student_name,
        sj_credits, cs_credits, sjmini_credits, mock_discussion_token, shared_mock_credits, ndecc_exam_date, created_at, updated_at, synced_at) values
      ('c-1', 'S001', 'alice@example.com', 'Alice', 'A', 'Alice A', 2, 1, 0, 0, 1, null, '2025-06-01 12:00:00.123456', '2025-06-02 08:00:00', '2025-07-01 00:00:00'),
      ('c-2', 'S002', 'bob@example.com', 'Bob', 'B', 'Bob B', 0, 3, 1, 0, 0, '2026-05-01', '2025-06-01 12:00:00', '2025-06-01 12:00:00', null),
      ('c-3', 'S003', 'carol@example.com', 'Carol', 'C', 'Carol C', null, 1, 0, 0, 0, null, '2025-06-01 12:00:00', '2025-06-01 12:00:00', null),
      ('c-4', 'S004', 'dan@example.com', 'Dan', 'D', 'Dan D', 1, 1, 1, 1, 1, null, '2025-06-01 12:00:00', '2025-06-01 12:00:00', null),
      ('c-5', 'S005', 'eve@example.com', 'Eve', 'E', 'Eve E', 0, 0, 0, 1, 0, null, '2025-06-01 12:00:00', '2025-06-01 12:00:00', null);
    insert into ${s}.hubspot_mock_exams (hubspot_id, mock_type, mock_set, exam_date, start_time, end_time, location, capacity, total_bookings,
        is_active, scheduled_activation_datetime, prerequisite_exam_ids, mock_exam_name, created_at, updated_at, synced_at) values
      ('ex-1', 'Situational Judgment', 'A', '2026-03-01', '2026-03-01T09:00:00-05:00', '${epoch('2026-03-01T17:00:00Z')}', 'Toronto', 8, 7, 'true', null, null, 'SJ Mock A', '2025-05-01 10:00:00', '2025-05-01 10:00:00', '2025-07-01 00:00:00'),
      ('ex-2', 'Clinical Skills', 'B', '2026-03-02', '${epoch('2026-03-02T14:00:00Z')}', '2026-03-02T17:00:00Z', 'Mississauga', 8, 3, 'scheduled', '2026-02-20 14:00:00', null, 'CS Mock B', '2025-05-01 10:00:00', '2025-05-01 10:00:00', null),
      ('ex-3', 'Mock Discussion', null, '2026-03-05', '2026-03-05 15:30:00', '2026-03-05 16:30:00', 'Online', 20, 1, 'true', null, '{ex-1,ex-2}', null, '2025-05-01 10:00:00', '2025-05-01 10:00:00', null),
      ('ex-4', 'Mini-mock', 'C', '2026-03-06', '2026-03-06T13:00:00.250Z', '2026-03-06T14:00:00.250Z', 'Toronto', 8, 1, 'false', null, null, null, '2025-05-01 10:00:00', '2025-05-01 10:00:00', null);
    insert into ${s}.hubspot_bookings (id, hubspot_id, booking_id, associated_contact_id, associated_mock_exam, student_id, name, student_email,
        is_active, exam_date, start_time, end_time, mock_type, mock_set, token_used, attendance, token_refunded,
        token_refunded_at, token_refund_admin, booking_status, ndecc_exam_date, created_at, updated_at) values
      ('${bookingId(1)}', 'hb-1', 'SJ-S001-0301', 'c-1', 'ex-1', 'S001', 'Alice A', 'alice@example.com', 'Active', '2026-03-01 00:00:00', '2026-03-01T14:00:00Z', '${epoch('2026-03-01T17:00:00Z')}', 'Situational Judgment', 'A', 'Situational Judgment Token', null, null, null, null, 'confirmed', null, '2025-12-01 10:00:00', '2025-12-01 10:00:00'),
      ('${bookingId(2)}', 'hb-2', 'SJ-S002-0301', 'c-2', 'ex-1', 'S002', 'Bob B', 'bob@example.com', 'Active', '2026-03-01 00:00:00', '${epoch('2026-03-01T14:00:00Z')}', '2026-03-01T17:00:00Z', 'Situational Judgment', 'A', 'Shared Token', '', 'false', null, null, null, null, '2025-12-01 10:00:00', '2025-12-01 10:00:00'),
      ('${bookingId(3)}', 'hb-3', 'CS-S004-0302', 'c-4', 'ex-2', 'S004', 'Dan D', 'dan@example.com', 'Cancelled', '2026-03-02 00:00:00', '2026-03-02T14:00:00Z', '2026-03-02T17:00:00Z', 'Clinical Skills', 'B', 'Clinical Skills Token', null, 'true', '2026-02-21 10:00:00', 'admin@example.com', 'cancelled', null, '2025-12-01 10:00:00', '2026-02-21 10:00:00'),
      ('${bookingId(4)}', 'hb-4', 'CS-S001-0302', 'c-1', 'ex-2', 'S001', 'Alice A', 'alice@example.com', 'Active', '2026-03-02 00:00:00', 'next tuesday', '2026-03-02T17:00:00Z', 'Clinical Skills', 'B', 'Clinical Skills Token', null, 'false', null, null, null, null, '2025-12-01 10:00:00', '2025-12-01 10:00:00'),
      ('${bookingId(5)}', 'hb-5', 'MD-S005-0305', 'c-5', 'ex-3', 'S005', 'Eve E', 'eve@example.com', 'Completed', '2026-03-05 00:00:00', '2026-03-05T15:30:00Z', '2026-03-05T16:30:00Z', 'Mock Discussion', null, 'Mock Discussion Token', 'Yes', 'false', null, null, null, '2026-06', '2025-12-01 10:00:00', '2025-12-01 10:00:00'),
      ('${bookingId(6)}', 'hb-6', 'SJ-S002-0301b', 'c-2', 'ex-1', 'S002', 'Bob B', 'bob@example.com', 'Active', '2026-03-01 00:00:00', '2026-03-01T14:00:00Z', '2026-03-01T17:00:00Z', 'Situational Judgment', 'A', 'Situational Judgment Token', null, 'false', null, null, null, null, '2025-12-01 10:05:00', '2025-12-01 10:05:00'),
      ('${bookingId(7)}', 'hb-7', 'MM-S004-0306', 'c-4', 'ex-4', 'S004', 'Dan D', 'dan@example.com', 'Active', '2026-03-06 00:00:00', '2026-03-06T13:00:00.250Z', '2026-03-06T14:00:00.250Z', 'Mini-mock', 'C', 'Mini-mock Token', 'Maybe', null, null, null, null, null, '2025-12-01 10:00:00', '2025-12-01 10:00:00'),
      ('${bookingId(8)}', 'hb-8', 'MM-S001-0401', 'c-1', 'ex-404', 'S001', 'Alice A', 'alice@example.com', 'Active', '2026-04-01 00:00:00', '2026-04-01T13:00:00Z', null, 'Mini-mock', 'C', 'Mini-mock Token', null, null, null, null, null, null, '2025-12-01 10:00:00', '2025-12-01 10:00:00'),
      ('${bookingId(9)}', 'hb-9', 'CS-S005-0302', 'c-5', 'ex-2', 'S005', 'Eve E', 'eve@example.com', 'Active', '2026-03-02 00:00:00', '2026-03-02T14:00:00Z', '2026-03-02T17:00:00Z', 'Clinical Skills', 'B', 'Clinical Skills Token', null, 'yes', null, null, null, null, '2025-12-01 10:00:00', '2025-12-01 10:00:00'),
      ('${bookingId(10)}', 'hb-10', 'CS-S002-0302', 'c-2', 'ex-2', 'S002', 'Bob B', 'bob@example.com', 'Active', '2026-03-02 00:00:00', '${epoch('2026-03-02T14:00:00Z')}', '2026-03-02T17:00:00Z', 'Clinical Skills', 'B', 'Clinical Skills Token', null, null, null, null, null, null, '2025-12-01 10:00:00', '2025-12-01 10:00:00');
    insert into ${s}.sync_metadata (sync_type, last_sync_timestamp, created_at, updated_at) values
      ('contacts', ${epoch('2026-01-01T00:00:00Z')}, '2025-01-01 00:00:00', '2026-01-01 00:00:00'),
      ('bookings', ${epoch('2026-01-02T00:00:00.123Z')}, '2025-01-01 00:00:00', '2026-01-02 00:00:00');`);
}

/** The four refused rows (and the duplicate seat), corrected in the source the way an operator would. */
async function fixLiveSource(client: pg.Client) {
  await client.query(`
    update hubspot_sync.hubspot_contact_credits set sj_credits = 0 where hubspot_id = 'c-3';
    update hubspot_sync.hubspot_bookings set start_time = '2026-03-02T14:00:00Z' where id = '${bookingId(4)}';
    update hubspot_sync.hubspot_bookings set is_active = 'Cancelled' where id = '${bookingId(6)}';
    update hubspot_sync.hubspot_bookings set attendance = 'Yes' where id = '${bookingId(7)}';
    update hubspot_sync.hubspot_bookings set token_refunded = 'false' where id = '${bookingId(9)}';`);
}

async function tableCounts(client: pg.Client) {
  const { rows } = await client.query<{ contacts: number; exams: number; bookings: number; sync: number }>(
    `select (select count(*)::int from hubspot_contact_credits) as contacts, (select count(*)::int from hubspot_mock_exams) as exams,
            (select count(*)::int from hubspot_bookings) as bookings, (select count(*)::int from sync_metadata) as sync`,
  );
  return rows[0];
}

const keysOf = (differences: Array<{ kind: string; table: string; key: string }>) =>
  differences.map((d) => `${d.kind} ${d.table} ${d.key}`).sort();

describe('migrate:import and migrate:verify against a live-shaped source', () => {
  /**
   * One source and one target taken through an operator's whole run. Each phase acts once, in its
   * beforeAll, and each observation is its own test: a wrong answer in one step still lets the
   * later steps run and report theirs.
   */
  describe('step by step: import, verify, fix the source, re-import, tamper with the target, restore', () => {
    const stepCleanup: Array<() => Promise<void>> = [];
    let source: pg.Client;
    let target: pg.Client;
    let importCli: (...args: string[]) => Promise<CliRun>;
    let verifyCli: (...args: string[]) => Promise<CliRun>;
    beforeAll(async () => {
      const { db: sourceDb, client } = await database(false, stepCleanup);
      const { db: targetDb, client: targetClient } = await database(true, stepCleanup);
      source = client;
      target = targetClient;
      await fillLiveSource(source);
      // A password on the URL: the server trusts us anyway, and it must never be printed.
      const sourceUrl = sourceDb.url.replace('postgres@', 'postgres:hunter2-secret@');
      const env = { DATABASE_URL: targetDb.url };
      importCli = (...args) => runMigrationCli('migrateImport', ['--source', sourceUrl, ...args], env);
      verifyCli = (...args) => runMigrationCli('migrateVerify', ['--source', sourceUrl, ...args], env);
    }, 180_000);
    afterAll(async () => {
      for (const step of stepCleanup.splice(0).reverse()) await step();
    });

    describe('1. the first import', () => {
      let run: CliRun;
      let json: ImportReport;
      beforeAll(async () => {
        const report = reportPath();
        run = await importCli('--report', report, '--batch', '3');
        json = readReport<ImportReport>(report);
      }, 180_000);

      it('refuses four rows, names each in its output, and never prints the source password', () => {
        expect(run.code, run.stderr).toBe(1);
        expect(run.stdout + run.stderr).not.toContain('hunter2');
        expect(run.stdout).toContain('postgres:***@');
        expect(run.stdout).toMatch(/hubspot_bookings: 10\/10 rows \(100\.0%\), \d+ rows\/s/);
        expect(run.stdout).toContain(
          `hubspot_bookings ${bookingId(4)} (HubSpot hb-4) start_time="next tuesday": not an ISO-8601 date-time or epoch milliseconds`,
        );
      });

      it('finds the second seat before writing: the earlier booking keeps it, the later imports as Cancelled', async () => {
        expect(run.stdout).toContain(`keeps     ${bookingId(2)} (HubSpot hb-2, created 2025-12-01 10:00:00)`);
        expect(run.stdout).toContain(
          `cancelled ${bookingId(6)} (HubSpot hb-6, created 2025-12-01 10:05:00) by created_at`,
        );
        const { rows } = await target.query('select is_active, token_refunded from hubspot_bookings where id = $1', [
          bookingId(6),
        ]);
        expect(rows).toEqual([{ is_active: 'Cancelled', token_refunded: false }]);
      });

      it('reports each refused row with table, key, column and value, and copies everything else', async () => {
        expect(json.problems.map((p) => [p.table, p.key, p.column, p.value])).toEqual([
          ['hubspot_contact_credits', 'c-3', 'sj_credits', null],
          ['hubspot_bookings', bookingId(4), 'start_time', 'next tuesday'],
          ['hubspot_bookings', bookingId(7), 'attendance', 'Maybe'],
          ['hubspot_bookings', bookingId(9), 'token_refunded', 'yes'],
        ]);
        expect(json.problems[1]).toMatchObject({ hubspotId: 'hb-4' });
        expect(json.refusedRows).toBe(4);
        expect(json.targetOnlyColumns.sync_metadata).toEqual(['last_modified_time', 'records_synced']);
        expect(await tableCounts(target)).toEqual({ contacts: 4, exams: 4, bookings: 7, sync: 2 });
      });

      // Every drifted type arrived as the instant / value it meant, in UTC.
      const utc = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

      it('converts the sessions’ drifted types', async () => {
        const exams = await target.query(
          `select hubspot_id, ${utc('start_time')} as start, ${utc('end_time')} as "end", ${utc('scheduled_activation_datetime')} as opens,
                  exam_date::text, mock_set, prerequisite_exam_ids, mock_exam_name, total_bookings from hubspot_mock_exams order by hubspot_id`,
        );
        expect(exams.rows).toEqual([
          {
            hubspot_id: 'ex-1',
            start: '2026-03-01T14:00:00.000000Z',
            end: '2026-03-01T17:00:00.000000Z',
            opens: null,
            exam_date: '2026-03-01',
            mock_set: 'A',
            prerequisite_exam_ids: null,
            mock_exam_name: 'SJ Mock A',
            // Recounted from the imported seats (the source says 7).
            total_bookings: 2,
          },
          {
            hubspot_id: 'ex-2',
            start: '2026-03-02T14:00:00.000000Z',
            end: '2026-03-02T17:00:00.000000Z',
            opens: '2026-02-20T14:00:00.000000Z',
            exam_date: '2026-03-02',
            mock_set: 'B',
            prerequisite_exam_ids: null,
            mock_exam_name: 'CS Mock B',
            // Bookings 4 and 9 were refused: only booking 10 holds a seat in the target yet.
            total_bookings: 1,
          },
          {
            hubspot_id: 'ex-3',
            start: '2026-03-05T15:30:00.000000Z',
            end: '2026-03-05T16:30:00.000000Z',
            opens: null,
            exam_date: '2026-03-05',
            mock_set: null,
            prerequisite_exam_ids: ['ex-1', 'ex-2'],
            mock_exam_name: null,
            total_bookings: 1,
          },
          {
            hubspot_id: 'ex-4',
            start: '2026-03-06T13:00:00.250000Z',
            end: '2026-03-06T14:00:00.250000Z',
            opens: null,
            exam_date: '2026-03-06',
            mock_set: 'C',
            prerequisite_exam_ids: null,
            mock_exam_name: null,
            total_bookings: 0,
          },
        ]);
      });

      it('converts the bookings’ drifted types', async () => {
        const bookings = await target.query(
          `select id, exam_date::text, ${utc('start_time')} as start, token_refunded, ${utc('token_refunded_at')} as refunded_at, token_refund_admin,
                  booking_status, ndecc_exam_date, cancelled_at from hubspot_bookings where id in ($1, $2, $3) order by id`,
          [bookingId(1), bookingId(2), bookingId(3)],
        );
        expect(bookings.rows).toEqual([
          {
            id: bookingId(1),
            exam_date: '2026-03-01',
            start: '2026-03-01T14:00:00.000000Z',
            token_refunded: false,
            refunded_at: null,
            token_refund_admin: null,
            booking_status: 'confirmed',
            ndecc_exam_date: null,
            cancelled_at: null,
          },
          {
            id: bookingId(2),
            exam_date: '2026-03-01',
            start: '2026-03-01T14:00:00.000000Z',
            token_refunded: false,
            refunded_at: null,
            token_refund_admin: null,
            booking_status: null,
            ndecc_exam_date: null,
            cancelled_at: null,
          },
          {
            id: bookingId(3),
            exam_date: '2026-03-02',
            start: '2026-03-02T14:00:00.000000Z',
            token_refunded: true,
            refunded_at: '2026-02-21T10:00:00.000000Z',
            token_refund_admin: 'admin@example.com',
            booking_status: 'cancelled',
            ndecc_exam_date: null,
            cancelled_at: null,
          },
        ]);
      });

      it('converts the students’ and the sync cursors’ drifted types', async () => {
        const contact = await target.query(
          `select ${utc('created_at')} as created, ndecc_exam_date, sj_credits from hubspot_contact_credits where hubspot_id in ('c-1', 'c-2') order by hubspot_id`,
        );
        expect(contact.rows).toEqual([
          { created: '2025-06-01T12:00:00.123456Z', ndecc_exam_date: null, sj_credits: 2 },
          { created: '2025-06-01T12:00:00.000000Z', ndecc_exam_date: '2026-05-01', sj_credits: 0 },
        ]);
        const sync = await target.query(
          `select sync_type, ${utc('last_sync_time')} as last_sync, last_modified_time, records_synced from sync_metadata order by sync_type`,
        );
        expect(sync.rows).toEqual([
          {
            sync_type: 'bookings',
            last_sync: '2026-01-02T00:00:00.123000Z',
            last_modified_time: null,
            records_synced: 0,
          },
          {
            sync_type: 'contacts',
            last_sync: '2026-01-01T00:00:00.000000Z',
            last_modified_time: null,
            records_synced: 0,
          },
        ]);
      });
    });

    describe('2. verify after the first import', () => {
      let run: CliRun;
      let json: VerifyReport;
      beforeAll(async () => {
        const report = reportPath();
        run = await verifyCli('--report', report);
        json = readReport<VerifyReport>(report);
      }, 180_000);

      it('finds exactly the refused rows missing, and the seat counts they leave short', () => {
        expect(run.code, run.stderr).toBe(1);
        expect(keysOf(json.differences)).toEqual(
          [
            'missing hubspot_contact_credits c-3',
            `missing hubspot_bookings ${bookingId(4)}`,
            `missing hubspot_bookings ${bookingId(7)}`,
            `missing hubspot_bookings ${bookingId(9)}`,
            'changed hubspot_mock_exams ex-2',
            'changed hubspot_mock_exams ex-4',
          ].sort(),
        );
        expect(run.stdout).toContain(`missing  hubspot_bookings ${bookingId(4)} (HubSpot hb-4)`);
      });
    });

    describe('3. the operator fixes the source and imports again', () => {
      let imported: CliRun;
      let importJson: ImportReport;
      let verified: CliRun;
      let json: VerifyReport;
      beforeAll(async () => {
        await fixLiveSource(source);
        let report = reportPath();
        imported = await importCli('--report', report);
        importJson = readReport<ImportReport>(report);
        report = reportPath();
        verified = await verifyCli('--report', report);
        json = readReport<VerifyReport>(report);
      }, 180_000);

      it('copies just the rows that were refused', () => {
        expect(imported.code, imported.stdout + imported.stderr).toBe(0);
        expect(importJson.tables.map((t) => [t.table, t.inserted, t.updated, t.unchanged, t.refused])).toEqual([
          ['hubspot_contact_credits', 1, 0, 4, 0],
          ['hubspot_mock_exams', 0, 2, 2, 0],
          ['hubspot_bookings', 3, 0, 7, 0],
          ['sync_metadata', 0, 0, 2, 0],
        ]);
      });

      it('then verifies clean', () => {
        expect(verified.code, verified.stdout + verified.stderr).toBe(0);
        expect(verified.stdout).toContain('No differences');
        expect(json.differences).toEqual([]);
      });

      it('reports data-quality findings, which are not differences', () => {
        const finding = (side: string, check: string) => {
          const found = json.dataQuality.find((f) => f.side === side && f.check === check);
          if (!found) throw new Error(`no ${side} finding ${check} in ${JSON.stringify(json.dataQuality)}`);
          return found;
        };
        expect(finding('source', 'total_bookings_drift').examples).toEqual([{ exam: 'ex-1', stored: 7, counted: 2 }]);
        // The import recounted the target from the seats it holds.
        expect(finding('target', 'total_bookings_drift').examples).toEqual([]);
        expect(finding('target', 'bookings_with_unknown_exam').examples).toEqual([
          { booking: bookingId(8), exam: 'ex-404' },
        ]);
        expect(finding('target', 'bookings_with_unknown_contact').count).toBe(0);
        expect(finding('source', 'negative_or_null_credits').count).toBe(0);
        expect(verified.stdout).toContain('1 sessions whose total_bookings differs');
      });
    });

    describe('4. one target row changed, one deleted, one added', () => {
      let run: CliRun;
      let json: VerifyReport;
      beforeAll(async () => {
        await target.query(`update hubspot_mock_exams set location = 'Moon base' where hubspot_id = 'ex-2'`);
        await target.query(`delete from hubspot_bookings where id = $1`, [bookingId(5)]);
        await target.query(
          `insert into hubspot_contact_credits (hubspot_id, student_id, email) values ('c-extra', 'S999', 'mallory@example.com')`,
        );
        const report = reportPath();
        run = await verifyCli('--report', report);
        json = readReport<VerifyReport>(report);
      }, 180_000);

      it('verify reports exactly those three, with the changed column', () => {
        expect(run.code).toBe(1);
        expect(keysOf(json.differences)).toEqual([
          'changed hubspot_mock_exams ex-2',
          'extra hubspot_contact_credits c-extra',
          `missing hubspot_bookings ${bookingId(5)}`,
        ]);
        expect(json.differences.find((d) => d.kind === 'changed')!.columns).toEqual([
          { column: 'location', source: 'Mississauga', target: 'Moon base' },
        ]);
        expect(json.totalDifferences).toBe(3);
        expect(run.stdout).toContain(
          'changed  hubspot_mock_exams ex-2: location source "Mississauga" target "Moon base"',
        );
        expect(run.stdout).toContain('3 difference(s): exit 1.');
      });
    });

    describe('5. re-import after the tampering', () => {
      let imported: CliRun;
      let afterImport: VerifyReport;
      let afterCleanup: CliRun;
      beforeAll(async () => {
        imported = await importCli();
        const report = reportPath();
        await verifyCli('--report', report);
        afterImport = readReport<VerifyReport>(report);
        await target.query(`delete from hubspot_contact_credits where hubspot_id = 'c-extra'`);
        afterCleanup = await verifyCli();
      }, 180_000);

      it('restores the changed and the deleted row', () => {
        expect(imported.code).toBe(0);
        expect(imported.stdout).toContain(
          'hubspot_mock_exams: 4/4 read, inserted 0, updated 1, unchanged 3, refused 0',
        );
        expect(imported.stdout).toContain(
          'hubspot_bookings: 10/10 read, inserted 1, updated 0, unchanged 9, refused 0',
        );
      });

      it('never deletes: the extra row stays until the operator removes it, then verify is clean', () => {
        expect(keysOf(afterImport.differences)).toEqual(['extra hubspot_contact_credits c-extra']);
        expect(afterCleanup.code).toBe(0);
      });
    });

    describe('6. yet another import', () => {
      let run: CliRun;
      let before: Awaited<ReturnType<typeof tableCounts>>;
      beforeAll(async () => {
        before = await tableCounts(target);
        run = await importCli();
      }, 180_000);

      it('is idempotent: it changes nothing and duplicates nothing', async () => {
        expect(run.code).toBe(0);
        expect(run.stdout).toContain('hubspot_bookings: 10/10 read, inserted 0, updated 0, unchanged 10, refused 0');
        expect(await tableCounts(target)).toEqual(before);
        expect(before).toEqual({ contacts: 5, exams: 4, bookings: 10, sync: 2 });
      });
    });
  });

  it('--dry-run converts and counts but writes nothing', { timeout: 180_000 }, async () => {
    const { db: sourceDb, client: source } = await database(false);
    const { db: targetDb, client: target } = await database(true);
    await fillLiveSource(source);
    const run = await runMigrationCli('migrateImport', ['--source', sourceDb.url, '--dry-run'], {
      DATABASE_URL: targetDb.url,
    });
    // Every refusal and the duplicate seat are known before writing.
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('DRY RUN');
    expect(run.stdout).toContain(
      'hubspot_bookings: 10/10 read, would insert 7, would update 0, unchanged 0, refused 3',
    );
    expect(run.stdout).toContain(`cancelled ${bookingId(6)}`);
    expect(await tableCounts(target)).toEqual({ contacts: 0, exams: 0, bookings: 0, sync: 0 });
  });

  it('a source column with nowhere to go stops both commands, unless it is ignored on purpose', {
    timeout: 180_000,
  }, async () => {
    const { db: sourceDb, client: source } = await database(false);
    const { db: targetDb, client: target } = await database(true);
    await fillLiveSource(source);
    await fixLiveSource(source);
    await source.query(`alter table hubspot_sync.hubspot_bookings add column legacy_notes text default 'call back'`);
    const env = { DATABASE_URL: targetDb.url };

    let run = await runMigrationCli('migrateImport', ['--source', sourceDb.url], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Cannot import; nothing was copied');
    expect(run.stderr).toContain('hubspot_bookings.legacy_notes (text) has no column to go to in the target');
    expect(run.stderr).toContain('--ignore-column hubspot_bookings.legacy_notes');
    expect(await tableCounts(target)).toEqual({ contacts: 0, exams: 0, bookings: 0, sync: 0 });
    run = await runMigrationCli('migrateVerify', ['--source', sourceDb.url], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('hubspot_bookings.legacy_notes');

    const ignore = ['--ignore-column', 'hubspot_bookings.legacy_notes'];
    run = await runMigrationCli('migrateImport', ['--source', sourceDb.url, ...ignore], env);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('leaving behind (--ignore-column) legacy_notes');
    run = await runMigrationCli('migrateVerify', ['--source', sourceDb.url, ...ignore], env);
    expect(run.code, run.stdout + run.stderr).toBe(0);
  });

  it('finds older deployments in public through the search path, and refuses keys the source holds twice', {
    timeout: 180_000,
  }, async () => {
    const { db: sourceDb, client: source } = await database(false);
    const { db: targetDb, client: target } = await database(true);
    await fillLiveSource(source, 'public');
    await source.query(`
      update public.hubspot_contact_credits set sj_credits = 0 where hubspot_id = 'c-3';
      delete from public.hubspot_bookings where id in ('${bookingId(4)}', '${bookingId(6)}', '${bookingId(7)}', '${bookingId(9)}');
      insert into public.hubspot_contact_credits (hubspot_id, student_id, email) values ('c-twin', 'S100', 'twin1@example.com'), ('c-twin', 'S101', 'twin2@example.com');`);
    const env = { DATABASE_URL: targetDb.url };

    let run = await runMigrationCli(
      'migrateImport',
      ['--source', sourceDb.url, '--source-schema', 'hubspot_sync'],
      env,
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'hubspot_bookings: the source has no such table in the schemas searched (hubspot_sync)',
    );

    // The default search path is hubspot_sync,public: the first schema that has a table wins.
    const report = reportPath();
    run = await runMigrationCli('migrateImport', ['--source', sourceDb.url, '--report', report], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('hubspot_bookings ← public.hubspot_bookings');
    expect(readReport<ImportReport>(report).problems.map((p) => [p.key, p.column, p.reason])).toEqual([
      [
        'c-twin',
        'hubspot_id',
        '2 source rows share this hubspot_id; the target keeps one row per hubspot_id, so none is copied until the source is fixed',
      ],
      [
        'c-twin',
        'hubspot_id',
        '2 source rows share this hubspot_id; the target keeps one row per hubspot_id, so none is copied until the source is fixed',
      ],
    ]);
    expect(await tableCounts(target)).toEqual({ contacts: 5, exams: 4, bookings: 6, sync: 2 });

    run = await runMigrationCli('migrateVerify', ['--source', sourceDb.url], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('dup-key  hubspot_contact_credits c-twin (2 source rows share it)');
    expect(run.stdout).toContain('1 difference(s)');
  });

  it('a generated source of 16,000 bookings is copied page by page and verified chunk by chunk', {
    timeout: 240_000,
  }, async () => {
    const { db: sourceDb, client: source } = await database(false);
    const { db: targetDb, client: target } = await database(true);
    await source.query(liveSourceDdl('hubspot_sync'));
    await source.query(generatedSourceSql('hubspot_sync', 16_000));
    const sizes = generatedSizes(16_000);
    const env = { DATABASE_URL: targetDb.url };

    let run = await runMigrationCli('migrateImport', ['--source', sourceDb.url, '--batch', '700'], env);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(await tableCounts(target)).toEqual({
      contacts: sizes.contacts,
      exams: sizes.exams,
      bookings: 16_000,
      sync: 3,
    });

    await target.query(`update hubspot_bookings set attendance = 'No' where hubspot_id = 'hb-12345'`);
    const report = reportPath();
    run = await runMigrationCli('migrateVerify', ['--source', sourceDb.url, '--report', report], env);
    expect(run.code).toBe(1);
    const json = readReport<VerifyReport>(report);
    const bookings = json.tables.find((t) => t.table === 'hubspot_bookings');
    // 256 chunks of about 60 rows; only the one holding the changed row was drilled into.
    expect(bookings).toMatchObject({
      sourceRows: 16_000,
      targetRows: 16_000,
      buckets: 256,
      differingBuckets: 1,
      changed: 1,
      missing: 0,
      extra: 0,
    });
    expect(json.differences).toEqual([
      {
        table: 'hubspot_bookings',
        kind: 'changed',
        key: expect.stringMatching(/^[0-9a-f-]{36}$/),
        hubspotId: 'hb-12345',
        columns: [{ column: 'attendance', source: 'Yes', target: 'No' }],
      },
    ]);
    // The generator makes every tenth session's counter one too high; verify finds exactly those in the
    // source, and none in the target, which the import recounted.
    const drift = (side: string) => json.dataQuality.find((f) => f.side === side && f.check === 'total_bookings_drift');
    expect(drift('source')!.count).toBe(sizes.exams / 10);
    expect(drift('target')!.count).toBe(0);
  });

  it('refuses the embedded PGlite target and bad arguments, saying why', async () => {
    let run = await runMigrationCli('migrateImport', ['--source', 'postgres://u:pw@127.0.0.1:1/none'], {
      PGLITE_DATA_DIR: join(reportDir, 'pglite'),
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('The target is the embedded PGlite database');
    run = await runMigrationCli(
      'migrateVerify',
      ['--source', 'postgres://u:pw@127.0.0.1:1/none', '--limit', 'ten'],
      {},
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--limit must be a whole number');
    expect(run.stderr).toContain('Usage: npm run migrate:verify');
  });
});
