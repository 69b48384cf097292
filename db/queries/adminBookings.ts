import { and, asc, desc, eq, inArray, ne, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../client';
import { type Attendance, type BookingStatus, bookings, contactCredits, type MockType, mockExams } from '../schema';

/** What an admin sees of a booking on a roster or a trainee's history. */
const adminBookingColumns = {
  bookingId: bookings.id,
  bookingCode: bookings.bookingId,
  hubspotId: bookings.hubspotId,
  examId: bookings.associatedMockExam,
  contactId: bookings.associatedContactId,
  studentId: bookings.studentId,
  name: bookings.name,
  email: bookings.studentEmail,
  status: bookings.isActive,
  attendance: bookings.attendance,
  tokenUsed: bookings.tokenUsed,
  tokenRefunded: bookings.tokenRefunded,
  tokenRefundedAt: bookings.tokenRefundedAt,
  tokenRefundAdmin: bookings.tokenRefundAdmin,
  mockType: bookings.mockType,
  examDate: bookings.examDate,
  startTime: bookings.startTime,
  endTime: bookings.endTime,
  attendingLocation: bookings.attendingLocation,
  dominantHand: bookings.dominantHand,
  ndeccExamDate: contactCredits.ndeccExamDate,
  createdAt: bookings.createdAt,
  cancelledAt: bookings.cancelledAt,
};

export const ROSTER_SORTS = {
  created: bookings.createdAt,
  name: bookings.name,
  email: bookings.studentEmail,
  studentId: bookings.studentId,
};
export type RosterSort = keyof typeof ROSTER_SORTS;

export interface RosterFilter {
  examId: string;
  search?: string | undefined;
  includeCancelled?: boolean | undefined;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

function rosterWhere(f: RosterFilter): SQL | undefined {
  const pattern = f.search ? `%${escapeLike(f.search.toLowerCase())}%` : undefined;
  return and(
    eq(bookings.associatedMockExam, f.examId),
    f.includeCancelled ? undefined : ne(bookings.isActive, 'Cancelled'),
    pattern
      ? sql`(lower(${bookings.name}) like ${pattern} or lower(${bookings.studentEmail}) like ${pattern} or lower(${bookings.studentId}) like ${pattern})`
      : undefined,
  );
}

export function listRoster(
  db: Executor,
  f: RosterFilter & { sort: RosterSort; order: 'asc' | 'desc'; offset: number; limit: number },
) {
  const by = f.order === 'asc' ? asc : desc;
  return db
    .select(adminBookingColumns)
    .from(bookings)
    .leftJoin(contactCredits, eq(contactCredits.hubspotId, bookings.associatedContactId))
    .where(rosterWhere(f))
    .orderBy(by(ROSTER_SORTS[f.sort]), asc(bookings.id))
    .limit(f.limit)
    .offset(f.offset);
}

/** Count, and attendance of the non-cancelled bookings, under the roster's filter. */
export async function rosterSummary(db: Executor, f: RosterFilter) {
  const [row] = await db
    .select({
      total: sql<number>`count(*)::int`,
      attended: sql<number>`count(*) filter (where ${bookings.attendance} = 'Yes' and ${bookings.isActive} <> 'Cancelled')::int`,
      noShow: sql<number>`count(*) filter (where ${bookings.attendance} = 'No' and ${bookings.isActive} <> 'Cancelled')::int`,
      unmarked: sql<number>`count(*) filter (where coalesce(${bookings.attendance}, '') = '' and ${bookings.isActive} <> 'Cancelled')::int`,
    })
    .from(bookings)
    .where(rosterWhere(f));
  return row ?? { total: 0, attended: 0, noShow: 0, unmarked: 0 };
}

/** Which session a booking is on: read outside the lock only to learn which lock to take. */
export async function findBookingSession(db: Executor, bookingId: string) {
  const [row] = await db
    .select({ examId: bookings.associatedMockExam })
    .from(bookings)
    .where(eq(bookings.id, bookingId));
  return row;
}

const lockedColumns = {
  bookingId: bookings.id,
  examId: bookings.associatedMockExam,
  contactId: bookings.associatedContactId,
  status: bookings.isActive,
  attendance: bookings.attendance,
  tokenUsed: bookings.tokenUsed,
  tokenRefunded: bookings.tokenRefunded,
};

/** Locks bookings by id (after their session's row: the lock order of docs/DOMAIN.md). */
export function lockBookings(tx: Executor, bookingIds: string[]) {
  return tx
    .select(lockedColumns)
    .from(bookings)
    .where(inArray(bookings.id, bookingIds))
    .orderBy(asc(bookings.id))
    .for('update');
}

export async function setAttendance(
  tx: Executor,
  p: { bookingId: string; attendance: Attendance | null; status: BookingStatus },
): Promise<void> {
  await tx
    .update(bookings)
    .set({ attendance: p.attendance, isActive: p.status, updatedAt: new Date() })
    .where(eq(bookings.id, p.bookingId));
}

/** Who refunded a booking (the old system's token_refund_admin), set beside markCancelled's refund. */
export async function stampRefundAdmin(tx: Executor, p: { bookingId: string; admin: string }): Promise<void> {
  await tx.update(bookings).set({ tokenRefundAdmin: p.admin }).where(eq(bookings.id, p.bookingId));
}

/** A trainee's bookings, newest session first (cancelled ones only when asked). */
export function listTraineeBookings(db: Executor, p: { contactId: string; includeCancelled: boolean; limit: number }) {
  return db
    .select(adminBookingColumns)
    .from(bookings)
    .leftJoin(contactCredits, eq(contactCredits.hubspotId, bookings.associatedContactId))
    .where(
      and(
        eq(bookings.associatedContactId, p.contactId),
        p.includeCancelled ? undefined : ne(bookings.isActive, 'Cancelled'),
      ),
    )
    .orderBy(desc(bookings.examDate), desc(bookings.startTime), asc(bookings.id))
    .limit(p.limit);
}

/** A trainee's bookings counted by status and attendance (cancelled ones never count as attended). */
export async function traineeBookingSummary(db: Executor, contactId: string) {
  const [row] = await db
    .select({
      total: sql<number>`count(*)::int`,
      active: sql<number>`count(*) filter (where ${bookings.isActive} = 'Active')::int`,
      completed: sql<number>`count(*) filter (where ${bookings.isActive} = 'Completed')::int`,
      cancelled: sql<number>`count(*) filter (where ${bookings.isActive} = 'Cancelled')::int`,
      attended: sql<number>`count(*) filter (where ${bookings.attendance} = 'Yes' and ${bookings.isActive} <> 'Cancelled')::int`,
      noShow: sql<number>`count(*) filter (where ${bookings.attendance} = 'No' and ${bookings.isActive} <> 'Cancelled')::int`,
      unmarked: sql<number>`count(*) filter (where coalesce(${bookings.attendance}, '') = '' and ${bookings.isActive} <> 'Cancelled')::int`,
    })
    .from(bookings)
    .where(eq(bookings.associatedContactId, contactId));
  return row ?? { total: 0, active: 0, completed: 0, cancelled: 0, attended: 0, noShow: 0, unmarked: 0 };
}

/**
 * What stops a student's booking from moving to `target`: another of their non-cancelled bookings of
 * the same type and date (the duplicate rule) or overlapping it in time, the moving booking itself
 * excepted. Only sound under the student's row lock, which every booking of theirs takes.
 */
export async function findRebookConflict(
  tx: Executor,
  p: {
    contactId: string;
    bookingId: string;
    target: { examDate: string; mockType: string; startTime: Date | null; endTime: Date | null };
  },
) {
  const { target } = p;
  const overlaps =
    target.startTime && target.endTime
      ? sql`(${mockExams.startTime} < ${target.endTime} and ${mockExams.endTime} > ${target.startTime})`
      : sql`false`;
  const [row] = await tx
    .select({
      bookingId: bookings.id,
      examId: bookings.associatedMockExam,
      duplicate: sql<boolean>`(${mockExams.examDate} = ${target.examDate} and ${mockExams.mockType} = ${target.mockType})`,
    })
    .from(bookings)
    .innerJoin(mockExams, eq(mockExams.hubspotId, bookings.associatedMockExam))
    .where(
      and(
        eq(bookings.associatedContactId, p.contactId),
        ne(bookings.id, p.bookingId),
        ne(bookings.isActive, 'Cancelled'),
        sql`((${mockExams.examDate} = ${target.examDate} and ${mockExams.mockType} = ${target.mockType}) or ${overlaps})`,
      ),
    )
    .limit(1);
  return row;
}

/** Moves a booking onto another session, copying the session's date, times, type and set. */
export async function moveBooking(
  tx: Executor,
  p: {
    bookingId: string;
    exam: {
      examId: string;
      examDate: string;
      startTime: Date | null;
      endTime: Date | null;
      mockType: MockType;
      mockSet: string | null;
    };
  },
): Promise<void> {
  await tx
    .update(bookings)
    .set({
      associatedMockExam: p.exam.examId,
      examDate: p.exam.examDate,
      startTime: p.exam.startTime,
      endTime: p.exam.endTime,
      mockType: p.exam.mockType,
      mockSet: p.exam.mockSet,
      updatedAt: new Date(),
    })
    .where(eq(bookings.id, p.bookingId));
}
