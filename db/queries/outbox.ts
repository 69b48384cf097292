import type { Executor } from '../client';
import { type OutboxObject, syncOutbox } from '../schema';

export interface OutboxRow {
  objectType: OutboxObject;
  objectId: string;
  change: string;
  payload?: Record<string, unknown> | null;
}

/** Appends changes to the outbox; the caller's transaction decides whether they ever existed. */
export async function insertOutboxRows(tx: Executor, rows: OutboxRow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.insert(syncOutbox).values(rows.map((r) => ({ ...r, payload: r.payload ?? null })));
}
