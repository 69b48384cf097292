import type { Transaction } from '../../../db/client';
import { findBookingSession, findRebookConflict, lockBookings, moveBooking } from '../../../db/queries/adminBookings';
import { lockBalances } from '../../../db/queries/contacts';
import { countSeatsTaken, lockExam, setTotalBookings } from '../../../db/queries/exams';
import type { AdminRebookInput } from '../../contracts/adminBookings';
import { errors } from '../../errors';
import { redisKeys } from '../../redis/keys';
import { withLock } from '../../redis/lock';
import { writeSeatCounts } from '../../redis/seatCounters';
import { inSessionTransaction } from '../../services/sessionTransaction';
import { promoteWaitlist, waitlistSettings } from '../../services/waitlistPromotion';
import { recordChanges } from '../../sync/outbox';
import type { AdminContext } from '../context';
import { audit } from './audit';

/**
 * admin.bookings.rebook: moves an Active booking onto another session of the same type, in one
 * transaction under both sessions' locks, taken in a fixed order (by id: the Redis locks, then the
 * rows) so two rebooks crossing the same pair cannot deadlock. The target's capacity, the duplicate
 * rule and overlaps are judged there as for a booking; the credit is untouched; the seat freed on the
 * source goes to its waitlist.
 */
export async function rebookBooking(ctx: AdminContext, input: AdminRebookInput) {
  const found = await findBookingSession(ctx.db, input.bookingId);
  if (!found) throw errors.bookingNotFound();
  if (found.examId === input.examId) throw errors.invalidField('examId', 'The booking is already on this session.');
  const [first, second] = [found.examId, input.examId].sort() as [string, string];
  const { lockTtlMs, lockWaitMs, seatCounterTtlMs } = ctx.config.booking;
  let sourceSeats: Awaited<ReturnType<typeof promoteWaitlist>>['seats'] | undefined;
  const result = await withLock(
    ctx.kv,
    redisKeys.examLock(first),
    { ttlMs: lockTtlMs, waitMs: lockWaitMs },
    ctx.logger,
    () =>
      inSessionTransaction(ctx, second, async (tx) => {
        const moved = await moveInTransaction(tx, ctx, input, found.examId, [first, second]);
        sourceSeats = moved.sourceSeats;
        return { result: moved.result, seats: moved.targetSeats };
      }),
  );
  if (sourceSeats) await writeSeatCounts(ctx.kv, [sourceSeats], seatCounterTtlMs, ctx.logger);
  return result;
}

async function moveInTransaction(
  tx: Transaction,
  ctx: AdminContext,
  input: AdminRebookInput,
  sourceId: string,
  order: [string, string],
) {
  const locked = new Map<string, Awaited<ReturnType<typeof lockExam>>>();
  for (const examId of order) locked.set(examId, await lockExam(tx, examId));
  const source = locked.get(sourceId);
  const target = locked.get(input.examId);
  if (!target) throw errors.examNotFound();
  const [booking] = await lockBookings(tx, [input.bookingId]);
  // Moved elsewhere (or gone) between the first read and the locks: say so rather than guess.
  if (!booking || booking.examId !== sourceId || !source) throw errors.bookingNotFound();
  if (booking.status !== 'Active') throw errors.bookingNotRebookable(booking.status);
  if (target.mockType !== source.mockType)
    throw errors.invalidField('examId', `The new session must be a ${source.mockType} session too.`);
  if (target.isActive === 'false') throw errors.examNotBookable('inactive');
  if (!target.startTime || target.startTime <= ctx.now()) throw errors.examNotBookable('started');
  const taken = await countSeatsTaken(tx, target.examId);
  if (taken >= target.capacity)
    throw errors.examFull({ examId: target.examId, capacity: target.capacity, totalBookings: taken });
  // The student's row lock serialises the duplicate and overlap rules with their other bookings.
  if (!(await lockBalances(tx, booking.contactId))) throw errors.contactNotFound();
  const conflict = await findRebookConflict(tx, { contactId: booking.contactId, bookingId: booking.bookingId, target });
  if (conflict?.duplicate)
    throw errors.duplicateBooking({
      mockType: target.mockType,
      examDate: target.examDate,
      bookingId: conflict.bookingId,
    });
  if (conflict) throw errors.timeConflict({ bookingId: conflict.bookingId, examId: conflict.examId });

  await moveBooking(tx, { bookingId: booking.bookingId, exam: target });
  const targetSeats = { examId: target.examId, capacity: target.capacity, totalBookings: taken + 1 };
  await setTotalBookings(tx, { examId: target.examId, total: targetSeats.totalBookings });
  await setTotalBookings(tx, { examId: source.examId, total: await countSeatsTaken(tx, source.examId) });
  const passedOn = await promoteWaitlist(tx, source, waitlistSettings(ctx));
  await audit(tx, ctx, {
    action: 'bookings.rebook',
    targetType: 'booking',
    targetIds: [booking.bookingId, source.examId, target.examId],
    before: { examId: source.examId },
    after: { examId: target.examId, waitlistPromoted: passedOn.promoted },
    reason: input.reason,
  });
  await recordChanges(tx, [
    { object: 'booking', id: booking.bookingId, change: 'rebooked' },
    { object: 'exam', id: source.examId, change: 'total_bookings' },
    { object: 'exam', id: target.examId, change: 'total_bookings' },
  ]);
  return {
    result: {
      bookingId: booking.bookingId,
      fromExamId: source.examId,
      examId: target.examId,
      waitlistPromoted: passedOn.promoted,
    },
    targetSeats,
    sourceSeats: passedOn.seats,
  };
}
