import { and, asc, eq, gte, lte, or, sql, lt } from 'drizzle-orm';
import type { Executor } from '../client';
import { mockExams } from '../schema';

export interface BookableExamFilter {
  now: Date;
  mockType?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  location?: string | undefined;
  includeFull?: boolean | undefined;
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
 * The guide's bookable rule: active, or scheduled with its activation time passed, and not yet
 * started. A session with no start time is never bookable.
 */
export const isBookableAt = (now: Date) =>
  and(
    or(
      eq(mockExams.isActive, 'true'),
      and(eq(mockExams.isActive, 'scheduled'), lte(mockExams.scheduledActivationDatetime, now)),
    ),
    sql`${mockExams.startTime} > ${now}`,
  );

export function listBookableExams(db: Executor, f: BookableExamFilter) {
  return db
    .select(examListingColumns)
    .from(mockExams)
    .where(
      and(
        isBookableAt(f.now),
        f.mockType ? eq(mockExams.mockType, f.mockType) : undefined,
        f.from ? gte(mockExams.examDate, f.from) : undefined,
        f.to ? lte(mockExams.examDate, f.to) : undefined,
        f.location ? sql`lower(${mockExams.location}) = lower(${f.location})` : undefined,
        f.includeFull ? undefined : lt(mockExams.totalBookings, mockExams.capacity),
      ),
    )
    .orderBy(asc(mockExams.startTime), asc(mockExams.hubspotId));
}
