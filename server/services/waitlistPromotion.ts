import type { Transaction } from '../../db/client';
import { countSeatsTaken, setTotalBookings } from '../../db/queries/exams';
import {
  expireOffers,
  listWaiting,
  markBooked,
  markOffered,
  queueNeedsSettling,
  type WaitlistEntry,
} from '../../db/queries/waitlist';
import type { InnerContext } from '../context';
import { type AppErrorCode, DomainError } from '../errors';
import type { SeatCount } from '../redis/seatCounters';
import { recordChanges } from '../sync/outbox';
import { type LockedExam, placeBooking, requireEligible, type Student } from './bookInTransaction';
import { ruleFor } from './creditRules';
import { bookability } from './exams';

export interface WaitlistSettings {
  now: Date;
  /** BOOKING_CUTOFF_HOURS in ms: no one is promoted into a session past it (nor offered a hold past it). */
  bookingCutoffMs: number;
  /** WAITLIST_HOLD_MINUTES in ms. */
  holdMs: number;
}

export const waitlistSettings = (ctx: Pick<InnerContext, 'config' | 'now'>): WaitlistSettings => ({
  now: ctx.now(),
  bookingCutoffMs: ctx.config.booking.bookingCutoffMs,
  holdMs: ctx.config.booking.waitlistHoldMs,
});

export type Promotion =
  | { entryId: string; contactId: string; outcome: 'booked'; bookingId: string }
  | { entryId: string; contactId: string; outcome: 'offered'; expiresAt: Date };

/** A queued student these rules refuse is skipped for this seat and stays in line (they may change). */
const SKIPPED_FOR: ReadonlySet<AppErrorCode> = new Set([
  'DUPLICATE_BOOKING',
  'TIME_CONFLICT',
  'PREREQUISITES_NOT_MET',
  'INSUFFICIENT_CREDITS',
  'UNAUTHENTICATED', // the student's row is gone
]);

/**
 * Fills the session's free seats from its waitlist, in line order (docs/DOMAIN.md "Waitlist"). Call it
 * INSIDE the transaction that freed seats (a cancellation, a capacity increase), after the change, with
 * the session row locked by `lockExam` in that same transaction: no one can take a freed seat between
 * the freeing and the promotion. Holds whose time is up are passed on first. Each student in line, in
 * order, while seats are free: booked at once if they chose auto-book and every rule holds (credit,
 * duplicate, overlap, prerequisites; the session bookable and before its cutoff), else offered a hold of
 * WAITLIST_HOLD_MINUTES if every rule holds; a student a rule refuses is skipped and stays in line.
 * Credits are spent only by a booking, exactly as bookings.create spends them. Rewrites total_bookings
 * (bookings plus held seats) when anything changed; returns what happened and the seats to mirror.
 */
export async function promoteWaitlist(
  tx: Transaction,
  exam: LockedExam,
  settings: WaitlistSettings,
): Promise<{ promoted: Promotion[]; expired: number; seats: SeatCount }> {
  const { now } = settings;
  const expired = await expireOffers(tx, { examId: exam.examId, now });
  let taken = await countSeatsTaken(tx, exam.examId);
  const promoted: Promotion[] = [];
  const rule = ruleFor(exam.mockType);
  const open = rule && bookability(exam, now, settings.bookingCutoffMs) === 'open';
  if (open && taken < exam.capacity) {
    for (const entry of await listWaiting(tx, exam.examId)) {
      if (taken >= exam.capacity) break;
      const done = await promoteOne(tx, exam, entry, rule, settings);
      if (!done) continue;
      promoted.push(done);
      taken += 1;
    }
  }
  if (expired.length > 0 || promoted.length > 0) {
    await setTotalBookings(tx, { examId: exam.examId, total: taken });
    await recordChanges(tx, [{ object: 'exam', id: exam.examId, change: 'total_bookings' }]);
  }
  return {
    promoted,
    expired: expired.length,
    seats: { examId: exam.examId, capacity: exam.capacity, totalBookings: taken },
  };
}

/**
 * promoteWaitlist when the line needs it (someone waiting, or a hold run out), for a transaction about
 * to judge the session's seats; returns the seats taken after it, or undefined when the line had nothing
 * to settle (one indexed read: a session without a waitlist pays almost nothing).
 */
export async function settleWaitlist(
  tx: Transaction,
  exam: LockedExam,
  settings: WaitlistSettings,
): Promise<number | undefined> {
  if (!(await queueNeedsSettling(tx, { examId: exam.examId, now: settings.now }))) return undefined;
  return (await promoteWaitlist(tx, exam, settings)).seats.totalBookings;
}

/** One student in line: booked or offered a hold, or undefined when a rule refuses them now. */
async function promoteOne(
  tx: Transaction,
  exam: LockedExam,
  entry: WaitlistEntry,
  rule: NonNullable<ReturnType<typeof ruleFor>>,
  settings: WaitlistSettings,
): Promise<Promotion | undefined> {
  // The booking records the student as their contact row has them, read under its lock (placeBooking).
  const student: Student = { contactId: entry.contactId, studentId: '', email: '', name: '' };
  const base = { entryId: entry.entryId, contactId: entry.contactId };
  try {
    if (entry.autoBook) {
      const details = { dominantHand: entry.dominantHand, attendingLocation: entry.attendingLocation };
      const { booking } = await placeBooking(tx, { exam, student, rule, details, idempotencyKey: null });
      await markBooked(tx, { entryId: entry.entryId, bookingId: booking.bookingId });
      return { ...base, outcome: 'booked', bookingId: booking.bookingId };
    }
    await requireEligible(tx, student, exam, rule);
    const expiresAt = holdExpiry(exam, settings);
    await markOffered(tx, { entryId: entry.entryId, now: settings.now, expiresAt });
    return { ...base, outcome: 'offered', expiresAt };
  } catch (err) {
    // The rules throw before they write anything, so skipping leaves the transaction as it was.
    if (err instanceof DomainError && SKIPPED_FOR.has(err.code)) return undefined;
    throw err;
  }
}

/** WAITLIST_HOLD_MINUTES from now, but never past the booking cutoff: a hold is a seat to book. */
function holdExpiry(exam: LockedExam, { now, holdMs, bookingCutoffMs }: WaitlistSettings): Date {
  const held = now.getTime() + holdMs;
  const cutoff = exam.startTime ? exam.startTime.getTime() - bookingCutoffMs : held;
  return new Date(Math.min(held, cutoff));
}
