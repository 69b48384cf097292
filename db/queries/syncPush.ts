import { and, asc, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { Executor } from '../client';
import {
  bookings,
  type CreditBalances,
  type CreditColumn,
  contactCredits,
  LOCAL_EXAM_ID_PREFIX,
  mockExams,
  syncCreditBase,
  syncOutbox,
} from '../schema';
import { examListingColumns } from './exams';

/** The oldest undelivered outbox rows that have not used up their attempts, in id order. */
export async function pendingOutbox(db: Executor, { maxAttempts, limit }: { maxAttempts: number; limit: number }) {
  return db
    .select({
      id: syncOutbox.id,
      objectType: syncOutbox.objectType,
      objectId: syncOutbox.objectId,
      change: syncOutbox.change,
      payload: syncOutbox.payload,
      createdAt: syncOutbox.createdAt,
    })
    .from(syncOutbox)
    .where(and(isNull(syncOutbox.deliveredAt), lt(syncOutbox.attempts, maxAttempts)))
    .orderBy(asc(syncOutbox.id))
    .limit(limit);
}
export type PendingChange = Awaited<ReturnType<typeof pendingOutbox>>[number];

export async function markDelivered(db: Executor, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await db.update(syncOutbox).set({ deliveredAt: new Date() }).where(inArray(syncOutbox.id, ids));
}

/** One more failed attempt; a row that reaches the limit is a dead letter until requeued. */
export async function markAttemptFailed(db: Executor, ids: number[], error: string): Promise<void> {
  if (ids.length === 0) return;
  await db
    .update(syncOutbox)
    .set({ attempts: sql`${syncOutbox.attempts} + 1`, lastError: error.slice(0, 1000) })
    .where(inArray(syncOutbox.id, ids));
}

/**
 * A session's id in HubSpot: its hubspot_id when it came from there, the recorded object id when it was
 * created here (its hubspot_id is then the local `mb-` id), null while HubSpot does not have it yet.
 */
export const examHubspotObjectId = sql<string | null>`coalesce(${mockExams.hubspotObjectId},
  case when ${mockExams.hubspotId} like ${`${LOCAL_EXAM_ID_PREFIX}%`} then null else ${mockExams.hubspotId} end)`;

/** Local session id → its id in HubSpot (null while HubSpot does not have it yet). */
export async function examHubspotObjectIds(db: Executor, examIds: string[]): Promise<Map<string, string | null>> {
  if (examIds.length === 0) return new Map();
  const rows = await db
    .select({ examId: mockExams.hubspotId, objectId: examHubspotObjectId })
    .from(mockExams)
    .where(inArray(mockExams.hubspotId, examIds));
  return new Map(rows.map((r) => [r.examId, r.objectId]));
}

/** Records HubSpot's id of a session created here (never overwrites one). */
export async function setExamHubspotObjectId(db: Executor, { examId, objectId }: { examId: string; objectId: string }) {
  await db
    .update(mockExams)
    .set({ hubspotObjectId: objectId, syncedAt: new Date() })
    .where(and(eq(mockExams.hubspotId, examId), isNull(mockExams.hubspotObjectId)));
}

/** What HubSpot is told of a booking: its current state, whatever changes led there. */
export async function bookingsForPush(db: Executor, ids: string[]) {
  if (ids.length === 0) return [];
  return db
    .select({
      id: bookings.id,
      hubspotId: bookings.hubspotId,
      bookingCode: bookings.bookingId,
      contactId: bookings.associatedContactId,
      examId: bookings.associatedMockExam,
      /** The session's id in HubSpot, null while it is not there yet (a session created here, unpushed). */
      examObjectId: examHubspotObjectId,
      /** False when the session was deleted here (the booking is history; no session to associate). */
      examExists: sql<boolean>`${mockExams.id} is not null`,
      status: bookings.isActive,
      attendance: bookings.attendance,
      tokenUsed: bookings.tokenUsed,
      tokenRefunded: bookings.tokenRefunded,
      mockType: sql<string | null>`coalesce(${mockExams.mockType}, ${bookings.mockType})`,
      examDate: sql<string | null>`coalesce(${mockExams.examDate}, ${bookings.examDate})::text`,
      studentId: bookings.studentId,
      name: bookings.name,
      email: bookings.studentEmail,
      dominantHand: bookings.dominantHand,
      attendingLocation: bookings.attendingLocation,
    })
    .from(bookings)
    .leftJoin(mockExams, eq(mockExams.hubspotId, bookings.associatedMockExam))
    .where(inArray(bookings.id, ids));
}
export type BookingForPush = Awaited<ReturnType<typeof bookingsForPush>>[number];

/** Back-fills HubSpot's id on bookings created there by this service (never overwrites one). */
export async function setBookingHubspotId(db: Executor, { id, hubspotId }: { id: string; hubspotId: string }) {
  await db
    .update(bookings)
    .set({ hubspotId, syncedAt: new Date() })
    .where(and(eq(bookings.id, id), isNull(bookings.hubspotId)));
}

export async function markBookingsSynced(db: Executor, ids: string[]) {
  if (ids.length === 0) return;
  await db.update(bookings).set({ syncedAt: new Date() }).where(inArray(bookings.id, ids));
}

/**
 * A session as the push may tell it: the fields this service owns (its booking count, its activation)
 * and the ones an admin authors here (sent only after an edit made here, server/sync/push/exams.ts).
 */
export async function examsForPush(db: Executor, ids: string[]) {
  if (ids.length === 0) return [];
  return db
    .select({
      ...examListingColumns,
      objectId: examHubspotObjectId,
      isActive: mockExams.isActive,
      scheduledActivationDatetime: mockExams.scheduledActivationDatetime,
      mockExamName: mockExams.mockExamName,
      prerequisiteExamIds: mockExams.prerequisiteExamIds,
    })
    .from(mockExams)
    .where(inArray(mockExams.hubspotId, ids));
}

export type ExamForPush = Awaited<ReturnType<typeof examsForPush>>[number];

export async function lockCreditBase(tx: Executor, contactId: string) {
  const [row] = await tx.select().from(syncCreditBase).where(eq(syncCreditBase.contactId, contactId)).for('update');
  return row;
}

export async function saveCreditBase(
  tx: Executor,
  row: { contactId: string; base: CreditBalances; pending: typeof syncCreditBase.$inferInsert.pending },
) {
  // Every save moves the version a concurrent credit pull compares (db/queries/syncPull.ts creditBaseVersions).
  const updatedAt = sql`clock_timestamp()`;
  await tx
    .insert(syncCreditBase)
    .values({ ...row, updatedAt })
    .onConflictDoUpdate({
      target: syncCreditBase.contactId,
      set: { base: row.base, pending: row.pending ?? null, updatedAt },
    });
}

/** Adds HubSpot-side changes to the local balances, never below zero; returns the new balances. */
export async function addToBalances(tx: Executor, contactId: string, deltas: Partial<Record<CreditColumn, number>>) {
  const set: Record<string, unknown> = {};
  for (const [column, delta] of Object.entries(deltas) as Array<[CreditColumn, number]>) {
    if (delta !== 0) set[column] = sql`greatest(0, ${contactCredits[column]} + ${delta})`;
  }
  if (Object.keys(set).length === 0) return;
  await tx.update(contactCredits).set(set).where(eq(contactCredits.hubspotId, contactId));
}

/** Seconds since the oldest change still waiting for HubSpot was recorded (0 when none waits). */
export async function outboxLagSeconds(db: Executor, maxAttempts: number): Promise<number> {
  const [row] = await db
    .select({ oldest: sql<Date | null>`min(${syncOutbox.createdAt})` })
    .from(syncOutbox)
    .where(and(isNull(syncOutbox.deliveredAt), lt(syncOutbox.attempts, maxAttempts)));
  const oldest = row?.oldest ? new Date(row.oldest) : undefined;
  return oldest ? Math.max(0, (Date.now() - oldest.getTime()) / 1000) : 0;
}

/** The profile fields HubSpot keeps for each contact (the NDECC exam date), as stored here. */
export async function contactProfiles(db: Executor, contactIds: string[]) {
  if (contactIds.length === 0) return [];
  return db
    .select({ contactId: contactCredits.hubspotId, ndeccExamDate: contactCredits.ndeccExamDate })
    .from(contactCredits)
    .where(inArray(contactCredits.hubspotId, contactIds));
}
