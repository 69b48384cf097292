import type { PendingChange } from '../../../db/queries/syncPush';
import {
  type BookingForPush,
  bookingsForPush,
  markAttemptFailed,
  markDelivered,
  setBookingHubspotId,
} from '../../../db/queries/syncPush';
import { hubspotCall } from '../hubspotClient';
import { chunks, type PushContext, stringProperties } from './context';
import { rejectedAsFailedAttempt } from './failures';

/** HubSpot's `dominant_hand` is a boolean, true = right: left-handed students must stay left-handed. */
function dominantHand(value: string | null): boolean | null {
  if (!value) return null;
  if (/^l/i.test(value)) return false;
  if (/^r/i.test(value)) return true;
  return null;
}

function bookingProperties(b: BookingForPush) {
  return stringProperties({
    booking_id: b.bookingCode,
    is_active: b.status,
    attendance: b.attendance,
    token_used: b.tokenUsed,
    token_refunded: b.tokenRefunded,
    mock_type: b.mockType,
    exam_date: b.examDate,
    student_id: b.studentId,
    name: b.name,
    email: b.email,
    dominant_hand: dominantHand(b.dominantHand),
    attending_location: b.attendingLocation,
  });
}

/**
 * Pushes bookings as they are now (coalescing however many changes led there). A booking HubSpot
 * has not seen is upserted on the unique key property holding our UUID, so a crash between HubSpot's
 * answer and the write-back of its id creates nothing twice; one HubSpot knows is updated by its id.
 * A new booking is associated to its contact and session (default types; repeating that is harmless).
 */
export async function pushBookings(ctx: PushContext, changes: PendingChange[]): Promise<void> {
  const ids = [...new Set(changes.map((c) => c.objectId))];
  const rows = new Map((await bookingsForPush(ctx.db, ids)).map((b) => [b.id, b]));
  const outboxIdsOf = (bookingId: string) => changes.filter((c) => c.objectId === bookingId).map((c) => c.id);
  // A booking that no longer exists has nothing to tell.
  await markDelivered(ctx.db, ids.filter((id) => !rows.has(id)).flatMap(outboxIdsOf));
  // A booking on a session created here that HubSpot does not have yet (its creation was refused this
  // run) waits for it: an attempt is spent, so a session that never gets there shows as dead letters.
  const waiting = [...rows.values()].filter((b) => b.examExists && !b.examObjectId);
  if (waiting.length > 0) {
    await markAttemptFailed(
      ctx.db,
      waiting.flatMap((b) => outboxIdsOf(b.id)),
      'its session is not in HubSpot yet',
    );
    for (const b of waiting) rows.delete(b.id);
  }
  const needsAssociation = new Set(
    changes.filter((c) => c.change === 'created' || c.change === 'rebooked').map((c) => c.objectId),
  );

  for (const batch of chunks([...rows.values()])) {
    const batchOutbox = batch.flatMap((b) => outboxIdsOf(b.id));
    await rejectedAsFailedAttempt(ctx, batchOutbox, async () => {
      const hubspotIds = await upsertOrUpdate(ctx, batch);
      const toAssociate = batch.filter((b) => needsAssociation.has(b.id) || !b.hubspotId);
      await associate(ctx, toAssociate, hubspotIds);
      await ctx.db.transaction(async (tx) => {
        for (const b of batch) {
          const hubspotId = hubspotIds.get(b.id);
          if (hubspotId && !b.hubspotId) await setBookingHubspotId(tx, { id: b.id, hubspotId });
        }
        await markDelivered(tx, batchOutbox);
      });
    });
  }
}

/** Our booking UUID → HubSpot's id, for the whole batch. */
async function upsertOrUpdate(ctx: PushContext, batch: BookingForPush[]): Promise<Map<string, string>> {
  const { client, settings } = ctx;
  const type = settings.objects.bookings;
  const key = settings.bookingKeyProperty;
  const result = new Map<string, string>();
  const known = batch.filter((b) => b.hubspotId);
  const fresh = batch.filter((b) => !b.hubspotId);
  if (known.length > 0) {
    await hubspotCall(ctx, () =>
      client.crm.objects.batchApi.update(type, {
        inputs: known.map((b) => ({ id: b.hubspotId!, properties: { ...bookingProperties(b), [key]: b.id } })),
      }),
    );
    for (const b of known) result.set(b.id, b.hubspotId!);
  }
  if (fresh.length > 0) {
    const response = await hubspotCall(ctx, () =>
      client.crm.objects.batchApi.upsert(type, {
        // The key is also sent as a property so HubSpot's answer carries it (results come in no
        // promised order; the key is how each HubSpot id is matched back to its booking).
        inputs: fresh.map((b) => ({ idProperty: key, id: b.id, properties: { ...bookingProperties(b), [key]: b.id } })),
      }),
    );
    for (const r of response.results) {
      const ours = r.properties[key];
      if (ours) result.set(ours, r.id);
    }
  }
  return result;
}

async function associate(ctx: PushContext, batch: BookingForPush[], hubspotIds: Map<string, string>): Promise<void> {
  const { client, settings } = ctx;
  // A session is named by its HubSpot id (a session created here keeps its local id in our tables).
  const pairs = (target: 'contactId' | 'examObjectId') =>
    batch
      .filter((b) => hubspotIds.has(b.id) && b[target])
      .map((b) => ({ _from: { id: hubspotIds.get(b.id)! }, to: { id: b[target]! } }));
  const contacts = pairs('contactId');
  const exams = pairs('examObjectId');
  if (contacts.length > 0)
    await hubspotCall(ctx, () =>
      client.crm.associations.v4.batchApi.createDefault(settings.objects.bookings, settings.objects.contacts, {
        inputs: contacts,
      }),
    );
  if (exams.length > 0)
    await hubspotCall(ctx, () =>
      client.crm.associations.v4.batchApi.createDefault(settings.objects.bookings, settings.objects.mockExams, {
        inputs: exams,
      }),
    );
}
