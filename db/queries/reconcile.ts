import { and, eq, gte, isNotNull, isNull, ne, sql } from 'drizzle-orm';
import type { Executor } from '../client';
import { bookings, contactCredits, mockExams, syncCreditBase, syncOutbox, waitlistEntries } from '../schema';
import { countSeatsTaken } from './exams';
import { examHubspotObjectId } from './syncPush';

/** Seats taken as countSeatsTaken counts them: non-cancelled bookings plus seats held for the waitlist. */
const heldCount = sql<number>`((select count(*) from ${bookings} b where b.associated_mock_exam = ${mockExams.hubspotId} and b.is_active <> 'Cancelled')
  + (select count(*) from ${waitlistEntries} w where w.associated_mock_exam = ${mockExams.hubspotId} and w.status = 'offered'))::int`;

/** Sessions whose stored count differs from their seats taken (bookings not Cancelled, waitlist holds). */
export async function sessionsWithCountDrift(db: Executor): Promise<string[]> {
  const rows = await db
    .select({ examId: mockExams.hubspotId })
    .from(mockExams)
    .where(ne(mockExams.totalBookings, heldCount));
  return rows.map((r) => r.examId);
}

/** Rewrites one session's count from its bookings under its row lock; the count, or undefined if unchanged. */
export async function repairSessionCount(tx: Executor, examId: string): Promise<number | undefined> {
  const [row] = await tx
    .select({ total: mockExams.totalBookings })
    .from(mockExams)
    .where(eq(mockExams.hubspotId, examId))
    .for('update');
  if (!row) return undefined;
  const n = await countSeatsTaken(tx, examId);
  if (n === row.total) return undefined;
  await tx.update(mockExams).set({ totalBookings: n }).where(eq(mockExams.hubspotId, examId));
  return n;
}

/**
 * Sessions to compare with HubSpot: known there (a session created here once its creation was pushed),
 * named by their HubSpot id, dated from `since`, with no change of theirs waiting in the outbox (a
 * waiting change explains a difference: it is not drift).
 */
export async function sessionsToCompare(db: Executor, since: string) {
  return db
    .select({ examId: mockExams.hubspotId, objectId: examHubspotObjectId, totalBookings: mockExams.totalBookings })
    .from(mockExams)
    .where(
      and(
        gte(mockExams.examDate, since),
        isNotNull(examHubspotObjectId),
        sql`not exists (select 1 from ${syncOutbox} o where o.object_type = 'exam' and o.object_id = ${mockExams.hubspotId} and o.delivered_at is null)`,
      ),
    );
}

/** Students to compare with HubSpot: with no credit change waiting and no push mid-write. */
export async function contactsToCompare(db: Executor, afterId: string, limit: number) {
  return db
    .select({
      contactId: contactCredits.hubspotId,
      sjCredits: contactCredits.sjCredits,
      csCredits: contactCredits.csCredits,
      sjminiCredits: contactCredits.sjminiCredits,
      mockDiscussionToken: contactCredits.mockDiscussionToken,
      sharedMockCredits: contactCredits.sharedMockCredits,
      base: syncCreditBase.base,
    })
    .from(contactCredits)
    .leftJoin(syncCreditBase, eq(syncCreditBase.contactId, contactCredits.hubspotId))
    .where(
      and(
        sql`${contactCredits.hubspotId} > ${afterId}`,
        isNull(syncCreditBase.pending),
        sql`not exists (select 1 from ${syncOutbox} o where o.object_type = 'contact' and o.object_id = ${contactCredits.hubspotId} and o.delivered_at is null)`,
      ),
    )
    .orderBy(contactCredits.hubspotId)
    .limit(limit);
}
