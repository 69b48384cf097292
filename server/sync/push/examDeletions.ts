import { markDelivered, type PendingChange } from '../../../db/queries/syncPush';
import { isLocalExamId } from '../../../db/schema';
import { hubspotCall } from '../hubspotClient';
import { chunks, type PushContext } from './context';
import { rejectedAsFailedAttempt } from './failures';

/**
 * Archives in HubSpot the sessions deleted here, so a pull cannot bring them back (the pull also skips
 * a session whose deletion is still on its way, db/queries/syncPull.ts). A session that came from
 * HubSpot is archived by its id; one created here by the id recorded when it was pushed, or, when
 * that write-back never happened, found by the unique property holding our id. One HubSpot never had
 * (deleted before its first push) needs nothing.
 */
export async function archiveDeletedExams(ctx: PushContext, deletions: PendingChange[]): Promise<void> {
  for (const batch of chunks(deletions)) {
    await rejectedAsFailedAttempt(
      ctx,
      batch.map((c) => c.id),
      async () => {
        const known = new Map<string, string>();
        const lookUp: string[] = [];
        for (const c of batch) {
          const recorded = (c.payload as { hubspotObjectId?: string | null } | null)?.hubspotObjectId;
          if (!isLocalExamId(c.objectId)) known.set(c.objectId, c.objectId);
          else if (recorded) known.set(c.objectId, recorded);
          else lookUp.push(c.objectId);
        }
        for (const [examId, objectId] of await findByLocalId(ctx, lookUp)) known.set(examId, objectId);
        const objectIds = [...new Set(known.values())];
        if (objectIds.length > 0)
          await hubspotCall(ctx, () =>
            ctx.client.crm.objects.batchApi.archive(ctx.settings.objects.mockExams, {
              inputs: objectIds.map((id) => ({ id })),
            }),
          );
        await markDelivered(
          ctx.db,
          batch.map((c) => c.id),
        );
      },
    );
  }
}

/** Sessions created here that HubSpot may have although we never learnt their id. */
async function findByLocalId(ctx: PushContext, examIds: string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  if (examIds.length === 0) return found;
  const key = ctx.settings.examKeyProperty;
  const page = await hubspotCall(ctx, () =>
    ctx.client.crm.objects.batchApi.read(ctx.settings.objects.mockExams, {
      idProperty: key,
      inputs: examIds.map((id) => ({ id })),
      properties: [key],
      propertiesWithHistory: [],
    }),
  );
  for (const r of page.results) {
    const ours = r.properties[key];
    if (ours) found.set(ours, r.id);
  }
  return found;
}
