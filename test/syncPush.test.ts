import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { databaseUrlFor } from '../db/databaseUrl';
import { sleep } from '../server/lib/time';
import { createLogger } from '../server/logger';
import { openConfiguredDatabase } from '../server/runtime/database';
import { runPullNow } from '../server/sync/pullJob';
import { useCaller } from './helpers/caller';
import { waitFor } from './helpers/childServer';
import { insertContact, insertExam, type TestContact } from './helpers/factories';
import { type HubSpotEndpoint, startHubSpotEndpoint } from './helpers/hubspotEndpoint';
import { fastJobs, startInstance, type TestInstance, testConfig } from './helpers/jobEngines';
import { startWorkerProcess, type WorkerProcess } from './helpers/workerProcess';

/**
 * The outbound push (docs/SYNC.md) through the real @hubspot/api-client against a local
 * HubSpot-shaped endpoint: every change reaches HubSpot once, in its latest state, whatever fails.
 */
const { db, as } = useCaller();
let hubspot: HubSpotEndpoint;
const instances: TestInstance[] = [];
const BOOKINGS = '2-50158943';
const CONTACTS = '0-1';
const EXAMS = '2-50158913';
const KEY = 'mocks_booking_uuid';

const databaseUrl = () => databaseUrlFor(inject('postgresAdminUrl'), db.database!);
const syncEnv = () => ({
  HUBSPOT_TOKEN: 'test-token',
  HUBSPOT_API_BASE_URL: hubspot.url,
  JOBS_PUSH_INTERVAL_MS: '500',
  JOBS_EXPIRE_SECONDS: '10',
});
const start = async (env: Record<string, string> = {}) => {
  const instance = await startInstance(databaseUrl(), { ...syncEnv(), ...env });
  instances.push(instance);
  return instance;
};

beforeAll(async () => {
  hubspot = await startHubSpotEndpoint();
});
afterEach(async () => {
  await Promise.all(instances.splice(0).map((i) => i.stop().catch(() => undefined)));
  hubspot.setOutage(undefined);
  hubspot.afterWrite = undefined;
});
afterAll(async () => {
  await hubspot.close();
});

/** A student and a session that exist on both sides, with the same credits. */
async function arrange(credits = 2): Promise<{ contact: TestContact; examId: string }> {
  const contact = await insertContact(db, { cs_credits: credits });
  const examId = await insertExam(db);
  hubspot.seed(CONTACTS, contact.contactId, { cs_credits: String(credits), email: contact.email });
  hubspot.seed(EXAMS, examId, { total_bookings: '0', is_active: 'true' });
  return { contact, examId };
}

const pendingFor = async (...ids: string[]) =>
  (
    await db.query('select count(*)::int as n from sync_outbox where object_id = any($1) and delivered_at is null', [
      ids,
    ])
  ).rows[0].n as number;
const bookingsInHubSpot = (bookingId: string) =>
  [...hubspot.objects(BOOKINGS).values()].filter((o) => o.properties[KEY] === bookingId);
const localHubspotId = async (bookingId: string) =>
  (await db.query('select hubspot_id from hubspot_bookings where id = $1', [bookingId])).rows[0].hubspot_id;

describe('outbound push', () => {
  it('a booking is upserted on our key, associated to its contact and session, its id written back; credits and count follow', async () => {
    const { contact, examId } = await arrange();
    const booking = await as(contact).bookings.create({ dominantHand: 'Left', examId });
    await start();
    await waitFor(async () => (await pendingFor(booking.bookingId, contact.contactId, examId)) === 0, 'delivery');

    const [object] = bookingsInHubSpot(booking.bookingId);
    // Left-handed stays left-handed: HubSpot's dominant_hand is a boolean, true = right.
    expect(object?.properties).toMatchObject({
      is_active: 'Active',
      token_used: 'Clinical Skills Token',
      dominant_hand: 'false',
    });
    expect(hubspot.requests.some((r) => r.path.endsWith(`/objects/${BOOKINGS}/batch/upsert`))).toBe(true);
    expect(await localHubspotId(booking.bookingId)).toBe(object!.id);
    expect(hubspot.associations).toEqual(
      expect.arrayContaining([
        { fromType: BOOKINGS, fromId: object!.id, toType: CONTACTS, toId: contact.contactId },
        { fromType: BOOKINGS, fromId: object!.id, toType: EXAMS, toId: examId },
      ]),
    );
    expect(hubspot.objects(CONTACTS).get(contact.contactId)!.properties.cs_credits).toBe('1');
    expect(hubspot.objects(EXAMS).get(examId)!.properties.total_bookings).toBe('1');
  });

  it('a booking cancelled before its first push is created in HubSpot as Cancelled, once, and the credit is back', async () => {
    const { contact, examId } = await arrange();
    const booking = await as(contact).bookings.create({ dominantHand: 'Left', examId });
    await as(contact).bookings.cancel({ bookingId: booking.bookingId });
    await start();
    await waitFor(async () => (await pendingFor(booking.bookingId, contact.contactId, examId)) === 0, 'delivery');
    const objects = bookingsInHubSpot(booking.bookingId);
    expect(objects).toHaveLength(1);
    expect(objects[0]!.properties.is_active).toBe('Cancelled');
    expect(hubspot.objects(CONTACTS).get(contact.contactId)!.properties.cs_credits).toBe('2');
    expect(hubspot.objects(EXAMS).get(examId)!.properties.total_bookings).toBe('0');
  });

  it('credits merge both ways: a purchase in HubSpot and a booking here in the same minute both survive', async () => {
    const { contact, examId } = await arrange(2);
    // HubSpot: staff sell the student 5 credits (2 → 7). Here: the student books (2 → 1).
    hubspot.objects(CONTACTS).get(contact.contactId)!.properties.cs_credits = '7';
    const booking = await as(contact).bookings.create({ dominantHand: 'Left', examId });
    await start();
    await waitFor(async () => (await pendingFor(booking.bookingId, contact.contactId)) === 0, 'delivery');
    expect(hubspot.objects(CONTACTS).get(contact.contactId)!.properties.cs_credits).toBe('6');
    const local = await db.query('select cs_credits from hubspot_contact_credits where hubspot_id = $1', [
      contact.contactId,
    ]);
    expect(local.rows[0].cs_credits).toBe(6);
  });

  it("a student's NDECC exam date reaches their HubSpot contact; a pull meanwhile does not undo it", async () => {
    const { contact } = await arrange();
    hubspot.objects(CONTACTS).get(contact.contactId)!.properties.ndecc_exam_date = '2027-01-15';
    await as(contact).profile.setNdeccExamDate({ ndeccExamDate: '2027-03-02' });
    // Before the push runs, a contacts pull brings HubSpot's older date: the student's edit is kept.
    hubspot.touch(CONTACTS, contact.contactId, { student_id: contact.studentId });
    const config = testConfig(databaseUrl(), syncEnv());
    const database = await openConfiguredDatabase(config, createLogger('silent'));
    try {
      const logger = createLogger('silent');
      await runPullNow({ db: database.db, config, logger, token: 'test-token' }, 'contacts', { full: true });
    } finally {
      await database.close();
    }
    const local = async () =>
      (await db.query('select ndecc_exam_date from hubspot_contact_credits where hubspot_id = $1', [contact.contactId]))
        .rows[0].ndecc_exam_date;
    expect(await local()).toBe('2027-03-02');
    await start();
    await waitFor(async () => (await pendingFor(contact.contactId)) === 0, 'delivery');
    expect(hubspot.objects(CONTACTS).get(contact.contactId)!.properties.ndecc_exam_date).toBe('2027-03-02');
  });

  it('429 with Retry-After: the push waits that long, then delivers', async () => {
    const { contact, examId } = await arrange();
    const booking = await as(contact).bookings.create({ dominantHand: 'Left', examId });
    hubspot.failNext(1, { status: 429, headers: { 'retry-after': '3' } }, /batch\/upsert/);
    const before = hubspot.requests.length;
    await start();
    await waitFor(async () => (await pendingFor(booking.bookingId)) === 0, 'delivery', 20_000);
    const upserts = hubspot.requests.slice(before).filter((r) => r.path.endsWith('/batch/upsert'));
    expect(upserts.map((r) => r.status)).toEqual([429, 200]);
    expect(upserts[1]!.at - upserts[0]!.at).toBeGreaterThanOrEqual(2_900);
  });

  it('HubSpot down: bookings are unaffected and everything is delivered once it returns', {
    timeout: 60_000,
  }, async () => {
    hubspot.setOutage({ status: 503 });
    await start();
    const made: string[] = [];
    const started = Date.now();
    for (let i = 0; i < 5; i++) {
      const { contact, examId } = await arrange();
      made.push((await as(contact).bookings.create({ dominantHand: 'Left', examId })).bookingId);
    }
    expect(Date.now() - started).toBeLessThan(5_000);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await pendingFor(...made)).toBe(5);
    hubspot.setOutage(undefined);
    await waitFor(async () => (await pendingFor(...made)) === 0, 'delivery after the outage', 40_000);
    for (const id of made) expect(bookingsInHubSpot(id)).toHaveLength(1);
  });

  it('a worker killed between HubSpot’s answer and the write-back: the retry creates no duplicate', {
    timeout: 60_000,
  }, async () => {
    const { contact, examId } = await arrange();
    const booking = await as(contact).bookings.create({ dominantHand: 'Left', examId });
    const env = { DATABASE_URL: databaseUrl(), ...syncEnv(), ...fastJobs, LOG_LEVEL: 'info' };
    // The hook is armed before the worker starts: its first push may come before we read its start line.
    let killed = false;
    let worker: WorkerProcess | undefined;
    hubspot.afterWrite = async (path) => {
      if (killed || !path.endsWith('/batch/upsert')) return;
      killed = true;
      while (!worker) await sleep(20);
      worker.child.kill('SIGKILL');
      await worker.exited;
    };
    worker = await startWorkerProcess(env);
    await waitFor(async () => killed, 'the upsert reaching HubSpot');
    expect(bookingsInHubSpot(booking.bookingId)).toHaveLength(1);
    expect(await localHubspotId(booking.bookingId)).toBeNull();
    hubspot.afterWrite = undefined;
    await start();
    await waitFor(async () => (await pendingFor(booking.bookingId)) === 0, 'the retry', 40_000);
    const objects = bookingsInHubSpot(booking.bookingId);
    expect(objects).toHaveLength(1);
    expect(await localHubspotId(booking.bookingId)).toBe(objects[0]!.id);
  });
});
