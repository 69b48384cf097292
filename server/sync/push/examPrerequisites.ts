import type { Client } from '@hubspot/api-client';
import { type ExamForPush, examHubspotObjectIds } from '../../../db/queries/syncPush';
import { HubSpotCallFailed, hubspotCall } from '../hubspotClient';
import { chunks, type PushContext } from './context';

type AssociationInput = Parameters<Client['crm']['associations']['v4']['batchApi']['create']>[2]['inputs'][number];
// "requires attendance at" is a label the school defined on the session → session association.
const USER_DEFINED = 'USER_DEFINED' as AssociationInput['types'][number]['associationCategory'];

/**
 * Sets each session's "requires attendance at" associations (HUBSPOT_ASSOCIATION_PREREQUISITE) in
 * HubSpot to exactly its prerequisite list here: the missing ones labelled, the extra ones unlabelled
 * (archiveLabels removes only that label; other associations between the two sessions stay).
 * Every session named must already be in HubSpot (pushExams creates new ones first); one that is not
 * makes the batch a failed attempt, retried on the next run.
 */
export async function setPrerequisites(ctx: PushContext, exams: ExamForPush[]): Promise<void> {
  const withIds = exams.filter((e): e is ExamForPush & { objectId: string } => Boolean(e.objectId));
  if (withIds.length === 0) return;
  const type = ctx.settings.objects.mockExams;
  const typeId = ctx.settings.prerequisiteAssociationTypeId;
  const wanted = await wantedPrerequisites(ctx, withIds);
  const current = new Map<string, Set<string>>(withIds.map((e) => [e.objectId, new Set()]));
  for (const batch of chunks(withIds)) {
    const page = await hubspotCall(ctx, () =>
      ctx.client.crm.associations.v4.batchApi.getPage(type, type, {
        inputs: batch.map((e) => ({ id: e.objectId })),
      }),
    );
    for (const r of page.results) {
      const labelled = r.to.filter((t) => t.associationTypes.some((a) => a.typeId === typeId));
      current.set(String(r._from.id), new Set(labelled.map((t) => String(t.toObjectId))));
    }
  }
  const link = (from: string, to: string): AssociationInput => ({
    _from: { id: from },
    to: { id: to },
    types: [{ associationCategory: USER_DEFINED, associationTypeId: typeId }],
  });
  const add: AssociationInput[] = [];
  const remove: AssociationInput[] = [];
  for (const e of withIds) {
    const want = wanted.get(e.objectId) ?? new Set<string>();
    const have = current.get(e.objectId) ?? new Set<string>();
    for (const to of want) if (!have.has(to)) add.push(link(e.objectId, to));
    for (const to of have) if (!want.has(to)) remove.push(link(e.objectId, to));
  }
  for (const inputs of chunks(add))
    await hubspotCall(ctx, () => ctx.client.crm.associations.v4.batchApi.create(type, type, { inputs }));
  for (const inputs of chunks(remove))
    await hubspotCall(ctx, () => ctx.client.crm.associations.v4.batchApi.archiveLabels(type, type, { inputs }));
}

/** Each session's prerequisites as HubSpot ids. */
async function wantedPrerequisites(
  ctx: PushContext,
  exams: Array<ExamForPush & { objectId: string }>,
): Promise<Map<string, Set<string>>> {
  const localIds = [...new Set(exams.flatMap((e) => e.prerequisiteExamIds ?? []))];
  const objectIds = await examHubspotObjectIds(ctx.db, localIds);
  const missing = localIds.filter((id) => !objectIds.get(id));
  if (missing.length > 0)
    throw new HubSpotCallFailed({
      kind: 'rejected',
      status: 409,
      message: `prerequisite sessions not in HubSpot yet: ${missing.join(', ')}`,
    });
  return new Map(
    exams.map((e) => [e.objectId, new Set((e.prerequisiteExamIds ?? []).map((id) => objectIds.get(id)!))]),
  );
}
