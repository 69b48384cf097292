import { and, asc, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { Executor } from '../client';
import {
  bookings,
  type CreditBalances,
  type CreditColumn,
  contactCredits,
  mockExams,
  syncCreditBase,
  syncOutbox,
} from '../schema';

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

/** The fields this service owns on a session: its booking count and its activation. */
export async function examsForPush(db: Executor, ids: string[]) {
  if (ids.length === 0) return [];
  return db
    .select({
      examId: mockExams.hubspotId,
      totalBookings: mockExams.totalBookings,
      isActive: mockExams.isActive,
    })
    .from(mockExams)
    .where(inArray(mockExams.hubspotId, ids));
}

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
