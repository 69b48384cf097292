import { readSyncInstant, writeSyncInstant } from '../../db/queries/syncMetadata';
import { HubSpotCallFailed } from './hubspotClient';
import { pullBookings } from './pull/bookings';
import { pullContacts } from './pull/contacts';
import type { PullOptions, PullResult, PullType } from './pull/run';
import { pullSessions } from './pull/sessions';
import type { PushContext } from './push/context';
import { PAUSE } from './pushJob';
import { type SyncDeps, syncContext } from './syncContext';

const PULLS: Record<PullType, (ctx: PushContext, options: PullOptions) => Promise<PullResult>> = {
  sessions: pullSessions,
  contacts: pullContacts,
  bookings: pullBookings,
};

export interface PullJobData {
  full?: boolean;
}

/** One pull now (a job run, or `sync:run`); throws what HubSpot's failure was. */
export async function runPullNow(
  deps: SyncDeps,
  type: PullType,
  { full = false }: PullJobData = {},
): Promise<PullResult> {
  const ctx = syncContext(deps);
  const result = await PULLS[type](ctx, { full, overlapSeconds: deps.config.hubspot.pullOverlapSeconds });
  deps.logger.info({ job: `hubspot-pull-${type}`, full, ...result }, 'hubspot pull');
  return result;
}

/**
 * A scheduled pull. While HubSpot asked us to wait (a 429 anywhere: the push's pause, shared by every
 * instance) it does not call; a 429 now starts that pause; an outage is logged and the next run (a
 * few minutes on) resumes from the cursor. HubSpot refusing a call is a defect: the job fails, is
 * retried with backoff, then lands in the dead letters.
 */
export async function runPullJob(deps: SyncDeps, type: PullType, data: PullJobData): Promise<void> {
  const pausedUntil = await readSyncInstant(deps.db, PAUSE);
  if (pausedUntil && pausedUntil.getTime() > Date.now()) return;
  try {
    await runPullNow(deps, type, data);
  } catch (err) {
    if (!(err instanceof HubSpotCallFailed) || err.failure.kind === 'rejected') throw err;
    deps.logger.warn({ job: `hubspot-pull-${type}`, failure: err.failure }, 'hubspot pull paused');
    if (err.failure.kind === 'rate-limited')
      await writeSyncInstant(deps.db, PAUSE, new Date(Date.now() + err.failure.retryAfterMs));
  }
}
