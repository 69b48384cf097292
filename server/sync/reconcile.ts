import type { Database } from '../../db/client';
import {
  contactsToCompare,
  repairSessionCount,
  sessionsToCompare,
  sessionsWithCountDrift,
} from '../../db/queries/reconcile';
import { listSyncMetadata, writeSyncInstant } from '../../db/queries/syncMetadata';
import { CREDIT_COLUMNS, type CreditBalances, creditFieldName } from '../../db/schema';
import { hubspotCall } from './hubspotClient';
import { recordChanges } from './outbox';
import { chunks, type PushContext } from './push/context';
import { type SyncDeps, syncContext } from './syncContext';

/** What a reconciliation found, per kind (docs/SYNC.md "Reconciliation"). */
export interface Drift {
  /** Sessions whose stored count differed from their bookings: repaired here, and pushed. */
  sessionCountLocal: number;
  /** Sessions whose count in HubSpot differed from ours with nothing waiting: pushed again. */
  sessionCountHubspot: number;
  /** Students whose credits differ from HubSpot's though neither side has a change in flight: reported. */
  credits: number;
}
export const DRIFT_KINDS = ['sessionCountLocal', 'sessionCountHubspot', 'credits'] as const;
const driftRow = (kind: keyof Drift) => `hubspot-drift-${kind}`;

/** How far back sessions are compared with HubSpot: older ones no longer change. */
const COMPARE_DAYS = 30;

async function repairLocalCounts(db: Database): Promise<number> {
  let repaired = 0;
  for (const examId of await sessionsWithCountDrift(db)) {
    const fixed = await db.transaction(async (tx) => {
      const count = await repairSessionCount(tx, examId);
      if (count !== undefined) await recordChanges(tx, [{ object: 'exam', id: examId, change: 'total_bookings' }]);
      return count !== undefined;
    });
    if (fixed) repaired++;
  }
  return repaired;
}

async function compareHubSpotCounts(ctx: PushContext): Promise<number> {
  const since = new Date(Date.now() - COMPARE_DAYS * 86_400_000).toISOString().slice(0, 10);
  const sessions = await sessionsToCompare(ctx.db, since);
  let drifted = 0;
  for (const batch of chunks(sessions)) {
    const read = await hubspotCall(ctx, () =>
      ctx.client.crm.objects.batchApi.read(ctx.settings.objects.mockExams, {
        inputs: batch.map((s) => ({ id: s.objectId! })),
        properties: ['total_bookings'],
        propertiesWithHistory: [],
      }),
    );
    const theirs = new Map(read.results.map((r) => [r.id, Number(r.properties.total_bookings ?? 0)]));
    const off = batch.filter((s) => theirs.has(s.objectId!) && theirs.get(s.objectId!) !== s.totalBookings);
    if (off.length === 0) continue;
    drifted += off.length;
    // This service owns the count: tell HubSpot again (through the outbox, in order with the rest).
    await ctx.db.transaction((tx) =>
      recordChanges(
        tx,
        off.map((s) => ({ object: 'exam' as const, id: s.examId, change: 'total_bookings' as const })),
      ),
    );
  }
  return drifted;
}

async function compareCredits(ctx: PushContext): Promise<number> {
  let drifted = 0;
  let after = '';
  for (;;) {
    const page = await contactsToCompare(ctx.db, after, 100);
    if (page.length === 0) return drifted;
    after = page.at(-1)!.contactId;
    const read = await hubspotCall(ctx, () =>
      ctx.client.crm.objects.batchApi.read(ctx.settings.objects.contacts, {
        inputs: page.map((c) => ({ id: c.contactId })),
        properties: CREDIT_COLUMNS.map(creditFieldName),
        propertiesWithHistory: [],
      }),
    );
    const hubspot = new Map(read.results.map((r) => [r.id, r.properties]));
    for (const c of page) {
      const h = hubspot.get(c.contactId);
      if (!h) continue;
      const theirs = (column: (typeof CREDIT_COLUMNS)[number]) =>
        Number.parseInt(h[creditFieldName(column)] ?? '0', 10) || 0;
      // HubSpot moved since the values last agreed: a purchase the contacts pull has yet to absorb, not drift.
      const base: CreditBalances | null = c.base;
      if (base && CREDIT_COLUMNS.some((col) => theirs(col) !== base[col])) continue;
      if (CREDIT_COLUMNS.some((col) => theirs(col) !== c[col])) {
        drifted++;
        ctx.logger.warn(
          { contactId: c.contactId, here: Object.fromEntries(CREDIT_COLUMNS.map((col) => [col, c[col]])), hubspot: h },
          'hubspot reconcile: credits differ with no change in flight on either side',
        );
      }
    }
  }
}

/**
 * The reconciliation job: session counts repaired from the bookings here (this service owns them),
 * counts HubSpot shows differently pushed again, credits that differ with nothing in flight reported
 * (both sides write credits: a person decides). Each kind's count is stored for /metrics on every
 * instance (`hubspot_drift`) and logged as `hubspot reconcile`.
 */
export async function runReconcile(deps: SyncDeps) {
  const ctx = syncContext(deps);
  const drift: Drift = {
    sessionCountLocal: await repairLocalCounts(deps.db),
    sessionCountHubspot: await compareHubSpotCounts(ctx),
    credits: await compareCredits(ctx),
  };
  for (const kind of DRIFT_KINDS) await writeSyncInstant(deps.db, driftRow(kind), new Date(), drift[kind]);
  const log = Object.values(drift).some((n) => n > 0) ? deps.logger.warn : deps.logger.info;
  log.call(deps.logger, { job: 'hubspot-reconcile', hubspotDrift: drift }, 'hubspot reconcile');
  return drift;
}

/** The last reconciliation's drift per kind, as stored (what /metrics shows). */
export async function lastDrift(db: Database): Promise<Array<{ kind: keyof Drift; count: number }>> {
  const rows = new Map((await listSyncMetadata(db)).map((m) => [m.syncType, m.recordsSynced]));
  return DRIFT_KINDS.flatMap((kind) => {
    const count = rows.get(driftRow(kind));
    return count === undefined ? [] : [{ kind, count }];
  });
}
