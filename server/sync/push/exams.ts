import { examsForPush, markDelivered, type PendingChange } from '../../../db/queries/syncPush';
import { hubspotCall } from '../hubspotClient';
import { chunks, type PushContext, stringProperties } from './context';
import { rejectedAsFailedAttempt } from './failures';

/**
 * Pushes what this service owns on a session: its booking count (written as the count, which only
 * this service changes) and its activation. Fields authored in HubSpot are never written from here.
 */
export async function pushExams(ctx: PushContext, changes: PendingChange[]): Promise<void> {
  const ids = [...new Set(changes.map((c) => c.objectId))];
  const rows = await examsForPush(ctx.db, ids);
  const outboxIdsOf = (examId: string) => changes.filter((c) => c.objectId === examId).map((c) => c.id);
  const present = new Set(rows.map((r) => r.examId));
  await markDelivered(ctx.db, ids.filter((id) => !present.has(id)).flatMap(outboxIdsOf));
  for (const batch of chunks(rows)) {
    const outboxIds = batch.flatMap((r) => outboxIdsOf(r.examId));
    await rejectedAsFailedAttempt(ctx, outboxIds, async () => {
      await hubspotCall(ctx, () =>
        ctx.client.crm.objects.batchApi.update(ctx.settings.objects.mockExams, {
          inputs: batch.map((r) => ({
            id: r.examId,
            properties: stringProperties({ total_bookings: r.totalBookings, is_active: r.isActive }),
          })),
        }),
      );
      await markDelivered(ctx.db, outboxIds);
    });
  }
}
