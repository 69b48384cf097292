import { and, asc, desc, eq, gte, inArray, lte, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../client';
import { bookings, type ExamStatus, type MockType, mockExams, waitlistEntries } from '../schema';
import { examListingColumns } from './exams';

/** What an admin sees of a session: everything but the internal uuid. */
export const adminExamColumns = {
  ...examListingColumns,
  isActive: mockExams.isActive,
  scheduledActivationDatetime: mockExams.scheduledActivationDatetime,
  prerequisiteExamIds: mockExams.prerequisiteExamIds,
  createdAt: mockExams.createdAt,
  updatedAt: mockExams.updatedAt,
};

export interface AdminExamFilter {
  mockTypes?: MockType[] | undefined;
  location?: string | undefined;
  status?: ExamStatus | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

const SORT_COLUMNS = {
  date: mockExams.examDate,
  start: mockExams.startTime,
  capacity: mockExams.capacity,
  bookings: mockExams.totalBookings,
  location: mockExams.location,
  type: mockExams.mockType,
  status: mockExams.isActive,
  created: mockExams.createdAt,
  updated: mockExams.updatedAt,
} as const;
export type AdminExamSort = keyof typeof SORT_COLUMNS;

function whereOf(f: AdminExamFilter): SQL | undefined {
  return and(
    f.mockTypes ? inArray(mockExams.mockType, f.mockTypes) : undefined,
    f.location ? sql`lower(${mockExams.location}) = lower(${f.location})` : undefined,
    f.status ? eq(mockExams.isActive, f.status) : undefined,
    f.from ? gte(mockExams.examDate, f.from) : undefined,
    f.to ? lte(mockExams.examDate, f.to) : undefined,
  );
}

/** One page of sessions, sorted in the database (never all rows loaded and sorted in memory). */
export function listAdminExams(
  db: Executor,
  p: AdminExamFilter & { sort: AdminExamSort; order: 'asc' | 'desc'; offset: number; limit: number },
) {
  const by = p.order === 'asc' ? asc : desc;
  return db
    .select(adminExamColumns)
    .from(mockExams)
    .where(whereOf(p))
    .orderBy(by(SORT_COLUMNS[p.sort]), by(mockExams.startTime), asc(mockExams.hubspotId))
    .limit(p.limit)
    .offset(p.offset);
}

export async function countAdminExams(db: Executor, f: AdminExamFilter): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(mockExams).where(whereOf(f));
  return row?.n ?? 0;
}

export async function findAdminExam(db: Executor, examId: string) {
  const [row] = await db.select(adminExamColumns).from(mockExams).where(eq(mockExams.hubspotId, examId));
  return row;
}

export function findAdminExams(db: Executor, examIds: string[]) {
  if (examIds.length === 0) return Promise.resolve([]);
  return db.select(adminExamColumns).from(mockExams).where(inArray(mockExams.hubspotId, examIds));
}

/** A session's bookings by status, counted from the bookings themselves. */
export async function bookingCountsByStatus(db: Executor, examId: string) {
  const rows = await db
    .select({ status: bookings.isActive, n: sql<number>`count(*)::int` })
    .from(bookings)
    .where(eq(bookings.associatedMockExam, examId))
    .groupBy(bookings.isActive);
  const counts = { Active: 0, Completed: 0, Cancelled: 0 };
  for (const r of rows) counts[r.status] = r.n;
  return counts;
}

/** Locks the session row (the same row lock bookings take) and returns what an admin edit needs. */
export async function lockAdminExam(tx: Executor, examId: string) {
  const [row] = await tx.select(adminExamColumns).from(mockExams).where(eq(mockExams.hubspotId, examId)).for('update');
  return row;
}

export type NewExamRow = typeof mockExams.$inferInsert;
export type ExamChanges = Partial<
  Pick<
    NewExamRow,
    | 'mockType'
    | 'mockSet'
    | 'examDate'
    | 'startTime'
    | 'endTime'
    | 'location'
    | 'capacity'
    | 'isActive'
    | 'scheduledActivationDatetime'
    | 'prerequisiteExamIds'
    | 'mockExamName'
  >
>;

export async function insertAdminExam(tx: Executor, values: NewExamRow) {
  const [row] = await tx.insert(mockExams).values(values).returning(adminExamColumns);
  return row!;
}

export async function updateAdminExam(tx: Executor, examId: string, changes: ExamChanges) {
  const [row] = await tx
    .update(mockExams)
    .set({ ...changes, updatedAt: new Date() })
    .where(eq(mockExams.hubspotId, examId))
    .returning(adminExamColumns);
  return row!;
}

/**
 * Carries a session's date, times, type and set over to its bookings' copies (in the caller's
 * transaction, under the session's row lock); returns the ids of the bookings changed.
 */
export async function copyExamOntoBookings(
  tx: Executor,
  exam: Pick<NewExamRow, 'hubspotId' | 'examDate' | 'startTime' | 'endTime' | 'mockType' | 'mockSet'>,
): Promise<string[]> {
  const rows = await tx
    .update(bookings)
    .set({
      examDate: exam.examDate,
      startTime: exam.startTime,
      endTime: exam.endTime,
      mockType: exam.mockType,
      mockSet: exam.mockSet,
    })
    .where(eq(bookings.associatedMockExam, exam.hubspotId))
    .returning({ bookingId: bookings.id });
  return rows.map((r) => r.bookingId);
}

/** Active and Completed bookings of a session: what forbids deleting it. */
export async function countHeldBookings(tx: Executor, examId: string): Promise<number> {
  const [row] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(bookings)
    .where(and(eq(bookings.associatedMockExam, examId), inArray(bookings.isActive, ['Active', 'Completed'])));
  return row?.n ?? 0;
}

/** Deletes the session; returns HubSpot's id of it when it was created here and pushed (else null). */
export async function deleteAdminExam(tx: Executor, examId: string): Promise<{ hubspotObjectId: string | null }> {
  const [row] = await tx
    .delete(mockExams)
    .where(eq(mockExams.hubspotId, examId))
    .returning({ hubspotObjectId: mockExams.hubspotObjectId });
  return { hubspotObjectId: row?.hubspotObjectId ?? null };
}

/**
 * The dashboard's figures over sessions dated in [from, to]: how many, how many still to come and
 * open (active or scheduled, not started), how many full, seats taken and offered; and attendance of
 * the non-cancelled bookings on those dates.
 */
export async function dashboardFigures(
  db: Executor,
  f: { from?: string | undefined; to?: string | undefined; now: Date },
) {
  const inRange = (column: typeof mockExams.examDate | typeof bookings.examDate) =>
    and(f.from ? gte(column, f.from) : undefined, f.to ? lte(column, f.to) : undefined);
  const [sessions] = await db
    .select({
      total: sql<number>`count(*)::int`,
      upcoming: sql<number>`(count(*) filter (where ${mockExams.isActive} in ('true', 'scheduled') and ${mockExams.startTime} > ${f.now}))::int`,
      fullyBooked: sql<number>`(count(*) filter (where ${mockExams.totalBookings} >= ${mockExams.capacity}))::int`,
      seatsTaken: sql<number>`coalesce(sum(${mockExams.totalBookings}), 0)::int`,
      seatsOffered: sql<number>`coalesce(sum(${mockExams.capacity}), 0)::int`,
    })
    .from(mockExams)
    .where(inRange(mockExams.examDate));
  const [attendance] = await db
    .select({
      attended: sql<number>`(count(*) filter (where ${bookings.attendance} = 'Yes'))::int`,
      noShow: sql<number>`(count(*) filter (where ${bookings.attendance} = 'No'))::int`,
    })
    .from(bookings)
    .where(and(inRange(bookings.examDate), sql`${bookings.isActive} <> 'Cancelled'`));
  return {
    ...(sessions ?? { total: 0, upcoming: 0, fullyBooked: 0, seatsTaken: 0, seatsOffered: 0 }),
    ...(attendance ?? { attended: 0, noShow: 0 }),
  };
}

/**
 * Ends a deleted session's waitlist: its waiting and offered entries become `left`, so no student is
 * left in line (or holding a seat) for a session that no longer exists. Returns who was in line.
 */
export async function closeWaitlist(tx: Executor, examId: string) {
  const rows = await tx
    .update(waitlistEntries)
    .set({ status: 'left' })
    .where(and(eq(waitlistEntries.associatedMockExam, examId), inArray(waitlistEntries.status, ['waiting', 'offered'])))
    .returning({ contactId: waitlistEntries.associatedContactId });
  return rows.map((r) => r.contactId);
}
