import { advanceSyncCursor, readSyncInstant } from '../../../db/queries/syncMetadata';
import type { PushContext } from '../push/context';
import { type FoundRecord, type ModifiedSearch, searchModifiedSince } from './search';

export const PULL_TYPES = ['sessions', 'contacts', 'bookings'] as const;
export type PullType = (typeof PULL_TYPES)[number];

export interface PullOptions {
  /** Ignore the cursor: read everything HubSpot has (the cursor still only moves forward). */
  full?: boolean | undefined;
  /**
   * Seconds read again before the cursor: HubSpot's search index trails its writes by a few seconds,
   * so a record written just before the last run may appear with an older stamp. Storing is idempotent.
   */
  overlapSeconds: number;
}

export interface PageOutcome {
  stored: number;
  /** Left as they are here (a local change not yet pushed). */
  kept: number;
  /** Not storable (incomplete, or pointing at what this service does not have); logged. */
  skipped: number;
}

export interface PullResult extends PageOutcome {
  type: PullType;
  fetched: number;
  since: Date;
  cursor: Date | null;
}

/** The sync_metadata row holding a pull's cursor: the last HubSpot modification it stored. */
export const cursorName = (type: PullType) => `hubspot-pull-${type}`;

/**
 * The loop every pull shares: search what was modified since the cursor (minus the overlap), store
 * each page, and move the cursor to the last modification of that page once it is stored, so a run
 * that dies mid-way resumes after the last stored page and never skips one.
 */
export async function pullModified(
  ctx: PushContext,
  options: PullOptions,
  pull: { type: PullType; search: Omit<ModifiedSearch, 'since'>; store(records: FoundRecord[]): Promise<PageOutcome> },
): Promise<PullResult> {
  const name = cursorName(pull.type);
  const cursor = options.full ? undefined : await readSyncInstant(ctx.db, name);
  const since = new Date(cursor ? cursor.getTime() - options.overlapSeconds * 1000 : 0);
  const result: PullResult = {
    type: pull.type,
    fetched: 0,
    stored: 0,
    kept: 0,
    skipped: 0,
    since,
    cursor: cursor ?? null,
  };
  await searchModifiedSince(ctx, { ...pull.search, since }, async (records) => {
    const outcome = await pull.store(records);
    result.fetched += records.length;
    result.stored += outcome.stored;
    result.kept += outcome.kept;
    result.skipped += outcome.skipped;
    const last = new Date(Math.max(...records.map((r) => r.modifiedAt.getTime())));
    await advanceSyncCursor(ctx.db, name, last, result.stored);
    if (!result.cursor || last > result.cursor) result.cursor = last;
  });
  // Also when nothing was modified: the run's time is what `sync:status` shows as the last pull.
  await advanceSyncCursor(ctx.db, name, result.cursor, result.stored);
  return result;
}
