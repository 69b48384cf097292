import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DatabaseHandle } from '../db/client';
import { databaseUrlFor } from '../db/databaseUrl';
import { createLogger } from '../server/logger';
import { metricsRegistry } from '../server/metrics';
import { openConfiguredDatabase } from '../server/runtime/database';
import { runReconcile } from '../server/sync/reconcile';
import { insertBookingRow, insertContact, insertExam } from './helpers/factories';
import { useHubSpotCaller } from './helpers/hubspotCaller';
import type { HubSpotEndpoint } from './helpers/hubspotEndpoint';
import { startInstance, testConfig } from './helpers/jobEngines';

/**
 * The reconciliation job (docs/SYNC.md): counts this service owns are repaired from its bookings and
 * pushed; HubSpot's differing counts are pushed again; credits out of step with nothing in flight are
 * reported; every kind is a number on /metrics.
 */
const { db, env, hubspot: endpoint } = useHubSpotCaller();
let hubspot: HubSpotEndpoint;
beforeAll(() => {
  hubspot = endpoint();
});
const EXAMS = '2-50158913';
const CONTACTS = '0-1';

let database: DatabaseHandle;
const url = () => databaseUrlFor(inject('postgresAdminUrl'), db.database!);
beforeAll(async () => {
  database = await openConfiguredDatabase(testConfig(url(), { ...env }), createLogger('silent'));
});
afterAll(async () => {
  await database?.close();
});

const reconcile = () =>
  runReconcile({ db: database.db, config: testConfig(url(), { ...env }), logger: createLogger('silent'), token: 't' });
const waitingFor = async (id: string) =>
  (await db.query(`select change from sync_outbox where object_id = $1 and delivered_at is null`, [id])).rows.map(
    (r) => r.change,
  );

describe('reconciliation', () => {
  it('repairs and pushes counts, reports credits out of step, and publishes the drift', async () => {
    const student = await insertContact(db, { cs_credits: 3 });
    // A count that drifted here: 5 stored, 1 booking held.
    const drifted = await insertExam(db, { examId: '880001' });
    await insertBookingRow(db, student.contactId, drifted);
    await db.query('update hubspot_mock_exams set total_bookings = 5 where hubspot_id = $1', [drifted]);
    hubspot.seed(EXAMS, drifted, { total_bookings: '5' });
    // A count right here and wrong in HubSpot, with nothing waiting to be pushed.
    const stale = await insertExam(db, { examId: '880002' });
    hubspot.seed(EXAMS, stale, { total_bookings: '4' });
    // In step on both sides.
    const fine = await insertExam(db, { examId: '880003' });
    hubspot.seed(EXAMS, fine, { total_bookings: '0' });
    // Credits: HubSpot has 5, the values last agreed were 5, here 3 with no change waiting: drift.
    hubspot.seed(CONTACTS, student.contactId, { cs_credits: '5' });
    await db.query(
      `insert into sync_credit_base (contact_id, base) values ($1, '{"sjCredits":0,"csCredits":5,"sjminiCredits":0,"mockDiscussionToken":0,"sharedMockCredits":0}')`,
      [student.contactId],
    );
    // A purchase in HubSpot not yet pulled (HubSpot moved since the values agreed): not drift.
    const buyer = await insertContact(db, { cs_credits: 1 });
    hubspot.seed(CONTACTS, buyer.contactId, { cs_credits: '6' });
    await db.query(
      `insert into sync_credit_base (contact_id, base) values ($1, '{"sjCredits":0,"csCredits":1,"sjminiCredits":0,"mockDiscussionToken":0,"sharedMockCredits":0}')`,
      [buyer.contactId],
    );

    const drift = await reconcile();
    expect(drift).toEqual({ sessionCountLocal: 1, sessionCountHubspot: 1, credits: 1 });
    const { rows } = await db.query('select total_bookings from hubspot_mock_exams where hubspot_id = $1', [drifted]);
    expect(rows[0].total_bookings).toBe(1);
    expect(await waitingFor(drifted)).toEqual(['total_bookings']);
    expect(await waitingFor(stale)).toEqual(['total_bookings']);
    expect(await waitingFor(fine)).toEqual([]);
    const credits = await db.query('select cs_credits from hubspot_contact_credits where hubspot_id = $1', [
      student.contactId,
    ]);
    expect(credits.rows[0].cs_credits).toBe(3);

    // The drift as /metrics shows it (stored, so every instance shows the same).
    const instance = await startInstance(url(), {}, {});
    try {
      const text = await metricsRegistry.metrics();
      expect(text).toContain('mocks_booking_hubspot_drift{kind="sessionCountLocal"} 1');
      expect(text).toContain('mocks_booking_hubspot_drift{kind="credits"} 1');
    } finally {
      await instance.stop();
    }

    // Run again once the pushes are out: the local count holds; nothing new to repair.
    await db.query(`update sync_outbox set delivered_at = now() where delivered_at is null`);
    hubspot.objects(EXAMS).get(drifted)!.properties.total_bookings = '1';
    hubspot.objects(EXAMS).get(stale)!.properties.total_bookings = '0';
    expect(await reconcile()).toMatchObject({ sessionCountLocal: 0, sessionCountHubspot: 0 });
  });
});
