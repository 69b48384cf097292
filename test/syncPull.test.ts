import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { DatabaseHandle } from '../db/client';
import { databaseUrlFor } from '../db/databaseUrl';
import { sleep } from '../server/lib/time';
import { createLogger } from '../server/logger';
import { openConfiguredDatabase } from '../server/runtime/database';
import type { PullType } from '../server/sync/pull/run';
import { runPullNow } from '../server/sync/pullJob';
import { callerFailure } from './helpers/caller';
import { insertContact, insertExam } from './helpers/factories';
import { useHubSpotCaller } from './helpers/hubspotCaller';
import type { HubSpotEndpoint } from './helpers/hubspotEndpoint';
import { testConfig } from './helpers/jobEngines';

/**
 * Incremental pulls from HubSpot (docs/SYNC.md "Inbound") through the real @hubspot/api-client
 * against a local HubSpot-shaped endpoint: by modification time from a saved cursor, paged, storing
 * only what HubSpot authors, never reverting what this service changed and has not pushed yet.
 */
const { db, anonymous, env, hubspot: endpoint } = useHubSpotCaller({ HUBSPOT_PULL_OVERLAP_SECONDS: '0' });
let hubspot: HubSpotEndpoint;
beforeAll(() => {
  hubspot = endpoint();
});
const EXAMS = '2-50158913';
const BOOKINGS = '2-50158943';
const CONTACTS = '0-1';
const KEY = 'mocks_booking_uuid';

let database: DatabaseHandle;
const config = () => testConfig(databaseUrlFor(inject('postgresAdminUrl'), db.database!), { ...env });
beforeAll(async () => {
  database = await openConfiguredDatabase(config(), createLogger('silent'));
});
afterAll(async () => {
  await database?.close();
});

const pull = (type: PullType, full = false) =>
  runPullNow({ db: database.db, config: config(), logger: createLogger('silent'), token: 'test-token' }, type, {
    full,
  });
const searches = (type: string) => hubspot.requests.filter((r) => r.path === `/crm/v3/objects/${type}/search`);
const examRow = async (id: string) =>
  (await db.query('select * from hubspot_mock_exams where hubspot_id = $1', [id])).rows[0];
const hourAgo = () => new Date(Date.now() - 3_600_000);
let seq = 0;
const hubspotId = () => String(900_000 + (Date.now() % 100_000) * 10 + ++seq);

function session(overrides: Record<string, string> = {}) {
  const start = Date.now() + 5 * 86_400_000;
  return {
    mock_type: 'Clinical Skills',
    mock_set: 'B',
    exam_date: new Date(start).toISOString().slice(0, 10),
    start_time: String(start),
    end_time: String(start + 3 * 3_600_000),
    location: 'Mississauga',
    capacity: '10',
    is_active: 'true',
    total_bookings: '0',
    ...overrides,
  };
}

beforeEach(async () => {
  // Each test starts from no cursor and an empty HubSpot, on the describe's one database.
  await db.query(`delete from sync_metadata where sync_type like 'hubspot-pull-%'`);
  for (const type of [EXAMS, BOOKINGS, CONTACTS]) hubspot.objects(type).clear();
  hubspot.associations.splice(0);
});

describe('sessions pull', () => {
  it('an incremental pull picks up exactly the modified sessions and prerequisites, from the saved cursor', async () => {
    const [cs, sj, discussion] = [hubspotId(), hubspotId(), hubspotId()];
    const at = hourAgo().getTime();
    hubspot.seed(EXAMS, cs, session(), new Date(at));
    hubspot.seed(EXAMS, sj, session({ mock_type: 'Situational Judgment' }), new Date(at + 1));
    hubspot.seed(EXAMS, discussion, session({ mock_type: 'Mock Discussion' }), new Date(at + 2));
    hubspot.associations.push(
      { fromType: EXAMS, fromId: discussion, toType: EXAMS, toId: cs, typeId: 1340 },
      { fromType: EXAMS, fromId: discussion, toType: EXAMS, toId: sj, typeId: 1340 },
    );

    const first = await pull('sessions');
    expect(first).toMatchObject({ fetched: 3, stored: 3, kept: 0, skipped: 0 });
    expect((await examRow(discussion)).prerequisite_exam_ids).toEqual([cs, sj].sort());
    expect(await examRow(cs)).toMatchObject({ mock_type: 'Clinical Skills', capacity: 10, is_active: 'true' });

    // Staff edit one session in HubSpot (dropping a prerequisite), and add one.
    const added = hubspotId();
    hubspot.associations.splice(1, 1);
    hubspot.touch(EXAMS, discussion, { location: 'Calgary' });
    await sleep(5);
    hubspot.seed(EXAMS, added, session({ mock_type: 'Mini-mock' }));
    const before = searches(EXAMS).length;
    const second = await pull('sessions');
    expect(second).toMatchObject({ fetched: 2, stored: 2 });
    // Asked from the cursor: the last modification the first pull stored.
    const filter = (searches(EXAMS)[before]!.body as { filterGroups: Array<{ filters: Array<{ value: string }> }> })
      .filterGroups[0]!.filters[0]!;
    expect(Number(filter.value)).toBe(first.cursor!.getTime());
    expect(await examRow(discussion)).toMatchObject({ location: 'Calgary', prerequisite_exam_ids: [cs] });
    expect(await examRow(added)).toMatchObject({ mock_type: 'Mini-mock' });

    // Nothing modified since: only the record at the cursor's own instant is read again (the cursor is
    // inclusive, so a run that died between two records of one millisecond loses neither).
    const third = await pull('sessions');
    expect(third).toMatchObject({ fetched: 1 });
    expect(third.cursor).toEqual(second.cursor);
  });

  it('pages through more than one search page, and a repeated full pull stores the same rows (idempotent)', async () => {
    const ids = Array.from({ length: 450 }, () => hubspotId());
    for (const id of ids) hubspot.seed(EXAMS, id, session(), hourAgo());
    const before = searches(EXAMS).length;
    expect(await pull('sessions')).toMatchObject({ fetched: 450, stored: 450 });
    expect(searches(EXAMS).length - before).toBe(3);
    expect(await pull('sessions', true)).toMatchObject({ fetched: 450, stored: 450 });
    const { rows } = await db.query('select count(*)::int as n from hubspot_mock_exams where hubspot_id = any($1)', [
      ids,
    ]);
    expect(rows[0].n).toBe(450);
  });

  it('never writes the count this service owns, nor reverts a local edit not yet pushed', async () => {
    const counted = await insertExam(db, { examId: hubspotId(), capacity: 8 });
    const edited = await insertExam(db, { examId: hubspotId(), location: 'Vancouver' });
    await db.query('update hubspot_mock_exams set total_bookings = 3 where hubspot_id = $1', [counted]);
    // An admin's edit here, still waiting in the outbox.
    await db.query(`insert into sync_outbox (object_type, object_id, change) values ('exam', $1, 'updated')`, [edited]);
    hubspot.seed(EXAMS, counted, session({ capacity: '12', total_bookings: '0' }));
    hubspot.seed(EXAMS, edited, session({ location: 'Montreal' }));

    expect(await pull('sessions')).toMatchObject({ fetched: 2, stored: 1, kept: 1 });
    expect(await examRow(counted)).toMatchObject({ capacity: 12, total_bookings: 3 });
    expect(await examRow(edited)).toMatchObject({ location: 'Vancouver' });
  });
});

describe('contacts pull', () => {
  const credits = async (id: string) =>
    (await db.query('select cs_credits, sj_credits from hubspot_contact_credits where hubspot_id = $1', [id])).rows[0];

  it('new students are added with their credits; a purchase in HubSpot reaches a known student as a delta', async () => {
    const known = await insertContact(db, { cs_credits: 2, sj_credits: 1 });
    hubspot.seed(CONTACTS, known.contactId, {
      student_id: known.studentId,
      email: known.email,
      cs_credits: '2',
      sj_credits: '1',
    });
    const fresh = hubspotId();
    hubspot.seed(CONTACTS, fresh, {
      student_id: 'S-NEW-1',
      email: 'new@example.com',
      firstname: 'Nia',
      cs_credits: '4',
    });
    hubspot.seed(CONTACTS, hubspotId(), { email: 'not-a-student@example.com' });

    expect(await pull('contacts')).toMatchObject({ fetched: 2 });
    expect(await credits(fresh)).toEqual({ cs_credits: 4, sj_credits: 0 });
    expect(await credits(known.contactId)).toEqual({ cs_credits: 2, sj_credits: 1 });

    // The student spends one credit here (local 2 → 1, already pushed: no outbox row left) …
    await db.query('update hubspot_contact_credits set cs_credits = 1 where hubspot_id = $1', [known.contactId]);
    await db.query(`update sync_credit_base set base = jsonb_set(base, '{csCredits}', '1') where contact_id = $1`, [
      known.contactId,
    ]);
    hubspot.touch(CONTACTS, known.contactId, { cs_credits: '1' });
    await pull('contacts');
    // … then buys five in HubSpot (1 → 6): applied here as +5, not copied over anything.
    await db.query('update hubspot_contact_credits set sj_credits = 3 where hubspot_id = $1', [known.contactId]);
    hubspot.touch(CONTACTS, known.contactId, { cs_credits: '6' });
    await pull('contacts');
    expect(await credits(known.contactId)).toEqual({ cs_credits: 6, sj_credits: 3 });
  });

  it('a student whose credit change waits for the push is left to the push (which merges both sides)', async () => {
    const student = await insertContact(db, { cs_credits: 1 });
    await db.query(
      `insert into sync_outbox (object_type, object_id, change, payload) values ('contact', $1, 'credits', '{"column":"csCredits","delta":-1}')`,
      [student.contactId],
    );
    hubspot.seed(CONTACTS, student.contactId, { student_id: student.studentId, email: student.email, cs_credits: '7' });
    await pull('contacts');
    expect(await credits(student.contactId)).toEqual({ cs_credits: 1, sj_credits: 0 });
  });
});

describe('bookings pull', () => {
  it('a booking staff made in HubSpot is imported with its student and session, and the count follows', async () => {
    const student = await insertContact(db, { cs_credits: 1 });
    const exam = await insertExam(db, { examId: hubspotId() });
    const staffMade = hubspotId();
    hubspot.seed(BOOKINGS, staffMade, {
      is_active: 'Active',
      token_used: 'Clinical Skills Token',
      dominant_hand: 'false',
    });
    hubspot.associations.push(
      { fromType: BOOKINGS, fromId: staffMade, toType: CONTACTS, toId: student.contactId },
      { fromType: BOOKINGS, fromId: staffMade, toType: EXAMS, toId: exam },
    );
    expect(await pull('bookings')).toMatchObject({ fetched: 1, stored: 1, skipped: 0 });
    const { rows } = await db.query('select * from hubspot_bookings where hubspot_id = $1', [staffMade]);
    expect(rows[0]).toMatchObject({
      associated_contact_id: student.contactId,
      associated_mock_exam: exam,
      is_active: 'Active',
      dominant_hand: 'Left',
    });
    expect((await examRow(exam)).total_bookings).toBe(1);
    const outbox = await db.query(`select change from sync_outbox where object_id = $1 and delivered_at is null`, [
      exam,
    ]);
    expect(outbox.rows.map((r) => r.change)).toContain('total_bookings');
    // Pulled again (a full pull): nothing twice.
    await pull('bookings', true);
    const again = await db.query('select count(*)::int as n from hubspot_bookings where associated_mock_exam = $1', [
      exam,
    ]);
    expect(again.rows[0].n).toBe(1);
  });

  it('a booking made here and found in HubSpot under our key gets its HubSpot id back', async () => {
    const student = await insertContact(db);
    const exam = await insertExam(db, { examId: hubspotId() });
    const { rows } = await db.query(
      `insert into hubspot_bookings (associated_contact_id, associated_mock_exam) values ($1, $2) returning id`,
      [student.contactId, exam],
    );
    const ours = rows[0].id as string;
    const theirs = hubspotId();
    hubspot.seed(BOOKINGS, theirs, { [KEY]: ours, is_active: 'Active' });
    expect(await pull('bookings')).toMatchObject({ stored: 1 });
    const after = await db.query('select hubspot_id from hubspot_bookings where id = $1', [ours]);
    expect(after.rows[0].hubspot_id).toBe(theirs);
  });
});

describe('login of a student HubSpot has and this service does not yet', () => {
  it('is fetched once on demand, so a student who bought credits a minute ago can log in', async () => {
    const id = hubspotId();
    hubspot.seed(CONTACTS, id, { student_id: 'S-FRESH-9', email: 'fresh9@example.com', cs_credits: '3' });
    const before = searches(CONTACTS).length;
    const session = await anonymous().auth.login({ studentId: 'S-FRESH-9', email: 'Fresh9@Example.com' });
    expect(session.contact.contactId).toBe(id);
    const { rows } = await db.query('select cs_credits from hubspot_contact_credits where hubspot_id = $1', [id]);
    expect(rows[0].cs_credits).toBe(3);
    // Stored: the next login asks HubSpot nothing.
    await anonymous().auth.login({ studentId: 'S-FRESH-9', email: 'fresh9@example.com' });
    expect(searches(CONTACTS).length - before).toBe(1);
  });

  it('a student HubSpot does not know either: refused, and not asked of HubSpot again for a while', async () => {
    const before = searches(CONTACTS).length;
    const login = () => anonymous().auth.login({ studentId: 'S-NOBODY', email: 'nobody@example.com' });
    expect((await callerFailure(login())).appCode).toBe('UNAUTHENTICATED');
    expect((await callerFailure(login())).appCode).toBe('UNAUTHENTICATED');
    expect(searches(CONTACTS).length - before).toBe(1);
  });

  it('HubSpot down: the login answers at once as not found (no 500)', async () => {
    hubspot.setOutage({ status: 503 });
    try {
      const failure = await callerFailure(anonymous().auth.login({ studentId: 'S-DOWN', email: 'down@example.com' }));
      expect(failure.appCode).toBe('UNAUTHENTICATED');
    } finally {
      hubspot.setOutage(undefined);
    }
  });
});
