import type pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './helpers/database';

// These go around the service on purpose: the rules must hold for any writer of the tables
// (imports, admin tools, a future bug), not only for code paths that remember to check.
let database: TestDatabase;
let client: pg.Client;

beforeAll(async () => {
  database = await createTestDatabase();
  client = await database.connect();
});
afterAll(async () => {
  await client.end();
  await database.drop();
});
// Each test runs in a transaction that is rolled back, so they cannot see each other's rows.
beforeEach(() => client.query('begin'));
afterEach(() => client.query('rollback'));

async function rejects(sqlText: string, params: unknown[], code: string, constraint?: string) {
  await client.query('savepoint attempt');
  const error = await client.query(sqlText, params).then(
    () => undefined,
    (err: pg.DatabaseError) => err,
  );
  await client.query('rollback to savepoint attempt');
  expect(error, `expected ${sqlText} to be rejected`).toBeDefined();
  expect(error!.code).toBe(code);
  if (constraint) expect(error!.constraint).toBe(constraint);
}

const insertExam = (overrides: Record<string, unknown> = {}) => {
  const row = {
    hubspot_id: `exam-${Math.random()}`,
    mock_type: 'Clinical Skills',
    exam_date: '2030-03-01',
    ...overrides,
  };
  const cols = Object.keys(row);
  return [
    `insert into hubspot_mock_exams (${cols.join(', ')}) values (${cols.map((_, i) => `$${i + 1}`).join(', ')})`,
    Object.values(row),
  ] as const;
};

const insertBooking = (overrides: Record<string, unknown> = {}) => {
  const row = {
    associated_contact_id: 'contact-1',
    associated_mock_exam: 'exam-1',
    exam_date: '2030-03-01',
    mock_type: 'Clinical Skills',
    ...overrides,
  };
  const cols = Object.keys(row);
  return [
    `insert into hubspot_bookings (${cols.join(', ')}) values (${cols.map((_, i) => `$${i + 1}`).join(', ')})`,
    Object.values(row),
  ] as const;
};

const CHECK_VIOLATION = '23514';
const UNIQUE_VIOLATION = '23505';
const NOT_NULL_VIOLATION = '23502';

describe('credits', () => {
  it.each(['sj_credits', 'cs_credits', 'sjmini_credits', 'mock_discussion_token', 'shared_mock_credits'])(
    '%s can never go below zero',
    async (column) => {
      await client.query(
        "insert into hubspot_contact_credits (hubspot_id, student_id, email) values ('c1', 'S1', 's1@example.com')",
      );
      await rejects(
        `update hubspot_contact_credits set ${column} = ${column} - 1 where hubspot_id = 'c1'`,
        [],
        CHECK_VIOLATION,
        'hubspot_contact_credits_non_negative',
      );
    },
  );

  it('default to zero, and a contact needs a hubspot_id', async () => {
    const { rows } = await client.query(
      "insert into hubspot_contact_credits (hubspot_id) values ('c2') returning sj_credits, cs_credits, sjmini_credits, mock_discussion_token, shared_mock_credits",
    );
    expect(rows[0]).toEqual({
      sj_credits: 0,
      cs_credits: 0,
      sjmini_credits: 0,
      mock_discussion_token: 0,
      shared_mock_credits: 0,
    });
    await rejects('insert into hubspot_contact_credits (student_id) values ($1)', ['S9'], NOT_NULL_VIOLATION);
    await rejects("insert into hubspot_contact_credits (hubspot_id) values ('c2')", [], UNIQUE_VIOLATION);
  });
});

describe('sessions', () => {
  it('accept a well-formed session with the defaults of the guide', async () => {
    const [text, params] = insertExam({ hubspot_id: 'ok-1' });
    await client.query(text, params);
    const { rows } = await client.query(
      "select capacity, total_bookings, is_active from hubspot_mock_exams where hubspot_id = 'ok-1'",
    );
    expect(rows[0]).toEqual({ capacity: 8, total_bookings: 0, is_active: 'true' });
  });

  it('reject a negative capacity or booking count', async () => {
    await rejects(...insertExam({ capacity: -1 }), CHECK_VIOLATION, 'hubspot_mock_exams_capacity_non_negative');
    await rejects(
      ...insertExam({ total_bookings: -1 }),
      CHECK_VIOLATION,
      'hubspot_mock_exams_total_bookings_non_negative',
    );
  });

  it.each(['True', 'active', 'yes', ''])('reject is_active = %j', async (value) => {
    await rejects(...insertExam({ is_active: value }), CHECK_VIOLATION, 'hubspot_mock_exams_is_active_valid');
  });

  it("reject 'scheduled' without an activation time, accept it with one", async () => {
    await rejects(
      ...insertExam({ is_active: 'scheduled' }),
      CHECK_VIOLATION,
      'hubspot_mock_exams_scheduled_has_activation',
    );
    const [text, params] = insertExam({
      is_active: 'scheduled',
      scheduled_activation_datetime: '2030-02-01T17:00:00Z',
    });
    await client.query(text, params);
  });

  it('reject a second session with the same hubspot_id', async () => {
    await client.query(...insertExam({ hubspot_id: 'dup' }));
    await rejects(...insertExam({ hubspot_id: 'dup' }), UNIQUE_VIOLATION, 'hubspot_mock_exams_hubspot_id_unique');
  });
});

describe('bookings', () => {
  it('one non-cancelled booking per contact per session, whatever the booking copies of type and date say', async () => {
    await client.query(...insertBooking());
    await rejects(...insertBooking(), UNIQUE_VIOLATION, 'hubspot_bookings_one_active_per_contact_exam');
    await rejects(
      ...insertBooking({ is_active: 'Completed' }),
      UNIQUE_VIOLATION,
      'hubspot_bookings_one_active_per_contact_exam',
    );
    // The old booking RPC left the copies NULL: no NULL can slip past a key on two NOT NULL columns.
    await rejects(
      ...insertBooking({ mock_type: null, exam_date: null }),
      UNIQUE_VIOLATION,
      'hubspot_bookings_one_active_per_contact_exam',
    );
  });

  it('allow another session, another student, and rebooking after a cancellation', async () => {
    await client.query(...insertBooking({ is_active: 'Cancelled' }));
    await client.query(...insertBooking({ is_active: 'Cancelled' }));
    await client.query(...insertBooking());
    await client.query(...insertBooking({ associated_mock_exam: 'exam-2', mock_type: 'Situational Judgment' }));
    await client.query(...insertBooking({ associated_mock_exam: 'exam-3', exam_date: '2030-03-02' }));
    await client.query(...insertBooking({ associated_contact_id: 'contact-2' }));
    const { rows } = await client.query(
      "select count(*)::int as n from hubspot_bookings where is_active <> 'Cancelled'",
    );
    expect(rows[0].n).toBe(4);
  });

  it('cancelling frees the seat for the same contact and session', async () => {
    const { rows } = await client.query(`${insertBooking()[0]} returning id`, [...insertBooking()[1]]);
    await client.query("update hubspot_bookings set is_active = 'Cancelled' where id = $1", [rows[0].id]);
    await client.query(...insertBooking());
  });

  it.each(['active', 'Canceled', 'Booked'])('reject is_active = %j', async (value) => {
    await rejects(...insertBooking({ is_active: value }), CHECK_VIOLATION, 'hubspot_bookings_is_active_valid');
  });

  it.each(['yes', 'Maybe', 'N'])('reject attendance = %j (only Yes, No or empty)', async (value) => {
    await rejects(...insertBooking({ attendance: value }), CHECK_VIOLATION, 'hubspot_bookings_attendance_valid');
  });

  it('accept every attendance value of the guide', async () => {
    for (const [i, value] of ['Yes', 'No', ''].entries())
      await client.query(...insertBooking({ attendance: value, associated_contact_id: `a-${i}` }));
  });

  it('reject a token name the refund logic does not know', async () => {
    await rejects(...insertBooking({ token_used: 'Free Token' }), CHECK_VIOLATION, 'hubspot_bookings_token_used_valid');
    await client.query(...insertBooking({ token_used: 'Shared Token' }));
  });

  it('reject a refund on a booking that was not cancelled', async () => {
    await rejects(
      ...insertBooking({ token_refunded: true }),
      CHECK_VIOLATION,
      'hubspot_bookings_refund_only_when_cancelled',
    );
    await client.query(...insertBooking({ token_refunded: true, is_active: 'Cancelled' }));
  });

  it('reject a reused idempotency key and a booking without contact or session', async () => {
    await client.query(...insertBooking({ idempotency_key: 'k1' }));
    await rejects(
      ...insertBooking({ idempotency_key: 'k1', exam_date: '2030-04-01' }),
      UNIQUE_VIOLATION,
      'hubspot_bookings_idempotency_key_unique',
    );
    await rejects(...insertBooking({ associated_contact_id: null }), NOT_NULL_VIOLATION);
    await rejects(...insertBooking({ associated_mock_exam: null }), NOT_NULL_VIOLATION);
  });
});

describe('sync_metadata', () => {
  it('one row per sync type', async () => {
    await client.query("insert into sync_metadata (sync_type) values ('contacts')");
    await rejects(
      "insert into sync_metadata (sync_type) values ('contacts')",
      [],
      UNIQUE_VIOLATION,
      'sync_metadata_sync_type_unique',
    );
  });
});

describe('legacy_audit_log (the old system’s history, archived by migrate:import)', () => {
  const archived = `insert into legacy_audit_log (source_key, table_name, operation, record_id, row)
    values ('1', 'hubspot_bookings', 'UPDATE', 'b-1', '{"new_values": {"token_refunded": "true"}}')`;

  it('takes new rows, and refuses to change or delete them', async () => {
    await client.query(archived);
    await rejects("update legacy_audit_log set operation = 'DELETE'", [], '42501');
    await rejects('delete from legacy_audit_log', [], '42501');
    await rejects('truncate legacy_audit_log', [], '42501');
    const { rows } = await client.query(
      "select row->'new_values'->>'token_refunded' as refunded from legacy_audit_log",
    );
    expect(rows).toEqual([{ refunded: 'true' }]);
  });
});
