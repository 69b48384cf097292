import { createHash } from 'node:crypto';
import { and, asc, eq, gte, inArray, lt, lte, ne, or, sql } from 'drizzle-orm';
import type { Executor } from '../client';
import { bookings, type MockType, mockExams, waitlistEntries } from '../schema';

export interface BookableExamFilter {
  now: Date;
  /** BOOKING_CUTOFF_HOURS in ms: sessions starting sooner than this are no longer listed. */
  cutoffMs?: number | undefined;
  mockType?: MockType | undefined;
  from?: string | undefined;
  to?: string | undefined;
  location?: string | undefined;
  includeFull?: boolean | undefined;
  /** Keyset: only sessions after this one in the listing's order (start time, then id). */
  after?: { startTime: Date; examId: string } | undefined;
  limit: number;
}

/** The columns a session listing shows; nothing else leaves the database. */
export const examListingColumns = {
  examId: mockExams.hubspotId,
  mockType: mockExams.mockType,
  mockSet: mockExams.mockSet,
  examDate: mockExams.examDate,
  startTime: mockExams.startTime,
  endTime: mockExams.endTime,
  location: mockExams.location,
  capacity: mockExams.capacity,
  totalBookings: mockExams.totalBookings,
};

/**
 * The bookable rule (docs/DOMAIN.md): active, or scheduled with its activation time passed, and not yet
 * started. A session with no start time is never bookable.
 */
const isBookableAt = (now: Date, cutoffMs = 0) =>
  and(
    or(
      eq(mockExams.isActive, 'true'),
      and(eq(mockExams.isActive, 'scheduled'), lte(mockExams.scheduledActivationDatetime, now)),
    ),
    sql`${mockExams.startTime} > ${new Date(now.getTime() + cutoffMs)}`,
  );

/**
 * The listing's order and its cursor at the precision a cursor carries (a JavaScript Date: ms), so
 * the session a page ends on compares equal to its cursor and is not listed again.
 */
const listingTime = sql`date_trunc('milliseconds', ${mockExams.startTime})`;

export function listBookableExams(db: Executor, f: BookableExamFilter) {
  return db
    .select(examListingColumns)
    .from(mockExams)
    .where(bookableWhere(f))
    .orderBy(asc(listingTime), asc(mockExams.hubspotId))
    .limit(f.limit);
}

/** The rows (and their order) listBookableExams lists for `f`: one filter, so the digest cannot drift from it. */
function bookableWhere(f: BookableExamFilter) {
  return and(
    isBookableAt(f.now, f.cutoffMs),
    f.mockType ? eq(mockExams.mockType, f.mockType) : undefined,
    f.from ? gte(mockExams.examDate, f.from) : undefined,
    f.to ? lte(mockExams.examDate, f.to) : undefined,
    f.location ? sql`lower(${mockExams.location}) = lower(${f.location})` : undefined,
    f.includeFull ? undefined : lt(mockExams.totalBookings, mockExams.capacity),
    f.after ? sql`(${listingTime}, ${mockExams.hubspotId}) > (${f.after.startTime}, ${f.after.examId})` : undefined,
  );
}

const examDetailColumns = {
  ...examListingColumns,
  isActive: mockExams.isActive,
  scheduledActivationDatetime: mockExams.scheduledActivationDatetime,
  prerequisiteExamIds: mockExams.prerequisiteExamIds,
};
export async function findExam(db: Executor, examId: string) {
  const [row] = await db.select(examDetailColumns).from(mockExams).where(eq(mockExams.hubspotId, examId));
  return row;
}

/** Locks the session row: every booking and cancellation of one session runs one at a time. */
export async function lockExam(tx: Executor, examId: string) {
  const [row] = await tx.select(examDetailColumns).from(mockExams).where(eq(mockExams.hubspotId, examId)).for('update');
  return row;
}

/**
 * Seats taken, counted from the rows themselves (never from the stored counter): non-cancelled bookings
 * plus the seats held for waitlisted students (an `offered` entry holds one until it is claimed, left or
 * passed on; docs/DOMAIN.md "Waitlist"). This is what capacity is judged against and what total_bookings
 * holds.
 */
export async function countSeatsTaken(tx: Executor, examId: string): Promise<number> {
  const [row] = await tx
    .select({
      n: sql<number>`(count(*) + (select count(*) from ${waitlistEntries} w where w.associated_mock_exam = ${examId} and w.status = 'offered'))::int`,
    })
    .from(bookings)
    .where(and(eq(bookings.associatedMockExam, examId), ne(bookings.isActive, 'Cancelled')));
  return row?.n ?? 0;
}

/**
 * @deprecated The old name of countSeatsTaken, kept so callers not yet switched (server/admin) count
 * waitlist holds too: a held seat is a taken seat wherever capacity is judged.
 */
export const countActiveBookings = countSeatsTaken;

export async function setTotalBookings(
  tx: Executor,
  { examId, total }: { examId: string; total: number },
): Promise<void> {
  await tx.update(mockExams).set({ totalBookings: total }).where(eq(mockExams.hubspotId, examId));
}

/** Which of `examIds` the student attended or holds: an Active or Completed booking on it. */
export async function satisfiedPrerequisites(
  tx: Executor,
  { contactId, examIds }: { contactId: string; examIds: string[] },
): Promise<Set<string>> {
  if (examIds.length === 0) return new Set();
  const rows = await tx
    .selectDistinct({ examId: bookings.associatedMockExam })
    .from(bookings)
    .where(
      and(
        eq(bookings.associatedContactId, contactId),
        inArray(bookings.associatedMockExam, examIds),
        inArray(bookings.isActive, ['Active', 'Completed']),
      ),
    );
  return new Set(rows.map((r) => r.examId));
}

/**
 * A digest of exactly the rows listBookableExams would return for `f` (same filter, clock and page),
 * computed by Postgres: one short row instead of the page. Equal digests mean an identical listing,
 * so a listing built earlier can be served again (server/http/listingCache.ts).
 */
export async function bookableExamsDigest(db: Executor, f: BookableExamFilter): Promise<string> {
  // Each row of the page by its id and its row version (xmin: the transaction that wrote this version
  // of the row). Any committed change to a row gives it a new xmin, and a row entering or leaving the
  // page changes the ids, so equal digests still mean an identical listing. Hashing the versions
  // instead of the rows' text costs Postgres a third of the CPU (issue 13: the digest ran once per
  // burst of listing requests and had become the listing's bottleneck). A change to a column the
  // listing does not show also changes the digest: one needless rebuild, never a stale answer.
  const page = db
    .select({ id: mockExams.hubspotId, version: sql<string>`${mockExams}.xmin::text`.as('version') })
    .from(mockExams)
    .where(bookableWhere(f))
    .orderBy(asc(listingTime), asc(mockExams.hubspotId))
    .limit(f.limit)
    .as('page');
  const query = db
    .select({
      digest: sql<string>`md5(coalesce(string_agg(${page.id} || ':' || ${page.version}, ',' order by ${page.id}), ''))`,
    })
    .from(page);
  // Named, so each connection plans it once: planning was a fifth of its Postgres time (pgbench on
  // the query: 1,516 tps unprepared, 1,829 prepared), and it runs once per burst of listing requests.
  // The name comes from the SQL text (which varies with the filters present), so a new filter can
  // never reuse a statement prepared for another text.
  const name = `bookable_exams_digest_${createHash('sha1').update(query.toSQL().sql).digest('hex').slice(0, 16)}`;
  const [row] = await query.prepare(name).execute();
  return row?.digest ?? '';
}
