import type { Transaction } from '../../db/client';
import { findActiveDuplicate, insertBooking } from '../../db/queries/bookings';
import { adjustBalance, lockBalances } from '../../db/queries/contacts';
import { countActiveBookings, lockExam, satisfiedPrerequisites, setTotalBookings } from '../../db/queries/exams';
import type { CreditBalances } from '../../db/schema/credits';
import type { StudentContext } from '../context';
import type { CreateBookingInput } from '../contracts/bookings';
import { errors } from '../errors';
import { recordChanges } from '../sync/outbox';
import { formatBookingCode } from './bookingCode';
import { type CreatedBooking, createdView } from './bookingViews';
import { availableFor, type CreditRule, chooseCredit, ruleFor } from './creditRules';
import { bookability } from './exams';
import { replayFor } from './idempotency';
import type { Outcome } from './sessionTransaction';
import { currentDetails } from './studentIdentity';

type LockedExam = NonNullable<Awaited<ReturnType<typeof lockExam>>>;
type Student = StudentContext['user'];

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

  const rule = requireBookable(exam, ctx.now());
  const taken = await requireSeatLeft(tx, exam);
  // The student's row lock first: it serialises the duplicate check with the student's other bookings.
  const current = await lockStudent(tx, ctx.user);
  await requireNoDuplicate(tx, ctx.user, exam);
  await requirePrerequisites(tx, ctx.user, exam);
  const { token, column, balances } = await spendCredit(tx, ctx.user, exam, rule, current);

  const student = currentDetails(current.identity, ctx.user);
  const booking = await insertBooking(tx, {
    bookingId: formatBookingCode(exam.mockType, student.studentId, exam.examDate),
    idempotencyKey: idempotencyKey ?? null,
    associatedContactId: ctx.user.contactId,
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
    tokenUsed: token,
    attendingLocation: input.attendingLocation ?? null,
    dominantHand: input.dominantHand ?? null,
  });
  const totalBookings = taken + 1;
  await setTotalBookings(tx, { examId: exam.examId, total: totalBookings });
  // HubSpot learns of all three in this same transaction (docs/SYNC.md); each object's row is locked.
  await recordChanges(tx, [
    { object: 'booking', id: booking.bookingId, change: 'created' },
    { object: 'contact', id: ctx.user.contactId, change: 'credits', column, delta: -1 },
    { object: 'exam', id: exam.examId, change: 'total_bookings' },
  ]);
  return {
    result: createdView(booking, balances),
    seats: { examId: exam.examId, capacity: exam.capacity, totalBookings },
  };
}

/** Open now (active, or scheduled and activated, and not started) and of a type bookable online. */
function requireBookable(exam: LockedExam, now: Date): CreditRule {
  const window = bookability(exam, now);
  if (window !== 'open') throw errors.examNotBookable(window);
  const rule = ruleFor(exam.mockType);
  if (!rule) throw errors.examTypeNotBookable(exam.mockType);
  return rule;
}

/** Capacity, counted from the bookings themselves (never from the stored counter); returns seats taken. */
async function requireSeatLeft(tx: Transaction, exam: LockedExam): Promise<number> {
  const taken = await countActiveBookings(tx, exam.examId);
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

/** Debits exactly one credit of the kind the type spends, from the balances read under the lock. */
async function spendCredit(
  tx: Transaction,
  student: Student,
  exam: LockedExam,
  rule: CreditRule,
  current: CreditBalances,
) {
  const credit = chooseCredit(rule, current);
  if (!credit) throw errors.insufficientCredits(exam.mockType, availableFor(rule, current));
  const balances = await adjustBalance(tx, { contactId: student.contactId, column: credit.column, delta: -1 });
  return { token: credit.token, column: credit.column, balances };
}
