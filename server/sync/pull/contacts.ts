import { lockBalances } from '../../../db/queries/contacts';
import {
  creditBaseVersions,
  hasUndeliveredCredits,
  insertPulledContact,
  knownContactIds,
  lockCreditBaseVersioned,
  type PulledContact,
  updateContactIdentity,
} from '../../../db/queries/syncPull';
import { addToBalances, saveCreditBase } from '../../../db/queries/syncPush';
import { CREDIT_COLUMNS, type CreditBalances, type CreditColumn, creditFieldName } from '../../../db/schema';
import { hubspotCall } from '../hubspotClient';
import { chunks, type PushContext } from '../push/context';
import { type PullOptions, type PullResult, pullModified } from './run';
import type { FoundRecord } from './search';

export const CONTACT_PROPERTIES = [
  'student_id',
  'email',
  'firstname',
  'lastname',
  'ndecc_exam_date',
  ...CREDIT_COLUMNS.map(creditFieldName),
];

function creditsOf(properties: Record<string, string | null>): CreditBalances {
  const values = {} as CreditBalances;
  for (const column of CREDIT_COLUMNS) {
    const n = Number.parseInt(properties[creditFieldName(column)] ?? '', 10);
    values[column] = Number.isFinite(n) && n > 0 ? n : 0;
  }
  return values;
}

export function contactFromHubSpot(r: { id: string; properties: Record<string, string | null> }): PulledContact {
  const p = r.properties;
  return {
    hubspotId: r.id,
    studentId: p.student_id || null,
    email: p.email || null,
    firstname: p.firstname || null,
    lastname: p.lastname || null,
    ndeccExamDate: p.ndecc_exam_date || null,
    credits: creditsOf(p),
  };
}

/**
 * HubSpot's credit changes (a purchase, a manual edit) applied here as deltas against the values last
 * agreed (sync_credit_base), for students with nothing of ours in flight: a student whose own changes
 * wait in the outbox, or whose push is mid-write, is left to the push, which merges both sides itself.
 * HubSpot's values are read after each merge state's version, and applied only if that version is
 * unchanged, so a push finishing in between is never undone by values read before it.
 */
export async function absorbHubSpotCredits(ctx: PushContext, contactIds: string[]): Promise<number> {
  let absorbed = 0;
  for (const batch of chunks(contactIds)) {
    const versions = await creditBaseVersions(ctx.db, batch);
    const read = await hubspotCall(ctx, () =>
      ctx.client.crm.objects.batchApi.read(ctx.settings.objects.contacts, {
        inputs: batch.map((id) => ({ id })),
        properties: CREDIT_COLUMNS.map(creditFieldName),
        propertiesWithHistory: [],
      }),
    );
    for (const r of read.results) {
      const h = creditsOf(r.properties as Record<string, string | null>);
      const applied = await ctx.db.transaction(async (tx) => {
        // The student's row first: the booking transactions' lock order.
        const local = await lockBalances(tx, r.id);
        if (!local) return false;
        const row = await lockCreditBaseVersioned(tx, r.id);
        if ((row?.version ?? null) !== versions.get(r.id) || row?.pending) return false;
        if (await hasUndeliveredCredits(tx, r.id)) return false;
        // Never merged: nothing of ours is waiting (checked above), so the local values are the agreed ones.
        const base = row?.base ?? local;
        const theirs: Partial<Record<CreditColumn, number>> = {};
        for (const column of CREDIT_COLUMNS) theirs[column] = h[column] - base[column];
        await addToBalances(tx, r.id, theirs);
        await saveCreditBase(tx, { contactId: r.id, base: h, pending: null });
        return Object.values(theirs).some((d) => d !== 0);
      });
      if (applied) absorbed++;
    }
  }
  return absorbed;
}

/** Stores students from HubSpot: new ones inserted with their balances; known ones' identity updated. */
export async function storeContacts(ctx: PushContext, contacts: PulledContact[]) {
  const known = await knownContactIds(
    ctx.db,
    contacts.map((c) => c.hubspotId),
  );
  let inserted = 0;
  await ctx.db.transaction(async (tx) => {
    for (const c of contacts) {
      if (known.has(c.hubspotId)) await updateContactIdentity(tx, c);
      else if (await insertPulledContact(tx, c)) inserted++;
    }
  });
  const absorbed = await absorbHubSpotCredits(
    ctx,
    contacts.filter((c) => known.has(c.hubspotId)).map((c) => c.hubspotId),
  );
  return { inserted, updated: known.size, absorbed };
}

/**
 * Students (contacts with a student id) modified in HubSpot since the cursor: identity updated, new
 * students added, credits merged three-way.
 */
export function pullContacts(ctx: PushContext, options: PullOptions): Promise<PullResult> {
  return pullModified(ctx, options, {
    type: 'contacts',
    search: {
      objectType: ctx.settings.objects.contacts,
      modifiedProperty: 'lastmodifieddate',
      properties: CONTACT_PROPERTIES,
      filters: [{ propertyName: 'student_id', operator: 'HAS_PROPERTY' }],
    },
    async store(records: FoundRecord[]) {
      await storeContacts(ctx, records.map(contactFromHubSpot));
      return { stored: records.length, kept: 0, skipped: 0 };
    },
  });
}
