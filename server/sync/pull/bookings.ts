import { countActiveBookings, setTotalBookings } from '../../../db/queries/exams';
import { importBooking, knownBookings, type PulledBooking } from '../../../db/queries/syncPull';
import { setBookingHubspotId } from '../../../db/queries/syncPush';
import { BOOKING_STATUSES, type BookingStatus, TOKEN_TYPES } from '../../../db/schema';
import { hubspotCall } from '../hubspotClient';
import { recordChanges } from '../outbox';
import { chunks, type PushContext } from '../push/context';
import { fetchContactsByIds } from './contactLookup';
import { type PullOptions, type PullResult, pullModified } from './run';
import type { FoundRecord } from './search';

const PROPERTIES = [
  'booking_id',
  'is_active',
  'attendance',
  'token_used',
  'student_id',
  'name',
  'email',
  'dominant_hand',
  'attending_location',
];

/** HubSpot's `dominant_hand` is a boolean (true = right); stored here as the student chose it. */
function handOf(value: string | null | undefined): string | null {
  if (value === 'true') return 'Right';
  if (value === 'false') return 'Left';
  return value || null;
}

function bookingFromHubSpot(r: FoundRecord, key: string): PulledBooking | undefined {
  const p = r.properties;
  const status = (p.is_active ?? 'Active') as BookingStatus;
  if (!BOOKING_STATUSES.includes(status)) return undefined;
  const attendance = p.attendance === 'Yes' || p.attendance === 'No' ? p.attendance : null;
  return {
    hubspotId: r.id,
    ours: p[key] || null,
    bookingCode: p.booking_id || null,
    contactId: null,
    examId: null,
    status,
    attendance,
    tokenUsed: TOKEN_TYPES.includes(p.token_used as never) ? p.token_used! : null,
    studentId: p.student_id || null,
    name: p.name || null,
    email: p.email || null,
    dominantHand: handOf(p.dominant_hand),
    attendingLocation: p.attending_location || null,
  };
}

/** The first associated object of each booking, toward `toType` (a booking has one contact, one session). */
async function associated(ctx: PushContext, bookingIds: string[], toType: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const batch of chunks(bookingIds)) {
    const page = await hubspotCall(ctx, () =>
      ctx.client.crm.associations.v4.batchApi.getPage(ctx.settings.objects.bookings, toType, {
        inputs: batch.map((id) => ({ id })),
      }),
    );
    for (const r of page.results) if (r.to[0]) found.set(String(r._from.id), String(r.to[0].toObjectId));
  }
  return found;
}

/**
 * Bookings modified in HubSpot since the cursor. Ours (the key property holds our UUID) get their
 * HubSpot id back-filled and are otherwise left alone: this service owns them. Bookings staff made in
 * HubSpot are imported with their contact (fetched if new here) and session; the session's count is
 * rewritten under its row lock and pushed. One whose session is not here is skipped and logged
 * (`sync:run --type sessions`, then `--type bookings --full`, brings it).
 */
export function pullBookings(ctx: PushContext, options: PullOptions): Promise<PullResult> {
  const key = ctx.settings.bookingKeyProperty;
  return pullModified(ctx, options, {
    type: 'bookings',
    search: {
      objectType: ctx.settings.objects.bookings,
      modifiedProperty: 'hs_lastmodifieddate',
      properties: [...PROPERTIES, key],
    },
    async store(records) {
      const pulled = records.map((r) => bookingFromHubSpot(r, key)).filter((b): b is PulledBooking => Boolean(b));
      let skipped = records.length - pulled.length;
      const known = await knownBookings(
        ctx.db,
        pulled.map((b) => b.hubspotId),
        pulled.flatMap((b) => (b.ours ? [b.ours] : [])),
      );
      let stored = 0;
      for (const b of pulled) {
        if (!b.ours || known.hubspotIds.has(b.hubspotId)) continue;
        if (!known.ours.has(b.ours)) {
          ctx.logger.warn(
            { hubspotId: b.hubspotId, ours: b.ours },
            'hubspot pull: a booking keyed to a booking not here',
          );
          skipped++;
          continue;
        }
        if (known.ours.get(b.ours) === null) {
          await setBookingHubspotId(ctx.db, { id: b.ours, hubspotId: b.hubspotId });
          stored++;
        }
      }
      const staffMade = pulled.filter((b) => !b.ours && !known.hubspotIds.has(b.hubspotId));
      if (staffMade.length > 0) {
        const ids = staffMade.map((b) => b.hubspotId);
        const contacts = await associated(ctx, ids, ctx.settings.objects.contacts);
        const exams = await associated(ctx, ids, ctx.settings.objects.mockExams);
        await fetchContactsByIds(ctx, [...new Set(contacts.values())]);
        for (const b of staffMade) {
          const contactId = contacts.get(b.hubspotId);
          const examId = exams.get(b.hubspotId);
          const id =
            contactId && examId
              ? await ctx.db.transaction(async (tx) => {
                  const imported = await importBooking(tx, { ...b, contactId, examId });
                  if (!imported) return undefined;
                  await setTotalBookings(tx, { examId, total: await countActiveBookings(tx, examId) });
                  await recordChanges(tx, [{ object: 'exam', id: examId, change: 'total_bookings' }]);
                  return imported;
                })
              : undefined;
          if (id) stored++;
          else {
            skipped++;
            ctx.logger.warn(
              { hubspotId: b.hubspotId, contactId, examId },
              'hubspot pull: a staff-made booking not imported (its session or student is not here, or the student already holds a seat in it)',
            );
          }
        }
      }
      return { stored, kept: 0, skipped };
    },
  });
}
