import { and, asc, eq, gte, lte, ne, sql } from 'drizzle-orm';
import type { Executor } from '../client';
import { bookings, contactCredits, mockExams } from '../schema';

/** A booking as the CSV exports write it: read from the database, never from what a browser sends. */
const exportColumns = {
  bookingId: bookings.id,
  examId: bookings.associatedMockExam,
  name: bookings.name,
  email: bookings.studentEmail,
  studentId: bookings.studentId,
  dominantHand: bookings.dominantHand,
  status: bookings.isActive,
  attendance: bookings.attendance,
  attendingLocation: bookings.attendingLocation,
  mockType: bookings.mockType,
  location: mockExams.location,
  examDate: bookings.examDate,
  startTime: bookings.startTime,
  endTime: bookings.endTime,
  ndeccExamDate: contactCredits.ndeccExamDate,
  tokenUsed: bookings.tokenUsed,
  createdAt: bookings.createdAt,
};
export type ExportRow = Awaited<ReturnType<typeof exportRoster>>[number];

/** A session's roster (Active and Completed), by name: one session is at most a few hundred rows. */
export function exportRoster(db: Executor, examId: string) {
  return db
    .select(exportColumns)
    .from(bookings)
    .leftJoin(mockExams, eq(mockExams.hubspotId, bookings.associatedMockExam))
    .leftJoin(contactCredits, eq(contactCredits.hubspotId, bookings.associatedContactId))
    .where(and(eq(bookings.associatedMockExam, examId), ne(bookings.isActive, 'Cancelled')))
    .orderBy(asc(bookings.name), asc(bookings.id))
    .limit(10_000);
}

/** Where the previous page of a range export ended. */
export interface ExportCursor {
  examDate: string;
  startTime: Date | null;
  bookingId: string;
}

/** The sort key of a range export: session date, start, id; a booking with no start sorts first in its day. */
const startKey = sql`coalesce(${bookings.startTime}, '-infinity'::timestamptz)`;

/**
 * One page of every booking (any status) whose session date lies in [from, to], ordered by date, start
 * and id, after `cursor`: keyset pages, so a large range is read in bounded pieces, each as fast as the first.
 */
export function exportBookingsPage(
  db: Executor,
  p: { from: string; to: string; after: ExportCursor | undefined; limit: number },
) {
  const after = p.after
    ? sql`(${bookings.examDate}, ${startKey}, ${bookings.id}) > (${p.after.examDate}::date, coalesce(${p.after.startTime?.toISOString() ?? null}::timestamptz, '-infinity'::timestamptz), ${p.after.bookingId}::uuid)`
    : undefined;
  return db
    .select(exportColumns)
    .from(bookings)
    .leftJoin(mockExams, eq(mockExams.hubspotId, bookings.associatedMockExam))
    .leftJoin(contactCredits, eq(contactCredits.hubspotId, bookings.associatedContactId))
    .where(and(gte(bookings.examDate, p.from), lte(bookings.examDate, p.to), after))
    .orderBy(asc(bookings.examDate), asc(startKey), asc(bookings.id))
    .limit(p.limit);
}
