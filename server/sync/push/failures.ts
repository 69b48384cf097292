import { markAttemptFailed } from '../../../db/queries/syncPush';
import { HubSpotCallFailed } from '../hubspotClient';
import type { PushContext } from './context';

/**
 * Runs one batch's HubSpot work. HubSpot refusing the batch (a 4xx other than 429: a bad property,
 * an unknown id) costs its outbox rows an attempt and the drain moves on; after HUBSPOT_MAX_ATTEMPTS
 * they are dead letters. A 429 or an outage stops the whole run (rethrown): nothing is spent, the
 * job waits and resumes.
 */
export async function rejectedAsFailedAttempt(
  ctx: PushContext,
  outboxIds: number[],
  work: () => Promise<void>,
): Promise<void> {
  try {
    await work();
  } catch (err) {
    if (!(err instanceof HubSpotCallFailed) || err.failure.kind !== 'rejected') throw err;
    ctx.logger.warn({ err, outboxIds }, 'hubspot refused a batch; its changes will be retried, then set aside');
    await markAttemptFailed(ctx.db, outboxIds, err.message);
  }
}
