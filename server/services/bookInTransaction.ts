import type { Transaction } from '../../db/client';
import { findActiveDuplicate, findOverlappingBooking, insertBooking } from '../../db/queries/bookings';
import { adjustBalance, lockBalances } from '../../db/queries/contacts';
import { countSeatsTaken, lockExam, satisfiedPrerequisites, setTotalBookings } from '../../db/queries/exams';
import type { StudentContext } from '../context';
import type { CreateBookingInput } from '../contracts/bookings';
import { errors } from '../errors';
import { recordChanges } from '../sync/outbox';
import { formatBookingCode } from './bookingCode';
import { type BookingDetails, detailsFor } from './bookingDetails';
import { type CreatedBooking, createdView } from './bookingViews';
import { availableFor, type CreditRule, chooseCredit, ruleFor } from './creditRules';
import { bookability } from './exams';
import { replayFor } from './idempotency';
import type { Outcome } from './sessionTransaction';
import { currentDetails } from './studentIdentity';
import { settleWaitlist, waitlistSettings } from './waitlistPromotion';

export type LockedExam = NonNullable<Awaited<ReturnType<typeof lockExam>>>;
/** Who a booking is for: the logged-in student, or a queued one the waitlist books. */
export type Student = Pick<StudentContext['user'], 'contactId' | 'studentId' | 'name' | 'email'>;

/**
 * One booking, inside one transaction, as the rules of docs/DOMAIN.md in order. Lock order everywhere:
 * session row, then booking row, then student row, so no two transactions deadlock.
 */
export async function bookInTransaction(
  tx: Transaction,
  ctx: StudentContext,
  input: CreateBookingInput,
  idempotencyKey: string | undefined,
): Promise<Outcome<CreatedBooking>> {
  const exam = await lockExam(tx, input.examId);
  if (!exam) throw errors.examNotFound();
  // A repeat of a request already served answers as it did, whatever has changed since.
  const replay = idempotencyKey ? await replayFor(ctx, tx, idempotencyKey, input) : undefined;
  if (replay) return { result: replay };

  const { booking: settings } = ctx.config;
  const rule = requireBookable(exam, ctx.now(), settings.bookingCutoffMs);
  const details = detailsFor(exam.mockType, input, settings.attendingLocations);
  // The line first: a seat a queued student is owed (freed, or a hold run out) is never an outsider's.
  const taken = await requireSeatLeft(tx, exam, await settleWaitlist(tx, exam, waitlistSettings(ctx)));
  const { booking, balances } = await placeBooking(tx, {
    exam,
    student: ctx.user,
    rule,
    details,
    idempotencyKey: idempotencyKey ?? null,
  });
  const totalBookings = taken + 1;
  await setTotalBookings(tx, { examId: exam.examId, total: totalBookings });
  return {
    result: createdView(booking, balances),
    seats: { examId: exam.examId, capacity: exam.capacity, totalBookings },
  };
}

/**
 * Every rule about the student for a seat on the locked session, without writing anything: the
 * student's row lock first (it serialises the duplicate and overlap checks with their other bookings),
 * then duplicate, overlap, prerequisites and the credit a booking would spend. The waitlist asks this
 * before it offers a hold (server/services/waitlistPromotion.ts); placeBooking asks it before it books.
 */
export async function requireEligible(tx: Transaction, student: Student, exam: LockedExam, rule: CreditRule) {
  const current = await lockStudent(tx, student);
  await requireNoDuplicate(tx, student, exam);
  await requireNoOverlap(tx, student, exam);
  await requirePrerequisites(tx, student, exam);
  const credit = chooseCredit(rule, current);
  if (!credit) throw errors.insufficientCredits(exam.mockType, availableFor(rule, current));
  return { current, credit };
}

/**
 * Books `student` a seat on the locked session once its seat is settled: every rule about the student
 * (requireEligible), the credit spent, the booking row, and the changes HubSpot must learn, all in the
 * caller's transaction. Throws the first rule that fails, before writing anything.
 */
export async function placeBooking(
  tx: Transaction,
  p: { exam: LockedExam; student: Student; rule: CreditRule; details: BookingDetails; idempotencyKey: string | null },
) {
  const { exam, student } = p;
  const { current, credit } = await requireEligible(tx, student, exam, p.rule);
  const { column, token } = credit;
  // Exactly one credit of the kind the type spends, from the balances read under the lock.
  const balances = await adjustBalance(tx, { contactId: student.contactId, column, delta: -1 });

  const recorded = currentDetails(current.identity, student);
  const booking = await insertBooking(tx, {
    bookingId: formatBookingCode(exam.mockType, recorded.studentId, exam.examDate),
    idempotencyKey: p.idempotencyKey,
    associatedContactId: student.contactId,
    associatedMockExam: exam.examId,
    studentId: recorded.studentId,
    name: recorded.name,
    studentEmail: recorded.email,
    isActive: 'Active',
    examDate: exam.examDate,
    startTime: exam.startTime,
    endTime: exam.endTime,
    mockType: exam.mockType,
    mockSet: exam.mockSet,
    tokenUsed: token,
    attendingLocation: p.details.attendingLocation,
    dominantHand: p.details.dominantHand,
  });
  // HubSpot learns of all three in this same transaction (docs/SYNC.md); each object's row is locked.
  await recordChanges(tx, [
    { object: 'booking', id: booking.bookingId, change: 'created' },
    { object: 'contact', id: student.contactId, change: 'credits', column, delta: -1 },
    { object: 'exam', id: exam.examId, change: 'total_bookings' },
  ]);
  return { booking, balances };
}

/**
 * Open now (active, or scheduled and activated, not started, and not past BOOKING_CUTOFF_HOURS before
 * its start) and of a type bookable online.
 */
export function requireBookable(
  exam: Pick<LockedExam, 'isActive' | 'scheduledActivationDatetime' | 'startTime' | 'mockType'>,
  now: Date,
  cutoffMs: number,
): CreditRule {
  const window = bookability(exam, now, cutoffMs);
  if (window !== 'open') throw errors.examNotBookable(window);
  const rule = ruleFor(exam.mockType);
  if (!rule) throw errors.examTypeNotBookable(exam.mockType);
  return rule;
}

/**
 * Capacity, counted from the bookings and waitlist holds themselves (never from the stored counter), or
 * as the waitlist's settlement just counted them; returns seats taken.
 */
async function requireSeatLeft(tx: Transaction, exam: LockedExam, settled: number | undefined): Promise<number> {
  const taken = settled ?? (await countSeatsTaken(tx, exam.examId));
  if (taken >= exam.capacity)
    throw errors.examFull({ examId: exam.examId, capacity: exam.capacity, totalBookings: taken });
  return taken;
}

/**
 * One non-cancelled booking per student, exam date and mock type, judged by the sessions' own type and
 * date. Runs under the student's row lock, which every booking of theirs takes, so two concurrent
 * bookings of different sessions cannot both pass; a second seat on the same session is also refused by
 * the unique index hubspot_bookings_one_active_per_contact_exam (both columns NOT NULL).
 */
async function requireNoDuplicate(tx: Transaction, student: Student, exam: LockedExam): Promise<void> {
  const { examDate, mockType } = exam;
  const duplicate = await findActiveDuplicate(tx, { contactId: student.contactId, examDate, mockType });
  if (duplicate) throw errors.duplicateBooking({ mockType, examDate, bookingId: duplicate.bookingId });
}

/**
 * No two non-cancelled bookings of one student whose sessions overlap in time, whatever their types,
 * judged by the sessions' own times under the student's row lock (docs/DOMAIN.md "Overlapping sessions"
 * says why this is a row-locked check rather than an exclusion constraint). A session without both
 * times cannot be placed in time and overlaps nothing.
 */
async function requireNoOverlap(tx: Transaction, student: Student, exam: LockedExam): Promise<void> {
  if (!exam.startTime || !exam.endTime) return;
  const other = await findOverlappingBooking(tx, {
    contactId: student.contactId,
    examId: exam.examId,
    startTime: exam.startTime,
    endTime: exam.endTime,
  });
  if (other) throw errors.timeConflict(other);
}

/** A Mock Discussion needs an Active or Completed booking on each session it lists. */
async function requirePrerequisites(tx: Transaction, student: Student, exam: LockedExam): Promise<void> {
  const examIds = exam.prerequisiteExamIds ?? [];
  if (examIds.length === 0) return;
  const satisfied = await satisfiedPrerequisites(tx, { contactId: student.contactId, examIds });
  const missing = examIds.filter((id) => !satisfied.has(id));
  if (missing.length > 0) throw errors.prerequisitesNotMet(missing);
}

/** Locks the student's row for the rest of the transaction: their bookings and refunds run one at a time. */
async function lockStudent(tx: Transaction, student: Student) {
  const current = await lockBalances(tx, student.contactId);
  if (!current) throw errors.studentGone();
  return current;
}
