import type { Transaction } from '../../db/client';
import { countSeatsTaken, lockExam, setTotalBookings } from '../../db/queries/exams';
import {
  countAhead,
  findLatestEntry,
  insertWaitlistEntry,
  listOwnQueued,
  lockQueuedEntry,
  markBooked,
  markLeft,
} from '../../db/queries/waitlist';
import type { StudentContext } from '../context';
import type { JoinWaitlistInput, WaitlistExamInput } from '../contracts/waitlist';
import { errors } from '../errors';
import { redisKeys } from '../redis/keys';
import { enforceRateLimits } from '../redis/rateLimit';
import { placeBooking, requireBookable, requireEligible } from './bookInTransaction';
import { detailsFor } from './bookingDetails';
import { type CreatedBooking, createdView } from './bookingViews';
import { inSessionTransaction, type Outcome } from './sessionTransaction';
import { promoteWaitlist, settleWaitlist, waitlistSettings } from './waitlistPromotion';

/**
 * Each waitlist change takes the session's lock and a pool connection, as a booking does: it counts
 * against the same per-student budget (BOOKING_RATE_LIMIT_PER_STUDENT), so one student cannot hammer them.
 */
async function countAttempt(ctx: StudentContext) {
  const key = redisKeys.bookingAttemptsByStudent(ctx.user.contactId);
  await enforceRateLimits(ctx.kv, [{ key, perMinute: ctx.config.bookingRateLimit.perStudentPerMinute }], ctx.logger);
}

/** The session, locked: every waitlist change runs under the row lock bookings take (docs/DOMAIN.md). */
async function lockedExam(tx: Transaction, examId: string) {
  const exam = await lockExam(tx, examId);
  if (!exam) throw errors.examNotFound();
  return exam;
}

/**
 * waitlist.join: a place at the end of a FULL session's line (a session with a seat answers
 * WAITLIST_NOT_NEEDED: book it). The session must be bookable, the details its type needs valid, and
 * every rule a booking would check must hold now (duplicate, overlap, prerequisites, a usable credit);
 * nothing is spent until a seat is booked.
 */
export async function joinWaitlist(ctx: StudentContext, input: JoinWaitlistInput) {
  await countAttempt(ctx);
  return inSessionTransaction(ctx, input.examId, async (tx) => {
    const settings = waitlistSettings(ctx);
    const exam = await lockedExam(tx, input.examId);
    const rule = requireBookable(exam, settings.now, settings.bookingCutoffMs);
    const details = detailsFor(exam.mockType, input, ctx.config.booking.attendingLocations);
    const taken = (await settleWaitlist(tx, exam, settings)) ?? (await countSeatsTaken(tx, exam.examId));
    const student = ctx.user;
    const queued = await lockQueuedEntry(tx, { contactId: student.contactId, examId: exam.examId });
    if (queued) throw errors.waitlistAlreadyJoined({ entryId: queued.entryId, position: await positionOf(tx, queued) });
    if (taken < exam.capacity) throw errors.waitlistNotNeeded(exam.capacity - taken);
    await requireEligible(tx, student, exam, rule);
    const entry = await insertWaitlistEntry(tx, {
      examId: exam.examId,
      contactId: student.contactId,
      autoBook: input.autoBook,
      ...details,
      now: settings.now,
    });
    return {
      result: {
        entryId: entry.entryId,
        examId: exam.examId,
        status: entry.status,
        autoBook: entry.autoBook,
        position: await positionOf(tx, entry),
      },
    };
  });
}

/** 1 = next in line; a held seat's holder is at 0. */
async function positionOf(tx: Transaction, entry: { examId: string; queueOrder: number; status: string }) {
  if (entry.status === 'offered') return 0;
  return (await countAhead(tx, entry)) + 1;
}

/** waitlist.leave: out of the line; a seat held for the student passes to the next in the same transaction. */
export async function leaveWaitlist(ctx: StudentContext, input: WaitlistExamInput) {
  await countAttempt(ctx);
  return inSessionTransaction(ctx, input.examId, async (tx) => {
    const exam = await lockedExam(tx, input.examId);
    const entry = await lockQueuedEntry(tx, { contactId: ctx.user.contactId, examId: exam.examId });
    if (!entry) throw errors.waitlistEntryNotFound();
    await markLeft(tx, entry.entryId);
    const result = { entryId: entry.entryId, examId: exam.examId, status: 'left' as const };
    if (entry.status !== 'offered') return { result };
    const { seats } = await promoteWaitlist(tx, exam, waitlistSettings(ctx));
    await setTotalBookings(tx, { examId: exam.examId, total: seats.totalBookings });
    return { result, seats };
  });
}

type ClaimOutcome = { booked: CreatedBooking } | { expiredAt: Date | null };

/**
 * waitlist.claim: books the seat held for the student, under the same rules as bookings.create (the
 * held seat is already counted, so capacity holds). A hold whose time is up is passed on to the next
 * in line, committed, and only then answered with WAITLIST_HOLD_EXPIRED.
 */
export async function claimWaitlistSeat(ctx: StudentContext, input: WaitlistExamInput): Promise<CreatedBooking> {
  await countAttempt(ctx);
  const outcome = await inSessionTransaction(ctx, input.examId, async (tx): Promise<Outcome<ClaimOutcome>> => {
    const settings = waitlistSettings(ctx);
    const exam = await lockedExam(tx, input.examId);
    const contactId = ctx.user.contactId;
    const entry = await lockQueuedEntry(tx, { contactId, examId: exam.examId });
    if (!entry) {
      const last = await findLatestEntry(tx, { contactId, examId: exam.examId });
      if (last?.status === 'expired') throw errors.waitlistHoldExpired(last.offerExpiresAt?.toISOString() ?? null);
      throw errors.waitlistEntryNotFound();
    }
    if (entry.status === 'waiting') throw errors.waitlistNoOffer(await positionOf(tx, entry));
    if (!entry.offerExpiresAt || entry.offerExpiresAt <= settings.now) {
      const { seats } = await promoteWaitlist(tx, exam, settings);
      return { result: { expiredAt: entry.offerExpiresAt }, seats };
    }
    const rule = requireBookable(exam, settings.now, settings.bookingCutoffMs);
    const details = { dominantHand: entry.dominantHand, attendingLocation: entry.attendingLocation };
    const { booking, balances } = await placeBooking(tx, {
      exam,
      student: ctx.user,
      rule,
      details,
      idempotencyKey: null,
    });
    await markBooked(tx, { entryId: entry.entryId, bookingId: booking.bookingId });
    return { result: { booked: createdView(booking, balances) } };
  });
  if ('expiredAt' in outcome) throw errors.waitlistHoldExpired(outcome.expiredAt?.toISOString() ?? null);
  return outcome.booked;
}

/** waitlist.mine: the student's places in line, soonest session first, with positions and holds. */
export async function myWaitlist(ctx: StudentContext) {
  const now = ctx.now();
  const rows = await listOwnQueued(ctx.db, ctx.user.contactId);
  return rows.map(({ contactId: _owner, queueOrder: _order, bookingId: _booking, offeredAt: _at, ...row }) => {
    // A hold whose time is up reads as expired before the sweep or the next booking passes it on.
    const lapsed = row.status === 'offered' && row.offerExpiresAt !== null && row.offerExpiresAt <= now;
    return { ...row, status: lapsed ? ('expired' as const) : row.status, position: lapsed ? null : row.position };
  });
}
