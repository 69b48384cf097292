import { and, asc, desc, eq, inArray, lte, sql } from 'drizzle-orm';
import type { Executor } from '../client';
import { mockExams, waitlistEntries } from '../schema';

/** The queue's states: an entry in one of these is in line (and, if offered, holds a seat). */
const QUEUED = ['waiting', 'offered'] as const;

const entryColumns = {
  entryId: waitlistEntries.id,
  examId: waitlistEntries.associatedMockExam,
  contactId: waitlistEntries.associatedContactId,
  queueOrder: waitlistEntries.queueOrder,
  status: waitlistEntries.status,
  autoBook: waitlistEntries.autoBook,
  dominantHand: waitlistEntries.dominantHand,
  attendingLocation: waitlistEntries.attendingLocation,
  offeredAt: waitlistEntries.offeredAt,
  offerExpiresAt: waitlistEntries.offerExpiresAt,
  bookingId: waitlistEntries.bookingId,
  createdAt: waitlistEntries.createdAt,
};
export type WaitlistEntry = Awaited<ReturnType<typeof insertWaitlistEntry>>;

export async function insertWaitlistEntry(
  tx: Executor,
  p: {
    examId: string;
    contactId: string;
    autoBook: boolean;
    dominantHand: string | null;
    attendingLocation: string | null;
    now: Date;
  },
) {
  const [row] = await tx
    .insert(waitlistEntries)
    .values({
      associatedMockExam: p.examId,
      associatedContactId: p.contactId,
      autoBook: p.autoBook,
      dominantHand: p.dominantHand,
      attendingLocation: p.attendingLocation,
      createdAt: p.now,
    })
    .returning(entryColumns);
  return row!;
}

/** The student's place in this session's line (waiting or offered), locked; undefined when not queued. */
export async function lockQueuedEntry(tx: Executor, { contactId, examId }: { contactId: string; examId: string }) {
  const [row] = await tx
    .select(entryColumns)
    .from(waitlistEntries)
    .where(
      and(
        eq(waitlistEntries.associatedContactId, contactId),
        eq(waitlistEntries.associatedMockExam, examId),
        inArray(waitlistEntries.status, [...QUEUED]),
      ),
    )
    .for('update');
  return row;
}

/** The student's most recent entry for a session, whatever its state (what a late claim is told). */
export async function findLatestEntry(tx: Executor, { contactId, examId }: { contactId: string; examId: string }) {
  const [row] = await tx
    .select(entryColumns)
    .from(waitlistEntries)
    .where(and(eq(waitlistEntries.associatedContactId, contactId), eq(waitlistEntries.associatedMockExam, examId)))
    .orderBy(desc(waitlistEntries.queueOrder))
    .limit(1);
  return row;
}

/** How many of the session's entries are in line ahead of `queueOrder` (its position is this + 1). */
export async function countAhead(tx: Executor, { examId, queueOrder }: { examId: string; queueOrder: number }) {
  const [row] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(waitlistEntries)
    .where(
      and(
        eq(waitlistEntries.associatedMockExam, examId),
        eq(waitlistEntries.status, 'waiting'),
        sql`${waitlistEntries.queueOrder} < ${queueOrder}`,
      ),
    );
  return row?.n ?? 0;
}

/**
 * Whether the session's line needs attention before a seat is judged: someone waiting, or a hold whose
 * time is up. One indexed look at the queue, so a session without a waitlist pays almost nothing.
 */
export async function queueNeedsSettling(tx: Executor, { examId, now }: { examId: string; now: Date }) {
  const [row] = await tx
    .select({ id: waitlistEntries.id })
    .from(waitlistEntries)
    .where(
      and(
        eq(waitlistEntries.associatedMockExam, examId),
        sql`(${waitlistEntries.status} = 'waiting' or (${waitlistEntries.status} = 'offered' and ${waitlistEntries.offerExpiresAt} <= ${now}))`,
      ),
    )
    .limit(1);
  return Boolean(row);
}

/** Holds on this session whose time is up become `expired`: their seats are free again. */
export async function expireOffers(tx: Executor, { examId, now }: { examId: string; now: Date }) {
  return tx
    .update(waitlistEntries)
    .set({ status: 'expired' })
    .where(
      and(
        eq(waitlistEntries.associatedMockExam, examId),
        eq(waitlistEntries.status, 'offered'),
        lte(waitlistEntries.offerExpiresAt, now),
      ),
    )
    .returning({ entryId: waitlistEntries.id, contactId: waitlistEntries.associatedContactId });
}

/** The session's waiting entries in line order (holders excluded: they already have their seat). */
export function listWaiting(tx: Executor, examId: string) {
  return tx
    .select(entryColumns)
    .from(waitlistEntries)
    .where(and(eq(waitlistEntries.associatedMockExam, examId), eq(waitlistEntries.status, 'waiting')))
    .orderBy(asc(waitlistEntries.queueOrder));
}

export async function markOffered(tx: Executor, p: { entryId: string; now: Date; expiresAt: Date }) {
  await tx
    .update(waitlistEntries)
    .set({ status: 'offered', offeredAt: p.now, offerExpiresAt: p.expiresAt })
    .where(and(eq(waitlistEntries.id, p.entryId), eq(waitlistEntries.status, 'waiting')));
}

export async function markBooked(tx: Executor, p: { entryId: string; bookingId: string }) {
  await tx
    .update(waitlistEntries)
    .set({ status: 'booked', bookingId: p.bookingId })
    .where(and(eq(waitlistEntries.id, p.entryId), inArray(waitlistEntries.status, [...QUEUED])));
}

export async function markLeft(tx: Executor, entryId: string) {
  await tx
    .update(waitlistEntries)
    .set({ status: 'left' })
    .where(and(eq(waitlistEntries.id, entryId), inArray(waitlistEntries.status, [...QUEUED])));
}

/**
 * The student's entries still in line, with their sessions and positions (1 = next; a holder's is 0:
 * the seat is theirs to claim), soonest session first.
 */
export function listOwnQueued(db: Executor, contactId: string) {
  const ahead = sql<number>`(select count(*)::int from ${waitlistEntries} w2
    where w2.associated_mock_exam = ${waitlistEntries.associatedMockExam} and w2.status = 'waiting'
      and w2.queue_order < ${waitlistEntries.queueOrder})`;
  return db
    .select({
      ...entryColumns,
      position: sql<number>`case when ${waitlistEntries.status} = 'offered' then 0 else ${ahead} + 1 end`,
      mockType: mockExams.mockType,
      examDate: mockExams.examDate,
      startTime: mockExams.startTime,
      endTime: mockExams.endTime,
      location: mockExams.location,
    })
    .from(waitlistEntries)
    .innerJoin(mockExams, eq(mockExams.hubspotId, waitlistEntries.associatedMockExam))
    .where(and(eq(waitlistEntries.associatedContactId, contactId), inArray(waitlistEntries.status, [...QUEUED])))
    .orderBy(asc(mockExams.startTime), asc(waitlistEntries.queueOrder));
}

/**
 * Sessions whose line needs settling without anyone's request: a hold whose time is up, or students
 * waiting while total_bookings (bookings plus holds) shows a free seat (one left by a rolled-back
 * settlement, or by students a rule skipped who have since become eligible). The sweep settles each.
 */
export async function examsNeedingSettlement(db: Executor, { now, limit }: { now: Date; limit: number }) {
  const rows = await db
    .selectDistinct({ examId: waitlistEntries.associatedMockExam })
    .from(waitlistEntries)
    .innerJoin(mockExams, eq(mockExams.hubspotId, waitlistEntries.associatedMockExam))
    .where(
      sql`(${waitlistEntries.status} = 'offered' and ${waitlistEntries.offerExpiresAt} <= ${now})
        or (${waitlistEntries.status} = 'waiting' and ${mockExams.totalBookings} < ${mockExams.capacity} and ${mockExams.startTime} > ${now})`,
    )
    .limit(limit);
  return rows.map((r) => r.examId);
}
