import type { Executor } from '../../db/client';
import { insertOutboxRows } from '../../db/queries/outbox';
import type { CreditColumn } from '../../db/schema';

/**
 * What HubSpot must learn about, per object. The pusher sends each object's current state (so ten
 * changes to one booking become one write), and uses the change names for ordering, logs and
 * metrics; a credit change also carries its delta, which is what reaches HubSpot (never an absolute
 * value computed earlier, which would overwrite a purchase made there meanwhile).
 */
export type Change =
  | {
      object: 'booking';
      /** Our booking UUID (hubspot_bookings.id): the value of the unique upsert property in HubSpot. */
      id: string;
      change: 'created' | 'cancelled' | 'refunded' | 'attendance' | 'rebooked' | 'updated';
    }
  | { object: 'contact' /** HubSpot contact id */; id: string; change: 'credits'; column: CreditColumn; delta: number }
  /** The student's own profile fields (the NDECC exam date): the pusher sends their current values. */
  | { object: 'contact'; id: string; change: 'profile' }
  | {
      object: 'exam';
      /** HubSpot mock exam id */
      id: string;
      change: 'total_bookings' | 'updated' | 'activated' | 'prerequisites';
    };

/**
 * Records changes inside the caller's transaction (the transactional outbox, docs/SYNC.md): they
 * commit or roll back with it. Call it while holding the object's row lock (as the booking and
 * cancellation transactions do), which keeps the changes of one object in commit order.
 */
export async function recordChanges(tx: Executor, changes: Change[]): Promise<void> {
  await insertOutboxRows(
    tx,
    changes.map((c) => ({
      objectType: c.object,
      objectId: c.id,
      change: c.change,
      payload: c.object === 'contact' && c.change === 'credits' ? { column: c.column, delta: c.delta } : null,
    })),
  );
}

/** One change; see recordChanges. */
export const recordChange = (tx: Executor, change: Change): Promise<void> => recordChanges(tx, [change]);
