import type { Database } from '../../db/client';
import { activateDueSessions, completeEndedBookings } from '../../db/queries/scheduled';
import type { Logger } from '../logger';
import { recordChanges } from '../sync/outbox';

/**
 * Flips scheduled sessions whose time has come (students can already book them from that exact
 * second: bookability reads the activation time; this persists it and tells HubSpot).
 */
export async function activateSessions(db: Database, logger: Logger, now = new Date()): Promise<number> {
  const activated = await db.transaction(async (tx) => {
    const examIds = await activateDueSessions(tx, now);
    await recordChanges(
      tx,
      examIds.map((id) => ({ object: 'exam' as const, id, change: 'activated' as const })),
    );
    return examIds;
  });
  if (activated.length > 0) logger.info({ job: 'sessions-activate', examIds: activated }, 'sessions activated');
  return activated.length;
}

const CHUNK = 500;

/** Persists Active bookings of ended sessions as Completed (they already read so) and tells HubSpot. */
export async function completeBookings(db: Database, logger: Logger, now = new Date()): Promise<number> {
  let total = 0;
  for (;;) {
    const ids = await db.transaction(async (tx) => {
      const changed = await completeEndedBookings(tx, now, CHUNK);
      await recordChanges(
        tx,
        changed.map((id) => ({ object: 'booking' as const, id, change: 'updated' as const })),
      );
      return changed;
    });
    total += ids.length;
    if (ids.length < CHUNK) break;
  }
  if (total > 0) logger.info({ job: 'bookings-complete', completed: total }, 'bookings of ended sessions completed');
  return total;
}
