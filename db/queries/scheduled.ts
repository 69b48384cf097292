import { and, eq, inArray, isNotNull, lte, sql } from 'drizzle-orm';
import type { Executor } from '../client';
import { bookings, mockExams } from '../schema';

/** Scheduled sessions whose activation time has come become active; returns their HubSpot ids. */
export async function activateDueSessions(tx: Executor, now: Date): Promise<string[]> {
  const rows = await tx
    .update(mockExams)
    .set({ isActive: 'true' })
    .where(
      and(
        eq(mockExams.isActive, 'scheduled'),
        isNotNull(mockExams.scheduledActivationDatetime),
        lte(mockExams.scheduledActivationDatetime, now),
      ),
    )
    .returning({ examId: mockExams.hubspotId });
  return rows.map((r) => r.examId);
}

/**
 * Active bookings of sessions that have ended (by the session's own times, docs/DOMAIN.md) become
 * Completed, in chunks so one run never holds many row locks; returns the booking ids changed.
 */
export async function completeEndedBookings(tx: Executor, now: Date, limit: number): Promise<string[]> {
  const ended = tx
    .select({ id: bookings.id })
    .from(bookings)
    .innerJoin(mockExams, eq(mockExams.hubspotId, bookings.associatedMockExam))
    .where(and(eq(bookings.isActive, 'Active'), lte(sql`coalesce(${mockExams.endTime}, ${mockExams.startTime})`, now)))
    .limit(limit)
    .for('update', { of: bookings, skipLocked: true });
  const rows = await tx
    .update(bookings)
    .set({ isActive: 'Completed' })
    .where(inArray(bookings.id, ended))
    .returning({ id: bookings.id });
  return rows.map((r) => r.id);
}
