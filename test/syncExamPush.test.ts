import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Client, createClient } from '../client/src';
import type { Database } from '../db/client';
import { databaseUrlFor } from '../db/databaseUrl';
import { createLogger } from '../server/logger';
import { openConfiguredDatabase } from '../server/runtime/database';
import { runPullNow } from '../server/sync/pullJob';
import { drainOutbox } from '../server/sync/push/drain';
import { runReconcile } from '../server/sync/reconcile';
import { syncContext } from '../server/sync/syncContext';
import { insertContact } from './helpers/factories';
import { type HubSpotEndpoint, startHubSpotEndpoint } from './helpers/hubspotEndpoint';
import { testConfig } from './helpers/jobEngines';
import { startOidcIssuer } from './helpers/oidcIssuer';
import { useTestService } from './helpers/service';

/**
 * Sessions made here reach HubSpot (issue 11): created once on the unique property holding our id,
 * edited with their authored fields, prerequisites as labelled associations, deletions archived and
 * never brought back by a pull. The service runs over HTTP with sync off; the push and pull run
 * in-process through the real @hubspot/api-client against a local HubSpot-shaped endpoint.
 */
const idp = await startOidcIssuer();
const s = useTestService(idp.env);
const { db } = s;
const EXAMS = '2-50158913';
const BOOKINGS = '2-50158943';
const KEY = 'mocks_booking_exam_id';
const PREREQUISITE = 1340;

let hubspot: HubSpotEndpoint;
let database: { db: Database; close(): Promise<void> };
let admin: Client;
const logger = createLogger('silent');
const config = () =>
  testConfig(databaseUrlFor(inject('postgresAdminUrl'), db.database!), {
    HUBSPOT_TOKEN: 'test-token',
    HUBSPOT_API_BASE_URL: hubspot.url,
  });

beforeAll(async () => {
  hubspot = await startHubSpotEndpoint();
  database = await openConfiguredDatabase(config(), logger);
  const token = await idp.token('super_admin');
  admin = createClient({ url: `${s.url}/api/trpc`, getToken: () => token });
});
afterAll(async () => {
  await database?.close();
  await hubspot?.close();
  await idp.close();
});

/** One push run, as the job does it. */
const push = () =>
  drainOutbox(syncContext({ db: database.db, config: config(), logger, token: 'test-token' }), {
    maxAttempts: 10,
    budgetMs: 10_000,
  });
const pullSessions = () =>
  runPullNow({ db: database.db, config: config(), logger, token: 'test-token' }, 'sessions', { full: true });

const inHubSpot = (examId: string) => [...hubspot.objects(EXAMS).values()].filter((o) => o.properties[KEY] === examId);
const objectIdOf = async (examId: string) =>
  (await db.query('select hubspot_object_id from hubspot_mock_exams where hubspot_id = $1', [examId])).rows[0]
    ?.hubspot_object_id as string | null | undefined;
const pending = async (examId: string) =>
  (
    await db.query(
      `select count(*)::int as n from sync_outbox where object_id = $1 and delivered_at is null and object_type = 'exam'`,
      [examId],
    )
  ).rows[0].n as number;
const prerequisiteLinks = (fromId: string) =>
  hubspot.associations
    .filter((a) => a.fromType === EXAMS && a.toType === EXAMS && a.fromId === fromId && a.typeId === PREREQUISITE)
    .map((a) => a.toId)
    .sort();

const newSession = (fields: Partial<{ mockType: string; examDate: string; capacity: number; location: string }> = {}) =>
  admin.admin.exams.create.mutate({
    mockType: 'Clinical Skills',
    mockSet: 'A',
    examDate: '2031-03-10',
    startTime: '09:00',
    endTime: '12:00',
    location: 'Mississauga',
    capacity: 8,
    ...fields,
  } as Parameters<Client['admin']['exams']['create']['mutate']>[0]);

describe('sessions made here reach HubSpot', () => {
  it('a created session is created there once with its fields, its id recorded; a booking on it is associated to that id', async () => {
    const session = await newSession({ location: 'Vancouver', capacity: 12 });
    expect(session.examId).toMatch(/^mb-/);
    await push();
    const [object, ...more] = inHubSpot(session.examId);
    expect(more).toHaveLength(0);
    expect(object!.properties).toMatchObject({
      mock_type: 'Clinical Skills',
      exam_date: '2031-03-10',
      location: 'Vancouver',
      capacity: '12',
      is_active: 'true',
      total_bookings: '0',
    });
    expect(object!.properties.start_time).toBe(session.startTime?.toISOString());
    expect(await objectIdOf(session.examId)).toBe(object!.id);
    expect(await pending(session.examId)).toBe(0);

    // A student books it: the booking is associated to the session's HubSpot id, not our local one.
    const contact = await insertContact(db, { cs_credits: 1 });
    hubspot.seed('0-1', contact.contactId, { cs_credits: '1' });
    const anonymous = createClient({ url: `${s.url}/api/trpc` });
    const { token } = await anonymous.auth.login.mutate({ studentId: contact.studentId, email: contact.email });
    const student = createClient({ url: `${s.url}/api/trpc`, getToken: () => token });
    const booking = await student.bookings.create.mutate({ examId: session.examId, dominantHand: 'Right' });
    await push();
    const bookingObject = [...hubspot.objects(BOOKINGS).values()].find(
      (o) => o.properties.mocks_booking_uuid === booking.bookingId,
    );
    expect(hubspot.associations).toContainEqual({
      fromType: BOOKINGS,
      fromId: bookingObject!.id,
      toType: EXAMS,
      toId: object!.id,
    });
    expect(hubspot.objects(EXAMS).get(object!.id)!.properties.total_bookings).toBe('1');
    expect(inHubSpot(session.examId)).toHaveLength(1);
  });

  it('a lost write-back of HubSpot’s id creates nothing twice: the next push finds it by our id, and so does a pull', async () => {
    const session = await newSession();
    await push();
    const [object] = inHubSpot(session.examId);
    // As if the process died between HubSpot's answer and our write-back.
    await db.query('update hubspot_mock_exams set hubspot_object_id = null where hubspot_id = $1', [session.examId]);
    await admin.admin.exams.update.mutate({ examId: session.examId, capacity: 9 });
    await push();
    expect(inHubSpot(session.examId)).toHaveLength(1);
    expect(await objectIdOf(session.examId)).toBe(object!.id);
    expect(object!.properties.capacity).toBe('9');

    // The pull recognises it by the same property and stores no second session.
    await db.query('update hubspot_mock_exams set hubspot_object_id = null where hubspot_id = $1', [session.examId]);
    hubspot.touch(EXAMS, object!.id, { location: 'Toronto' });
    await pullSessions();
    const rows = (
      await db.query('select hubspot_id, location from hubspot_mock_exams where hubspot_id = $1 or hubspot_id = $2', [
        session.examId,
        object!.id,
      ])
    ).rows;
    expect(rows).toEqual([{ hubspot_id: session.examId, location: 'Toronto' }]);
    expect(await objectIdOf(session.examId)).toBe(object!.id);
  });

  it('an edit sends the authored fields; a booking count alone does not overwrite what HubSpot authors', async () => {
    const session = await newSession();
    await push();
    const [object] = inHubSpot(session.examId);
    await admin.admin.exams.update.mutate({ examId: session.examId, location: 'Calgary', capacity: 10 });
    await push();
    expect(object!.properties).toMatchObject({ location: 'Calgary', capacity: '10' });

    // Staff rename the location in HubSpot; a count change made here must not undo it.
    hubspot.touch(EXAMS, object!.id, { location: 'Calgary North' });
    await db.query(`insert into sync_outbox (object_type, object_id, change) values ('exam', $1, 'total_bookings')`, [
      session.examId,
    ]);
    await push();
    expect(hubspot.objects(EXAMS).get(object!.id)!.properties.location).toBe('Calgary North');
  });

  it('prerequisites become exactly the labelled associations, sessions created here included', async () => {
    const clinical = await newSession({ examDate: '2031-02-01' });
    const judgment = await newSession({ mockType: 'Situational Judgment', examDate: '2031-02-02' });
    const discussion = await newSession({ mockType: 'Mock Discussion', examDate: '2031-02-20' });
    await admin.admin.exams.setPrerequisites.mutate({
      examId: discussion.examId,
      prerequisiteExamIds: [clinical.examId, judgment.examId],
    });
    await push();
    const id = async (examId: string) => (await objectIdOf(examId))!;
    expect(prerequisiteLinks(await id(discussion.examId))).toEqual(
      [await id(clinical.examId), await id(judgment.examId)].sort(),
    );
    await admin.admin.exams.setPrerequisites.mutate({ examId: discussion.examId, remove: [judgment.examId] });
    await push();
    expect(prerequisiteLinks(await id(discussion.examId))).toEqual([await id(clinical.examId)]);
    expect(await pending(discussion.examId)).toBe(0);
  });

  it('reconciliation compares a session created here by its HubSpot id and restores the count it owns', async () => {
    const session = await newSession();
    await push();
    const [object] = inHubSpot(session.examId);
    hubspot.touch(EXAMS, object!.id, { total_bookings: '5' });
    const drift = await runReconcile({ db: database.db, config: config(), logger, token: 'test-token' });
    expect(drift.sessionCountHubspot).toBeGreaterThanOrEqual(1);
    expect(await pending(session.examId)).toBe(1);
    await push();
    expect(hubspot.objects(EXAMS).get(object!.id)!.properties.total_bookings).toBe('0');
  });

  it('a deleted session is archived there, and a pull before or after that does not bring it back', async () => {
    const mine = await newSession();
    await push();
    const [object] = inHubSpot(mine.examId);
    // A session HubSpot authored, pulled here, then deleted here.
    hubspot.seed(EXAMS, '77001', {
      mock_type: 'Clinical Skills',
      exam_date: '2031-04-04',
      is_active: 'true',
      capacity: '8',
      location: 'Mississauga',
    });
    await pullSessions();
    expect((await db.query(`select 1 from hubspot_mock_exams where hubspot_id = '77001'`)).rowCount).toBe(1);

    await admin.admin.exams.delete.mutate({ examIds: [mine.examId, '77001'] });
    // Not pushed yet: HubSpot still has both, and a pull must not resurrect them.
    hubspot.touch(EXAMS, '77001', { location: 'Mississauga' });
    hubspot.touch(EXAMS, object!.id, { location: 'Mississauga' });
    await pullSessions();
    const resurrected = async () =>
      (
        await db.query('select hubspot_id from hubspot_mock_exams where hubspot_id = any($1)', [
          [mine.examId, '77001', object!.id],
        ])
      ).rows;
    expect(await resurrected()).toEqual([]);

    await push();
    expect(hubspot.objects(EXAMS).has('77001')).toBe(false);
    expect(hubspot.objects(EXAMS).has(object!.id)).toBe(false);
    await pullSessions();
    expect(await resurrected()).toEqual([]);
  });
});
