import { eq } from 'drizzle-orm';
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
