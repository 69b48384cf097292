import { type AnyColumn, and, asc, desc, eq, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../client';
import { bookings, type MockType, mockExams, type NewBookingRow } from '../schema';
import { preparedOnce } from './prepared';

/** What the API shows of a booking; the session's location comes from the session row. */
const bookingColumns = {
  bookingId: bookings.id,
  bookingCode: bookings.bookingId,
  examId: bookings.associatedMockExam,
  contactId: bookings.associatedContactId,
  mockType: bookings.mockType,
  mockSet: bookings.mockSet,
  examDate: bookings.examDate,
  startTime: bookings.startTime,
  endTime: bookings.endTime,
  isActive: bookings.isActive,
  tokenUsed: bookings.tokenUsed,
  tokenRefunded: bookings.tokenRefunded,
  attendance: bookings.attendance,
  attendingLocation: bookings.attendingLocation,
  dominantHand: bookings.dominantHand,
  idempotencyKey: bookings.idempotencyKey,
  createdAt: bookings.createdAt,
  cancelledAt: bookings.cancelledAt,
};
export type BookingView = Awaited<ReturnType<typeof insertBooking>>;

/**
 * The session's type, date and times are the truth: the booking's copies are NULL on bookings the old
 * booking RPC wrote and stale once a session moves. They stand in only when the session row is gone.
 */
const sessionsOwn = (session: AnyColumn, copy: AnyColumn) =>
  sql`case when ${mockExams.hubspotId} is null then ${copy} else ${session} end`;
const sessionStart = () => sessionsOwn(mockExams.startTime, bookings.startTime);

/** A booking as its student sees it: with its session's type, date, times and location. */
const shownColumns = {
  ...bookingColumns,
  mockType: sessionsOwn(mockExams.mockType, bookings.mockType).mapWith(bookings.mockType),
  examDate: sessionsOwn(mockExams.examDate, bookings.examDate).mapWith(bookings.examDate),
  startTime: sessionStart().mapWith(bookings.startTime),
  endTime: sessionsOwn(mockExams.endTime, bookings.endTime).mapWith(bookings.endTime),
  location: mockExams.location,
};

export async function insertBooking(tx: Executor, values: NewBookingRow) {
  const [row] = await tx.insert(bookings).values(values).returning(bookingColumns);
  return row!;
}

export async function findBookingByIdempotencyKey(db: Executor, key: string) {
  const [row] = await db.select(bookingColumns).from(bookings).where(eq(bookings.idempotencyKey, key));
  return row;
}

/** One student's booking: every lookup by booking id is scoped by its owner. */
export interface OwnBooking {
  contactId: string;
  bookingId: string;
}

/** The student's own booking only: another student's id reads exactly like a missing one. */
export async function findOwnBooking(db: Executor, { contactId, bookingId }: OwnBooking) {
  const [row] = await db
    .select(shownColumns)
    .from(bookings)
    .leftJoin(mockExams, eq(mockExams.hubspotId, bookings.associatedMockExam))
    .where(and(eq(bookings.id, bookingId), eq(bookings.associatedContactId, contactId)));
  return row;
}

export async function lockOwnBooking(tx: Executor, { contactId, bookingId }: OwnBooking) {
  const [row] = await tx
    .select(bookingColumns)
    .from(bookings)
    .where(and(eq(bookings.id, bookingId), eq(bookings.associatedContactId, contactId)))
    .for('update');
  return row;
}

/**
 * The student's non-cancelled booking of a session of this type on this date, if any (the duplicate
 * rule), judged by the sessions' own type and date, never by the copies on the bookings. Only sound
 * under the student's row lock (every booking of a student takes it), which serialises the check.
 */
export async function findActiveDuplicate(
  tx: Executor,
  { contactId, examDate, mockType }: { contactId: string; examDate: string; mockType: MockType },
) {
  const [row] = await tx
    .select({ bookingId: bookings.id, examId: bookings.associatedMockExam })
    .from(bookings)
    .innerJoin(mockExams, eq(mockExams.hubspotId, bookings.associatedMockExam))
    .where(
      and(
        eq(bookings.associatedContactId, contactId),
        eq(mockExams.examDate, examDate),
        eq(mockExams.mockType, mockType),
        sql`${bookings.isActive} <> 'Cancelled'`,
      ),
    )
    .limit(1);
  return row;
}

/**
 * The student's non-cancelled booking, on another session, whose session's time range overlaps
 * [start, end) (touching ends do not overlap), by the sessions' own times. Only sound under the
 * student's row lock, which every booking of a student takes and which serialises the check.
 */
export async function findOverlappingBooking(
  tx: Executor,
  p: { contactId: string; examId: string; startTime: Date; endTime: Date },
) {
  const [row] = await tx
    .select({ bookingId: bookings.id, examId: bookings.associatedMockExam })
    .from(bookings)
    .innerJoin(mockExams, eq(mockExams.hubspotId, bookings.associatedMockExam))
    .where(
      and(
        eq(bookings.associatedContactId, p.contactId),
        sql`${bookings.isActive} <> 'Cancelled'`,
        sql`${mockExams.hubspotId} <> ${p.examId}`,
        sql`${mockExams.startTime} < ${p.endTime}`,
        sql`${mockExams.endTime} > ${p.startTime}`,
      ),
    )
    .orderBy(asc(mockExams.startTime))
    .limit(1);
  return row;
}

/**
 * Cancels an Active booking, once: the status guard makes a second cancel a no-op (returns
 * undefined) even if it got past the caller's checks. Cancelling frees the idempotency key, so the
 * same key can book again later ("cancel then rebook").
 */
export async function markCancelled(
  tx: Executor,
  p: { bookingId: string; refunded: boolean; reason: string | undefined; now: Date },
) {
  const [row] = await tx
    .update(bookings)
    .set({
      isActive: 'Cancelled',
      tokenRefunded: p.refunded,
      tokenRefundedAt: p.refunded ? p.now : null,
      cancelledAt: p.now,
      cancellationReason: p.reason ?? null,
      // Frees the key for a rebooking, kept for the record under a name no client key can spell: '#' is
      // outside the characters an idempotency key may have (server/contracts/bookings.ts).
      idempotencyKey: sql`case when ${bookings.idempotencyKey} is null then null else ${bookings.idempotencyKey} || '#freed:' || ${bookings.id} end`,
    })
    .where(and(eq(bookings.id, p.bookingId), eq(bookings.isActive, 'Active'), eq(bookings.tokenRefunded, false)))
    .returning({ bookingId: bookings.id });
  return row;
}

export type BookingListFilter = 'upcoming' | 'past' | 'cancelled' | 'all';
export interface BookingCursor {
  /** The sort key as Postgres printed it (text, so '-infinity' survives the round trip). */
  sortKey: string;
  bookingId: string;
}

/** Sort key: the session's start; a booking without one (old imports) sorts as the earliest. */
const sortTime = sql`coalesce(${sessionStart()}, '-infinity'::timestamptz)`;

/** The clock a query of the bookings page compares with, as a placeholder filled at each call. */
const NOW = sql.placeholder('now');

/** Which of a student's bookings each tab of the bookings page shows (by the session's start). */
function filterScope(filter: Exclude<BookingListFilter, 'all'>): SQL {
  if (filter === 'upcoming') return sql`${bookings.isActive} = 'Active' and ${sessionStart()} > ${NOW}`;
  if (filter === 'past') return sql`${sortTime} <= ${NOW}`;
  return sql`${bookings.isActive} = 'Cancelled'`;
}

/** How many bookings each tab holds, in one pass over the student's bookings. */
export async function countOwnBookings(db: Executor, p: { contactId: string; now: Date }) {
  const query = preparedOnce(db, 'own_booking_counts', () => {
    const count = (filter: Exclude<BookingListFilter, 'all'>) =>
      sql<number>`(count(*) filter (where ${filterScope(filter)}))::int`;
    return db
      .select({
        upcoming: count('upcoming'),
        past: count('past'),
        cancelled: count('cancelled'),
        all: sql<number>`count(*)::int`,
      })
      .from(bookings)
      .leftJoin(mockExams, eq(mockExams.hubspotId, bookings.associatedMockExam))
      .where(eq(bookings.associatedContactId, sql.placeholder('contactId')));
  });
  const [row] = await query.execute({ contactId: p.contactId, now: p.now });
  return row ?? { upcoming: 0, past: 0, cancelled: 0, all: 0 };
}

/** The page query of one tab, with or without a cursor: 8 shapes, each prepared once (preparedOnce). */
function ownBookingsPage(db: Executor, filter: BookingListFilter, withCursor: boolean) {
  return preparedOnce(db, `own_bookings_${filter}${withCursor ? '_after' : ''}`, () => {
    const ascending = filter === 'upcoming';
    const scope: SQL | undefined = filter === 'all' ? undefined : filterScope(filter);
    const cursorTime = sql`${sql.placeholder('cursorSortKey')}::timestamptz`;
    const cursorId = sql`${sql.placeholder('cursorBookingId')}::uuid`;
    const after = withCursor
      ? ascending
        ? sql`(${sortTime}, ${bookings.id}) > (${cursorTime}, ${cursorId})`
        : sql`(${sortTime}, ${bookings.id}) < (${cursorTime}, ${cursorId})`
      : undefined;
    return db
      .select({ ...shownColumns, sortKey: sql<string>`${sortTime}::text` })
      .from(bookings)
      .leftJoin(mockExams, eq(mockExams.hubspotId, bookings.associatedMockExam))
      .where(and(eq(bookings.associatedContactId, sql.placeholder('contactId')), scope, after))
      .orderBy(...(ascending ? [asc(sortTime), asc(bookings.id)] : [desc(sortTime), desc(bookings.id)]))
      .limit(sql.placeholder('rows'));
  });
}

/** Keyset pagination over (start time, id): stable under concurrent inserts, no OFFSET scans. */
export function listOwnBookings(
  db: Executor,
  p: { contactId: string; filter: BookingListFilter; now: Date; cursor?: BookingCursor | undefined; limit: number },
) {
  return ownBookingsPage(db, p.filter, p.cursor !== undefined).execute({
    contactId: p.contactId,
    now: p.now,
    rows: p.limit + 1,
    cursorSortKey: p.cursor?.sortKey,
    cursorBookingId: p.cursor?.bookingId,
  });
}

/**
 * The student's Active bookings of sessions that list `examId` as a prerequisite (Mock Discussions
 * that depend on a booking of it). Sound under the student's row lock, which booking takes before it
 * checks prerequisites.
 */
export async function activeDependentsOf(tx: Executor, { contactId, examId }: { contactId: string; examId: string }) {
  return tx
    .select({ bookingId: bookings.id })
    .from(bookings)
    .innerJoin(mockExams, eq(mockExams.hubspotId, bookings.associatedMockExam))
    .where(
      and(
        eq(bookings.associatedContactId, contactId),
        eq(bookings.isActive, 'Active'),
        sql`${mockExams.prerequisiteExamIds} @> array[${examId}]::text[]`,
      ),
    );
}
