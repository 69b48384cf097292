import { knownContactIds } from '../../../db/queries/syncPull';
import { hubspotCall } from '../hubspotClient';
import { chunks, type PushContext } from '../push/context';
import { CONTACT_PROPERTIES, contactFromHubSpot, storeContacts } from './contacts';

/** Students HubSpot has and this service does not yet: read by id and stored (a staff-made booking's). */
export async function fetchContactsByIds(ctx: PushContext, ids: string[]): Promise<void> {
  const known = await knownContactIds(ctx.db, ids);
  const missing = ids.filter((id) => !known.has(id));
  for (const batch of chunks(missing)) {
    const read = await hubspotCall(ctx, () =>
      ctx.client.crm.objects.batchApi.read(ctx.settings.objects.contacts, {
        inputs: batch.map((id) => ({ id })),
        properties: CONTACT_PROPERTIES,
        propertiesWithHistory: [],
      }),
    );
    await storeContacts(
      ctx,
      read.results.map((r) =>
        contactFromHubSpot({ id: r.id, properties: r.properties as Record<string, string | null> }),
      ),
    );
  }
}

/**
 * The login of a student HubSpot knows and this service does not yet (credits bought a minute ago,
 * before the contacts pull ran): one search by student id and email, and the student is stored, so
 * the next login finds them here. True when found.
 */
export async function fetchStudentByLogin(
  ctx: PushContext,
  { studentId, email }: { studentId: string; email: string },
): Promise<boolean> {
  const found = await hubspotCall(
    ctx,
    () =>
      ctx.client.crm.objects.searchApi.doSearch(ctx.settings.objects.contacts, {
        filterGroups: [
          {
            filters: [
              { propertyName: 'student_id', operator: 'EQ', value: studentId },
              { propertyName: 'email', operator: 'EQ', value: email },
            ] as never,
          },
        ],
        properties: CONTACT_PROPERTIES,
        limit: 1,
      }),

    'search',
  );
  const [record] = found.results;
  // HubSpot's EQ on a text property ignores case: the student id must match as typed, as it does here.
  if (!record || record.properties.student_id !== studentId) return false;
  await storeContacts(ctx, [
    contactFromHubSpot({ id: record.id, properties: record.properties as Record<string, string | null> }),
  ]);
  return true;
}
