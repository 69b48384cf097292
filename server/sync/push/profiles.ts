import { contactProfiles, markDelivered, type PendingChange } from '../../../db/queries/syncPush';
import { hubspotCall } from '../hubspotClient';
import { chunks, type PushContext } from './context';
import { rejectedAsFailedAttempt } from './failures';

/**
 * Profile changes (profile.setNdeccExamDate): each contact's current NDECC exam date is written to
 * its HubSpot contact (`ndecc_exam_date`, a date property: YYYY-MM-DD, empty to clear). Current state,
 * not the change: several edits become one write, and a retry writes the same value again.
 */
export async function pushProfiles(ctx: PushContext, changes: PendingChange[]): Promise<void> {
  const ids = [...new Set(changes.map((c) => c.objectId))];
  for (const batch of chunks(ids)) {
    const outboxIds = changes.filter((c) => batch.includes(c.objectId)).map((c) => c.id);
    await rejectedAsFailedAttempt(ctx, outboxIds, async () => {
      const profiles = await contactProfiles(ctx.db, batch);
      if (profiles.length > 0) {
        await hubspotCall(ctx, () =>
          ctx.client.crm.objects.batchApi.update(ctx.settings.objects.contacts, {
            inputs: profiles.map((p) => ({ id: p.contactId, properties: { ndecc_exam_date: p.ndeccExamDate ?? '' } })),
          }),
        );
      }
      // A contact no longer here has nothing to send.
      await markDelivered(ctx.db, outboxIds);
    });
  }
}
