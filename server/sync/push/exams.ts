import {
  type ExamForPush,
  examsForPush,
  markDelivered,
  type PendingChange,
  setExamHubspotObjectId,
} from '../../../db/queries/syncPush';
import { hubspotCall } from '../hubspotClient';
import { chunks, type PushContext, stringProperties } from './context';
import { archiveDeletedExams } from './examDeletions';
import { setPrerequisites } from './examPrerequisites';
import { rejectedAsFailedAttempt } from './failures';

/** What this service owns on a session: sent with every change. */
const ownedProperties = (e: ExamForPush) =>
  stringProperties({ total_bookings: e.totalBookings, is_active: e.isActive });

/**
 * What an admin authors here (create, edit, status): sent only after such an edit, never with a mere
 * booking count, so an edit made in HubSpot and not yet pulled is not overwritten by our older copy.
 */
const authoredProperties = (e: ExamForPush) =>
  stringProperties({
    mock_type: e.mockType,
    mock_set: e.mockSet,
    exam_date: e.examDate,
    start_time: e.startTime?.toISOString(),
    end_time: e.endTime?.toISOString(),
    location: e.location,
    capacity: e.capacity,
    scheduled_activation_datetime: e.scheduledActivationDatetime?.toISOString(),
    mock_exam_name: e.mockExamName,
  });

/**
 * Pushes sessions: the ones created here are created in HubSpot (upserted on the unique property
 * holding our local id, so a crash between HubSpot's answer and our write-back of its id creates
 * nothing twice), edits made here send the authored fields, every change sends the booking count and
 * activation, prerequisite changes set the "requires attendance at" associations to exactly our list,
 * and deleted sessions are archived there. Runs before the bookings' push, which associates bookings
 * to their session's HubSpot id.
 */
export async function pushExams(ctx: PushContext, changes: PendingChange[]): Promise<void> {
  await archiveDeletedExams(
    ctx,
    changes.filter((c) => c.change === 'deleted'),
  );
  const live = changes.filter((c) => c.change !== 'deleted');
  const ids = [...new Set(live.map((c) => c.objectId))];
  const rows = await examsForPush(ctx.db, ids);
  const outboxIdsOf = (examId: string) => live.filter((c) => c.objectId === examId).map((c) => c.id);
  const present = new Set(rows.map((r) => r.examId));
  // Deleted since: its 'deleted' change (pushed above) is what HubSpot must hear.
  await markDelivered(ctx.db, ids.filter((id) => !present.has(id)).flatMap(outboxIdsOf));
  const edited = new Set(live.filter((c) => c.change === 'updated').map((c) => c.objectId));
  const prerequisitesChanged = new Set(live.filter((c) => c.change === 'prerequisites').map((c) => c.objectId));

  // First every session HubSpot lacks, so the updates and prerequisites below can name them.
  const created = new Set<string>();
  for (const batch of chunks(rows.filter((r) => !r.objectId))) {
    await rejectedAsFailedAttempt(
      ctx,
      batch.flatMap((r) => outboxIdsOf(r.examId)),
      async () => {
        for (const [examId, objectId] of await createInHubSpot(ctx, batch)) {
          const row = batch.find((r) => r.examId === examId);
          if (row) row.objectId = objectId;
          created.add(examId);
        }
      },
    );
  }
  for (const batch of chunks(rows.filter((r) => r.objectId))) {
    await rejectedAsFailedAttempt(
      ctx,
      batch.flatMap((r) => outboxIdsOf(r.examId)),
      async () => {
        const updates = batch.filter((r) => !created.has(r.examId));
        if (updates.length > 0)
          await hubspotCall(ctx, () =>
            ctx.client.crm.objects.batchApi.update(ctx.settings.objects.mockExams, {
              inputs: updates.map((r) => ({
                id: r.objectId!,
                properties: { ...ownedProperties(r), ...(edited.has(r.examId) ? authoredProperties(r) : {}) },
              })),
            }),
          );
        const withPrerequisites = batch.filter(
          (r) =>
            prerequisitesChanged.has(r.examId) || (created.has(r.examId) && (r.prerequisiteExamIds?.length ?? 0) > 0),
        );
        await setPrerequisites(ctx, withPrerequisites);
        await markDelivered(
          ctx.db,
          batch.flatMap((r) => outboxIdsOf(r.examId)),
        );
      },
    );
  }
}

/** Upserts sessions created here on HUBSPOT_EXAM_KEY_PROPERTY and records HubSpot's ids. */
async function createInHubSpot(ctx: PushContext, batch: ExamForPush[]): Promise<Map<string, string>> {
  const key = ctx.settings.examKeyProperty;
  const response = await hubspotCall(ctx, () =>
    ctx.client.crm.objects.batchApi.upsert(ctx.settings.objects.mockExams, {
      // The key is also sent as a property so HubSpot's answer carries it: results come in no
      // promised order, and the key is how each HubSpot id is matched back to its session.
      inputs: batch.map((r) => ({
        idProperty: key,
        id: r.examId,
        properties: { ...authoredProperties(r), ...ownedProperties(r), [key]: r.examId },
      })),
    }),
  );
  const created = new Map<string, string>();
  for (const r of response.results) {
    const ours = r.properties[key];
    if (ours) created.set(ours, r.id);
  }
  await ctx.db.transaction(async (tx) => {
    for (const [examId, objectId] of created) await setExamHubspotObjectId(tx, { examId, objectId });
  });
  return created;
}
