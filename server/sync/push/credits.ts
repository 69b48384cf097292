import { lockBalances } from '../../../db/queries/contacts';
import {
  addToBalances,
  lockCreditBase,
  markDelivered,
  type PendingChange,
  saveCreditBase,
} from '../../../db/queries/syncPush';
import { CREDIT_COLUMNS, type CreditBalances, type CreditColumn, creditFieldName } from '../../../db/schema';
import { hubspotCall } from '../hubspotClient';
import { chunks, type PushContext } from './context';
import { rejectedAsFailedAttempt } from './failures';

const PROPERTIES = CREDIT_COLUMNS.map(creditFieldName);
type Target = Partial<CreditBalances>;

function fromHubSpot(properties: Record<string, string | null>): CreditBalances {
  const values = {} as CreditBalances;
  for (const column of CREDIT_COLUMNS) {
    const n = Number.parseInt(properties[creditFieldName(column)] ?? '', 10);
    values[column] = Number.isFinite(n) ? n : 0;
  }
  return values;
}

/** The sum of the credit deltas recorded here, per column. */
function oursFrom(changes: PendingChange[]): Partial<Record<CreditColumn, number>> {
  const sums: Partial<Record<CreditColumn, number>> = {};
  for (const c of changes) {
    const { column, delta } = (c.payload ?? {}) as { column?: CreditColumn; delta?: number };
    if (column && typeof delta === 'number') sums[column] = (sums[column] ?? 0) + delta;
  }
  return sums;
}

function before(local: CreditBalances, ours: Partial<Record<CreditColumn, number>>): CreditBalances {
  const values = { ...local };
  for (const [column, delta] of Object.entries(ours) as Array<[CreditColumn, number]>) values[column] -= delta;
  return values;
}

const landed = (hubspot: CreditBalances, target: Target) =>
  Object.entries(target).every(([column, value]) => hubspot[column as CreditColumn] === value);

/**
 * The three-way merge of credits (docs/SYNC.md). Per contact, with HubSpot's current values H and
 * the values absorbed last time (base): HubSpot's own change H - base (a purchase, a manual edit) is
 * applied here as a delta; ours (the outbox deltas: debits and refunds) is added to H and that value
 * written there. Concurrent changes on both sides both survive. Before writing, the target is
 * recorded (`pending`): a retry after a crash that finds HubSpot already at the target finishes
 * instead of applying anything twice.
 *
 * `contactIds` beyond the changes' own are merged with nothing of ours: that is the credit pull.
 */
export async function mergeCredits(ctx: PushContext, changes: PendingChange[], contactIds: string[] = []) {
  const ids = [...new Set([...changes.map((c) => c.objectId), ...contactIds])];
  for (const batch of chunks(ids)) {
    const batchOutbox = changes.filter((c) => batch.includes(c.objectId)).map((c) => c.id);
    await rejectedAsFailedAttempt(ctx, batchOutbox, () => mergeBatch(ctx, changes, batch));
  }
}

async function mergeBatch(ctx: PushContext, changes: PendingChange[], ids: string[]): Promise<void> {
  const { client, settings, db } = ctx;
  const read = await hubspotCall(ctx, () =>
    client.crm.objects.batchApi.read(settings.objects.contacts, {
      inputs: ids.map((id) => ({ id })),
      properties: PROPERTIES,
      propertiesWithHistory: [],
    }),
  );
  const hubspot = new Map(read.results.map((r) => [r.id, fromHubSpot(r.properties)]));
  const writes: Array<{ contactId: string; h: CreditBalances; target: Target; outboxIds: number[] }> = [];

  for (const contactId of ids) {
    const mine = changes.filter((c) => c.objectId === contactId);
    const h = hubspot.get(contactId);
    if (!h) {
      ctx.logger.warn({ contactId }, 'hubspot has no such contact; its credit changes cannot be pushed');
      continue;
    }
    const write = await db.transaction(async (tx) => {
      // The student's row first (the booking transactions' lock order), then the merge state.
      const local = await lockBalances(tx, contactId);
      if (!local) {
        await markDelivered(
          tx,
          mine.map((c) => c.id),
        );
        return undefined;
      }
      const row = await lockCreditBase(tx, contactId);
      // No merge yet for this student: the last agreed values are ours before the changes still to push.
      let base = row?.base ?? before(local, oursFrom(mine));
      let remaining = mine;
      if (row?.pending && landed(h, row.pending.target)) {
        // The last run's write reached HubSpot but its bookkeeping did not: finish it, apply nothing twice.
        base = { ...base, ...row.pending.target };
        await markDelivered(tx, row.pending.outboxIds);
        const done = new Set(row.pending.outboxIds);
        remaining = mine.filter((c) => !done.has(c.id));
      }
      const theirs: Partial<Record<CreditColumn, number>> = {};
      for (const column of CREDIT_COLUMNS) theirs[column] = h[column] - base[column];
      await addToBalances(tx, contactId, theirs);
      const ours = oursFrom(remaining);
      const target: Target = {};
      for (const [column, delta] of Object.entries(ours) as Array<[CreditColumn, number]>) {
        if (delta !== 0) target[column] = Math.max(0, h[column] + delta);
      }
      const outboxIds = remaining.map((c) => c.id);
      if (Object.keys(target).length === 0) {
        await saveCreditBase(tx, { contactId, base: h, pending: null });
        await markDelivered(tx, outboxIds);
        return undefined;
      }
      await saveCreditBase(tx, { contactId, base: h, pending: { target, outboxIds } });
      return { contactId, h, target, outboxIds };
    });
    if (write) writes.push(write);
  }

  if (writes.length === 0) return;
  await hubspotCall(ctx, () =>
    client.crm.objects.batchApi.update(settings.objects.contacts, {
      inputs: writes.map((w) => ({
        id: w.contactId,
        properties: Object.fromEntries(
          Object.entries(w.target).map(([column, value]) => [creditFieldName(column as CreditColumn), String(value)]),
        ),
      })),
    }),
  );
  await db.transaction(async (tx) => {
    for (const w of writes) {
      await saveCreditBase(tx, { contactId: w.contactId, base: { ...w.h, ...w.target }, pending: null });
      await markDelivered(tx, w.outboxIds);
    }
  });
}
