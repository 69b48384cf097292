import { and, asc, eq, gte, inArray, lt, lte, ne, or, sql } from 'drizzle-orm';
import type { Executor } from '../client';
import { bookings, type MockType, mockExams, waitlistEntries } from '../schema';
import { preparedOnce } from './prepared';

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
 * started (BOOKING_CUTOFF_HOURS counted: `bookableAfter` is now + cutoff). A session with no start time
 * is never bookable.
 */
const isBookable = () =>
  and(
    or(
      eq(mockExams.isActive, 'true'),
      and(eq(mockExams.isActive, 'scheduled'), lte(mockExams.scheduledActivationDatetime, sql.placeholder('now'))),
    ),
    sql`${mockExams.startTime} > ${sql.placeholder('bookableAfter')}`,
  );

/**
 * The listing's order and its cursor at the precision a cursor carries (a JavaScript Date: ms), so
 * the session a page ends on compares equal to its cursor and is not listed again.
 */
const listingTime = sql`date_trunc('milliseconds', ${mockExams.startTime})`;

/** The fields of a filter that are only values in every listing's SQL; any other field shapes the text. */
const VALUE_ONLY: ReadonlySet<string> = new Set(['now', 'cutoffMs', 'limit'] satisfies (keyof BookableExamFilter)[]);

/**
 * Which optional filters a listing has (those bookableWhere adds a condition for): each combination
 * is one SQL text, prepared once. Derived from the filter's own fields, so a filter added later
 * shapes the text and its key alike, and can never run another shape's prepared query.
 */
const shapeOf = (f: BookableExamFilter) =>
  Object.keys(f)
    .filter((k) => !VALUE_ONLY.has(k) && Boolean(f[k as keyof BookableExamFilter]))
    .sort()
    .join('_');

/**
 * The rows (and their order) a listing of this filter's shape lists: one filter for the listing and
 * its digest, so the two cannot drift apart. Values are placeholders (listingValues).
 */
function bookableWhere(f: BookableExamFilter) {
  const p = sql.placeholder;
  return and(
    isBookable(),
    f.mockType ? eq(mockExams.mockType, p('mockType')) : undefined,
    f.from ? gte(mockExams.examDate, p('from')) : undefined,
    f.to ? lte(mockExams.examDate, p('to')) : undefined,
    f.location ? sql`lower(${mockExams.location}) = lower(${p('location')})` : undefined,
    f.includeFull ? undefined : lt(mockExams.totalBookings, mockExams.capacity),
    f.after ? sql`(${listingTime}, ${mockExams.hubspotId}) > (${p('afterTime')}, ${p('afterId')})` : undefined,
  );
}

/** The placeholders' values of a listing (and its digest) for `f`. */
const listingValues = (f: BookableExamFilter) => ({
  now: f.now,
  bookableAfter: new Date(f.now.getTime() + (f.cutoffMs ?? 0)),
  mockType: f.mockType,
  from: f.from,
  to: f.to,
  location: f.location,
  afterTime: f.after?.startTime,
  afterId: f.after?.examId,
  limit: f.limit,
});

export function listBookableExams(db: Executor, f: BookableExamFilter) {
  const query = preparedOnce(db, `bookable_exams_${shapeOf(f)}`, () =>
    db
      .select(examListingColumns)
      .from(mockExams)
      .where(bookableWhere(f))
      .orderBy(asc(listingTime), asc(mockExams.hubspotId))
      .limit(sql.placeholder('limit')),
  );
  return query.execute(listingValues(f));
}

const examDetailColumns = {
  ...examListingColumns,
  isActive: mockExams.isActive,
  scheduledActivationDatetime: mockExams.scheduledActivationDatetime,
  prerequisiteExamIds: mockExams.prerequisiteExamIds,
};
export async function findExam(db: Executor, examId: string) {
  // Prepared once (preparedOnce): a release's refusals each confirm "full" against this row, and
  // building the query was most of the CPU a refusal spent in drizzle.
  const query = preparedOnce(db, 'find_exam', () =>
    db
      .select(examDetailColumns)
      .from(mockExams)
      .where(eq(mockExams.hubspotId, sql.placeholder('examId'))),
  );
  const [row] = await query.execute({ examId });
  return row;
}

/**
 * Capacity and the stored seat count of these sessions, in one query: what a refusal confirms "full"
 * against (server/services/bookings.ts). Sessions that do not exist are left out.
 */
export async function findSeatCounts(db: Executor, examIds: string[]) {
  const query = preparedOnce(db, 'find_seat_counts', () =>
    db
      .select({ examId: mockExams.hubspotId, capacity: mockExams.capacity, totalBookings: mockExams.totalBookings })
      .from(mockExams)
      .where(sql`${mockExams.hubspotId} = any(${sql.placeholder('examIds')}::text[])`),
  );
  return query.execute({ examIds });
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
  // Prepared once per filter shape (preparedOnce): planning was a fifth of its Postgres time (pgbench
  // on the query: 1,516 tps unprepared, 1,829 prepared), and building it a share of the Node side's.
  const query = preparedOnce(db, `bookable_digest_${shapeOf(f)}`, () => {
    const page = db
      .select({ id: mockExams.hubspotId, version: sql<string>`${mockExams}.xmin::text`.as('version') })
      .from(mockExams)
      .where(bookableWhere(f))
      .orderBy(asc(listingTime), asc(mockExams.hubspotId))
      .limit(sql.placeholder('limit'))
      .as('page');
    return db
      .select({
        digest: sql<string>`md5(coalesce(string_agg(${page.id} || ':' || ${page.version}, ',' order by ${page.id}), ''))`,
      })
      .from(page);
  });
  const [row] = await query.execute(listingValues(f));
  return row?.digest ?? '';
}
