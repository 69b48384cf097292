import { eq, sql } from 'drizzle-orm';
import type { Executor } from '../client';
import { syncMetadata } from '../schema';

/** One named instant of the sync (a pull's cursor, a pause): `last_modified_time` of its row. */
export async function readSyncInstant(db: Executor, syncType: string): Promise<Date | undefined> {
  const [row] = await db
    .select({ at: syncMetadata.lastModifiedTime })
    .from(syncMetadata)
    .where(eq(syncMetadata.syncType, syncType));
  return row?.at ?? undefined;
}

export async function writeSyncInstant(
  db: Executor,
  syncType: string,
  at: Date | null,
  recordsSynced?: number,
): Promise<void> {
  const now = new Date();
  await db
    .insert(syncMetadata)
    .values({ syncType, lastModifiedTime: at, lastSyncTime: now, recordsSynced: recordsSynced ?? 0 })
    .onConflictDoUpdate({
      target: syncMetadata.syncType,
      set: { lastModifiedTime: at, lastSyncTime: now, ...(recordsSynced === undefined ? {} : { recordsSynced }) },
    });
}

/**
 * Moves a pull's cursor forward to `at` (never back: two runs finishing out of order keep the later
 * cursor) and records the run's time and how many records it stored.
 */
export async function advanceSyncCursor(db: Executor, syncType: string, at: Date | null, recordsSynced: number) {
  const now = new Date();
  await db
    .insert(syncMetadata)
    .values({ syncType, lastModifiedTime: at, lastSyncTime: now, recordsSynced })
    .onConflictDoUpdate({
      target: syncMetadata.syncType,
      set: {
        lastModifiedTime: sql`greatest(${syncMetadata.lastModifiedTime}, excluded.last_modified_time)`,
        lastSyncTime: now,
        recordsSynced,
      },
    });
}

/** Every row of sync_metadata: cursors, pauses, drift counts (for `sync:status`). */
export async function listSyncMetadata(db: Executor) {
  return db
    .select({
      syncType: syncMetadata.syncType,
      lastModifiedTime: syncMetadata.lastModifiedTime,
      lastSyncTime: syncMetadata.lastSyncTime,
      recordsSynced: syncMetadata.recordsSynced,
    })
    .from(syncMetadata)
    .orderBy(syncMetadata.syncType);
}
