import type { Executor } from '../../db/client';
import { findBookingByIdempotencyKey } from '../../db/queries/bookings';
import { findBalances } from '../../db/queries/contacts';
import type { StudentContext } from '../context';
import type { CreateBookingInput } from '../contracts/bookings';
import { errors } from '../errors';
import { type CreatedBooking, createdView } from './bookingViews';

/** Keys are per student: two students choosing the same key never collide or see each other. */
export const scopedIdempotencyKey = (contactId: string, key: string) => `${contactId}:${key}`;

/** A repeat of the same request returns the first answer; the same key with other input is refused. */
export async function replayFor(
  ctx: StudentContext,
  db: Executor,
  key: string,
  input: CreateBookingInput,
): Promise<CreatedBooking | undefined> {
  const existing = await findBookingByIdempotencyKey(db, key);
  if (!existing) return undefined;
  // A key only ever names a live booking (cancelling frees it); one that still names a cancelled one
  // (stored before keys were freed into their own namespace) is spent, never replayed as a success.
  if (existing.isActive === 'Cancelled') throw errors.idempotencyKeyReused();
  const sameRequest =
    existing.examId === input.examId &&
    existing.attendingLocation === (input.attendingLocation ?? null) &&
    existing.dominantHand === (input.dominantHand ?? null);
  if (!sameRequest) throw errors.idempotencyKeyReused();
  const balances = await findBalances(db, ctx.user.contactId);
  if (!balances) throw errors.studentGone();
  return createdView(existing, balances);
}
