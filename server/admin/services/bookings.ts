import {
  findBookingSession,
  listRoster,
  lockBookings,
  rosterSummary,
  setAttendance,
  stampRefundAdmin,
} from '../../../db/queries/adminBookings';
import { findTrainee } from '../../../db/queries/adminTrainees';
import { findActiveDuplicate, insertBooking, markCancelled } from '../../../db/queries/bookings';
import { adjustBalance, lockBalances } from '../../../db/queries/contacts';
import { countActiveBookings, findExam, lockExam, setTotalBookings } from '../../../db/queries/exams';
import type { TokenType } from '../../../db/schema';
import type {
  AdminCancelBookingsInput,
  AdminCreateBookingInput,
  AdminMarkAttendanceInput,
  AdminRosterInput,
} from '../../contracts/adminBookings';
import { errors } from '../../errors';
import { bookInTransaction } from '../../services/bookInTransaction';
import { formatBookingCode } from '../../services/bookingCode';
import { refundColumnFor } from '../../services/creditRules';
import { inSessionTransaction } from '../../services/sessionTransaction';
import { displayName } from '../../services/studentIdentity';
import { promoteWaitlist, waitlistSettings } from '../../services/waitlistPromotion';
import { recordChanges } from '../../sync/outbox';
import type { AdminContext } from '../context';
import { audit } from './audit';
import { eachItem } from './perItem';

/** admin.bookings.roster: a session's bookings with search, sort, paging and the attendance summary. */
export async function roster(ctx: AdminContext, input: AdminRosterInput) {
  const exam = await findExam(ctx.db, input.examId);
  if (!exam) throw errors.examNotFound();
  const page = { offset: (input.page - 1) * input.pageSize, limit: input.pageSize };
  const [items, summary] = await Promise.all([listRoster(ctx.db, { ...input, ...page }), rosterSummary(ctx.db, input)]);
  const { total, ...attendance } = summary;
  return { exam, items, total, page: input.page, pageSize: input.pageSize, attendance };
}

/**
 * admin.bookings.markAttendance: one transaction for the batch, under the session's lock and row lock
 * (the ones cancellations take), so attendance and a cancel of the same booking cannot interleave.
 * Yes/No completes a booking, null unmarks it back to Active; a cancelled booking, or one of another
 * session, is refused per item; repeating a mark changes nothing.
 */
export async function markAttendance(ctx: AdminContext, input: AdminMarkAttendanceInput) {
  return inSessionTransaction(ctx, input.examId, async (tx) => {
    const exam = await lockExam(tx, input.examId);
    if (!exam) throw errors.examNotFound();
    const locked = new Map((await lockBookings(tx, input.bookingIds)).map((b) => [b.bookingId, b]));
    const status = input.attendance ? ('Completed' as const) : ('Active' as const);
    const attendance = input.attendance ?? null;
    const changed: Array<{ bookingId: string; before: unknown }> = [];
    const results = [...new Set(input.bookingIds)].map((id) => {
      const booking = locked.get(id);
      if (!booking) return { id, ok: false as const, appCode: 'BOOKING_NOT_FOUND' as const };
      if (booking.examId !== input.examId) return { id, ok: false as const, appCode: 'BOOKING_NOT_MARKABLE' as const };
      if (booking.status === 'Cancelled') return { id, ok: false as const, appCode: 'BOOKING_NOT_MARKABLE' as const };
      const same = (booking.attendance || null) === attendance && booking.status === status;
      if (!same) changed.push({ bookingId: id, before: { status: booking.status, attendance: booking.attendance } });
      return { id, ok: true as const, changed: !same };
    });
    for (const { bookingId } of changed) await setAttendance(tx, { bookingId, attendance, status });
    if (changed.length > 0) {
      await audit(tx, ctx, {
        action: 'bookings.markAttendance',
        targetType: 'booking',
        targetIds: changed.map((c) => c.bookingId),
        before: Object.fromEntries(changed.map((c) => [c.bookingId, c.before])),
        after: { status, attendance },
      });
      await recordChanges(
        tx,
        changed.map((c) => ({ object: 'booking' as const, id: c.bookingId, change: 'attendance' as const })),
      );
    }
    const updated = results.filter((r) => r.ok && r.changed).length;
    const failed = results.filter((r) => !r.ok).length;
    return {
      result: {
        results,
        summary: { total: results.length, updated, unchanged: results.length - updated - failed, failed },
      },
    };
  });
}

/**
 * admin.bookings.cancel: each booking its own transaction under its session's lock (the one students'
 * cancellations take). With `refund`, exactly the credit the booking spent comes back (Shared Token
 * included, Admin Override nothing), once: the status guard stops a second cancellation, whoever makes it.
 */
export function cancelBookings(ctx: AdminContext, input: AdminCancelBookingsInput) {
  return eachItem(input.bookingIds, async (bookingId) => {
    const found = await findBookingSession(ctx.db, bookingId);
    if (!found) throw errors.bookingNotFound();
    return inSessionTransaction(ctx, found.examId, async (tx) => {
      const exam = await lockExam(tx, found.examId);
      const [booking] = await lockBookings(tx, [bookingId]);
      if (!booking) throw errors.bookingNotFound();
      if (booking.status !== 'Active') throw errors.bookingClosed(booking.status);
      const refundColumn = input.refund ? refundColumnFor(booking.tokenUsed) : undefined;
      const now = ctx.now();
      const cancelled = await markCancelled(tx, {
        bookingId,
        refunded: Boolean(refundColumn),
        reason: input.reason,
        now,
      });
      if (!cancelled) throw errors.alreadyCancelled();
      if (refundColumn) {
        await stampRefundAdmin(tx, { bookingId, admin: ctx.admin.email ?? ctx.admin.subject });
        await adjustBalance(tx, { contactId: booking.contactId, column: refundColumn, delta: +1 });
      }
      if (exam) await setTotalBookings(tx, { examId: exam.examId, total: await countActiveBookings(tx, exam.examId) });
      // The freed seat goes to the session's waitlist in this same transaction, under the same row
      // lock, exactly as a student's cancellation passes it on: nobody can take it in between.
      const passedOn = exam ? await promoteWaitlist(tx, exam, waitlistSettings(ctx)) : undefined;
      const waitlistPromoted = passedOn?.promoted ?? [];
      const creditRefunded = refundColumn ? booking.tokenUsed : null;
      await audit(tx, ctx, {
        action: 'bookings.cancel',
        targetType: 'booking',
        targetIds: [bookingId],
        before: { status: booking.status, tokenUsed: booking.tokenUsed },
        after: { status: 'Cancelled', refund: input.refund, creditRefunded, waitlistPromoted },
        reason: input.reason,
      });
      await recordChanges(tx, [
        { object: 'booking', id: bookingId, change: 'cancelled' },
        ...(refundColumn
          ? [
              {
                object: 'contact' as const,
                id: booking.contactId,
                change: 'credits' as const,
                column: refundColumn,
                delta: 1,
              },
            ]
          : []),
        ...(exam ? [{ object: 'exam' as const, id: exam.examId, change: 'total_bookings' as const }] : []),
      ]);
      return {
        result: { status: 'Cancelled' as const, creditRefunded, waitlistPromoted },
        seats: passedOn?.seats,
      };
    });
  });
}

/**
 * admin.bookings.create: books a student in. By default through the student's own booking transaction
 * (bookInTransaction: bookable, capacity, duplicate, prerequisites, a credit spent). With `override`, no
 * credit is spent ('Admin Override') and the session need not be open; capacity still holds unless
 * `allowOverCapacity`, and the duplicate rule always does. Either way under the session's lock.
 */
export async function createBooking(ctx: AdminContext, input: AdminCreateBookingInput) {
  const trainee = await findTrainee(ctx.db, input.contactId);
  if (!trainee) throw errors.contactNotFound();
  const student = {
    contactId: trainee.contactId,
    studentId: trainee.studentId ?? '',
    email: trainee.email ?? '',
    name: displayName(trainee),
  };
  return inSessionTransaction(ctx, input.examId, async (tx) => {
    const booked = input.override
      ? await overrideInTransaction(tx, input, student)
      : await normalInTransaction(tx, ctx, input, student);
    await audit(tx, ctx, {
      action: 'bookings.create',
      targetType: 'booking',
      targetIds: [booked.result.bookingId, input.contactId, input.examId],
      after: { ...booked.result, override: input.override },
      reason: input.reason,
    });
    return booked;
  });
}

type Student = { contactId: string; studentId: string; email: string; name: string };
type Tx = Parameters<typeof bookInTransaction>[0];

/** The student's own booking transaction, acting for the student the admin named. */
async function normalInTransaction(tx: Tx, ctx: AdminContext, input: AdminCreateBookingInput, student: Student) {
  const { examId, attendingLocation, dominantHand } = input;
  const booked = await bookInTransaction(
    tx,
    { ...ctx, user: student },
    { examId, attendingLocation, dominantHand },
    undefined,
  );
  const { bookingId, bookingCode, tokenUsed, creditsRemaining } = booked.result;
  return {
    result: {
      bookingId,
      bookingCode: bookingCode as string | null,
      examId,
      tokenUsed,
      creditsRemaining: creditsRemaining as number | null,
      overCapacity: false,
    },
    seats: booked.seats,
  };
}

async function overrideInTransaction(tx: Tx, input: AdminCreateBookingInput, student: Student) {
  const exam = await lockExam(tx, input.examId);
  if (!exam) throw errors.examNotFound();
  const taken = await countActiveBookings(tx, exam.examId);
  const overCapacity = taken >= exam.capacity;
  if (overCapacity && !input.allowOverCapacity)
    throw errors.examFull({ examId: exam.examId, capacity: exam.capacity, totalBookings: taken });
  // The student's row lock serialises the duplicate rule with their other bookings (as for students).
  if (!(await lockBalances(tx, student.contactId))) throw errors.contactNotFound();
  const duplicate = await findActiveDuplicate(tx, {
    contactId: student.contactId,
    examDate: exam.examDate,
    mockType: exam.mockType,
  });
  if (duplicate)
    throw errors.duplicateBooking({ mockType: exam.mockType, examDate: exam.examDate, bookingId: duplicate.bookingId });
  const booking = await insertBooking(tx, {
    bookingId: formatBookingCode(exam.mockType, student.studentId, exam.examDate),
    associatedContactId: student.contactId,
    associatedMockExam: exam.examId,
    studentId: student.studentId,
    name: student.name,
    studentEmail: student.email,
    isActive: 'Active',
    examDate: exam.examDate,
    startTime: exam.startTime,
    endTime: exam.endTime,
    mockType: exam.mockType,
    mockSet: exam.mockSet,
    tokenUsed: 'Admin Override',
    attendingLocation: input.attendingLocation ?? null,
    dominantHand: input.dominantHand ?? null,
  });
  const totalBookings = taken + 1;
  await setTotalBookings(tx, { examId: exam.examId, total: totalBookings });
  await recordChanges(tx, [
    { object: 'booking', id: booking.bookingId, change: 'created' },
    { object: 'exam', id: exam.examId, change: 'total_bookings' },
  ]);
  return {
    result: {
      bookingId: booking.bookingId,
      bookingCode: booking.bookingCode,
      examId: exam.examId,
      tokenUsed: 'Admin Override' as TokenType | null,
      creditsRemaining: null as number | null,
      overCapacity,
    },
    seats: { examId: exam.examId, capacity: exam.capacity, totalBookings },
  };
}
