import { pendingOutbox } from '../../../db/queries/syncPush';
import { pushBookings } from './bookings';
import type { PushContext } from './context';
import { mergeCredits } from './credits';
import { pushExams } from './exams';
import { pushProfiles } from './profiles';

export interface DrainResult {
  delivered: number;
  /** Age of the oldest change not yet in HubSpot when the run started (0 when none waited). */
  hubspotSyncLagSeconds: number;
}

/** Rows read per round: every object's changes among them are pushed together (coalesced). */
const ROUND = 500;

/**
 * Delivers the outbox, oldest first, until it is empty or the time budget is spent. Sessions go first
 * (one created here must exist in HubSpot before a booking is associated to it), then bookings, then
 * credits and profiles.
 * Throws HubSpotCallFailed on a 429 or an outage: what was delivered stays delivered.
 */
export async function drainOutbox(
  ctx: PushContext,
  { maxAttempts, budgetMs }: { maxAttempts: number; budgetMs: number },
) {
  const started = Date.now();
  const result: DrainResult = { delivered: 0, hubspotSyncLagSeconds: 0 };
  let first = true;
  while (Date.now() - started < budgetMs) {
    const rows = await pendingOutbox(ctx.db, { maxAttempts, limit: ROUND });
    if (first && rows[0]) result.hubspotSyncLagSeconds = Math.max(0, (started - rows[0].createdAt.getTime()) / 1000);
    first = false;
    if (rows.length === 0) break;
    await pushExams(
      ctx,
      rows.filter((r) => r.objectType === 'exam'),
    );
    await pushBookings(
      ctx,
      rows.filter((r) => r.objectType === 'booking'),
    );
    await mergeCredits(
      ctx,
      rows.filter((r) => r.objectType === 'contact' && r.change === 'credits'),
    );
    await pushProfiles(
      ctx,
      rows.filter((r) => r.objectType === 'contact' && r.change === 'profile'),
    );
    const left = await pendingOutbox(ctx.db, { maxAttempts, limit: 1 });
    result.delivered += rows.length;
    // Rows refused by HubSpot stay pending with an attempt spent: stop and let the next run retry them.
    if (left[0] && left[0].id <= rows.at(-1)!.id) break;
  }
  return result;
}
