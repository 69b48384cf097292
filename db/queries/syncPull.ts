import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Executor } from '../client';
import {
  type BookingStatus,
  bookings,
  type CreditBalances,
  contactCredits,
  type ExamStatus,
  isLocalExamId,
  mockExams,
  syncCreditBase,
  syncOutbox,
} from '../schema';

/** A session as HubSpot authors it: every field this service does not own. */
export interface PulledExam {
  /** HubSpot's id of the session. */
  hubspotId: string;
  /** The unique property holding our local id (`mb-<uuid>`) when the session was created here. */
  localId?: string | null | undefined;
  /** Set by storePulledExams once `hubspotId` is renamed to the local id: HubSpot's id of it. */
  objectId?: string | undefined;
  mockType: string;
  mockSet: string | null;
  examDate: string;
  startTime: Date | null;
  endTime: Date | null;
  location: string | null;
  capacity: number | null;
  isActive: ExamStatus;
  scheduledActivationDatetime: Date | null;
  mockExamName: string | null;
  /** Undefined: not read this time (the session is not a Mock Discussion), left as it is. */
  prerequisiteExamIds?: string[] | undefined;
}

/**
 * Changes to a session made here and not yet delivered to HubSpot: an admin's edit, a scheduled
 * activation, prerequisites. A pull must not revert them (HubSpot's copy is older until they land).
 * The count (`total_bookings`) is this service's alone and never pulled, so it does not count here.
 */
const LOCAL_EXAM_EDITS = ['updated', 'activated', 'prerequisites'];

/**
 * Where each pulled session lives here: a session created here keeps its local `mb-` id, found by the
 * HubSpot id recorded when it was pushed or, if that write-back was lost, by the unique property that
 * holds our id (recorded now). Any other session is keyed by HubSpot's id. Prerequisites HubSpot names
 * by its ids are renamed the same way.
 */
async function resolveLocalIds(tx: Executor, rows: PulledExam[]): Promise<void> {
  const hubspotIds = [...new Set(rows.flatMap((r) => [r.hubspotId, ...(r.prerequisiteExamIds ?? [])]))];
  const recorded = await tx
    .select({ localId: mockExams.hubspotId, objectId: mockExams.hubspotObjectId })
    .from(mockExams)
    .where(inArray(mockExams.hubspotObjectId, hubspotIds));
  const localOf = new Map(recorded.map((r) => [r.objectId!, r.localId]));
  // Ours by the property, id not recorded: the write-back was lost (record it now), or the session was
  // deleted here (its tombstone is under the local id, so storePulledExams skips it).
  for (const r of rows) {
    if (!isLocalExamId(r.localId) || localOf.has(r.hubspotId)) continue;
    await tx
      .update(mockExams)
      .set({ hubspotObjectId: r.hubspotId })
      .where(and(eq(mockExams.hubspotId, r.localId), isNull(mockExams.hubspotObjectId)));
    localOf.set(r.hubspotId, r.localId);
  }
  for (const r of rows) {
    if (localOf.has(r.hubspotId)) r.objectId = r.hubspotId;
    r.hubspotId = localOf.get(r.hubspotId) ?? r.hubspotId;
    if (r.prerequisiteExamIds) r.prerequisiteExamIds = r.prerequisiteExamIds.map((id) => localOf.get(id) ?? id).sort();
  }
}

/**
 * Stores pulled sessions in one transaction: each existing row is locked first (the admin edit's
 * and booking's lock), then skipped if it has a local edit still waiting in the outbox, or if it was
 * deleted here and HubSpot has not archived it yet (without that, the pull would bring it back);
 * returns the ids stored and those kept as they are. Never writes total_bookings.
 */
export async function storePulledExams(tx: Executor, rows: PulledExam[]) {
  if (rows.length === 0) return { stored: [] as string[], kept: [] as string[] };
  await resolveLocalIds(tx, rows);
  const ids = rows.map((r) => r.hubspotId);
  await tx.select({ id: mockExams.id }).from(mockExams).where(inArray(mockExams.hubspotId, ids)).for('update');
  const pending = await tx
    .selectDistinct({ id: syncOutbox.objectId })
    .from(syncOutbox)
    .where(
      and(
        eq(syncOutbox.objectType, 'exam'),
        inArray(syncOutbox.objectId, ids),
        isNull(syncOutbox.deliveredAt),
        inArray(syncOutbox.change, [...LOCAL_EXAM_EDITS, 'deleted']),
      ),
    );
  const kept = new Set(pending.map((p) => p.id));
  const stored: string[] = [];
  const now = new Date();
  for (const r of rows) {
    if (kept.has(r.hubspotId)) continue;
    const authored = {
      mockType: r.mockType as typeof mockExams.$inferInsert.mockType,
      mockSet: r.mockSet,
      examDate: r.examDate,
      startTime: r.startTime,
      endTime: r.endTime,
      location: r.location,
      isActive: r.isActive,
      scheduledActivationDatetime: r.scheduledActivationDatetime,
      mockExamName: r.mockExamName,
      ...(r.capacity === null ? {} : { capacity: r.capacity }),
      ...(r.prerequisiteExamIds === undefined ? {} : { prerequisiteExamIds: r.prerequisiteExamIds }),
      syncedAt: now,
      hubspotLastSyncAt: now,
    };
    await tx
      .insert(mockExams)
      .values({ hubspotId: r.hubspotId, hubspotObjectId: r.objectId ?? null, ...authored })
      .onConflictDoUpdate({ target: mockExams.hubspotId, set: authored });
    stored.push(r.hubspotId);
  }
  return { stored, kept: [...kept] };
}

/** A student as HubSpot has them (identity and the five balances). */
export interface PulledContact {
  hubspotId: string;
  studentId: string | null;
  email: string | null;
  firstname: string | null;
  lastname: string | null;
  ndeccExamDate: string | null;
  credits: CreditBalances;
}

export async function knownContactIds(db: Executor, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .select({ id: contactCredits.hubspotId })
    .from(contactCredits)
    .where(inArray(contactCredits.hubspotId, ids));
  return new Set(rows.map((r) => r.id));
}

/**
 * Identity fields HubSpot owns, and the NDECC date unless the student's own change is still on its way
 * there; credits are merged separately (three-way), never overwritten.
 */
export async function updateContactIdentity(tx: Executor, c: PulledContact): Promise<void> {
  await tx
    .update(contactCredits)
    .set({
      studentId: c.studentId,
      email: c.email,
      firstname: c.firstname,
      lastname: c.lastname,
      // The student's own edit not yet delivered to HubSpot wins over HubSpot's older value.
      ndeccExamDate: sql`case when exists (select 1 from ${syncOutbox} o where o.object_type = 'contact'
        and o.object_id = ${contactCredits.hubspotId} and o.change = 'profile' and o.delivered_at is null)
        then ${contactCredits.ndeccExamDate} else ${c.ndeccExamDate}::text end`,
      syncedAt: new Date(),
      hubspotLastSyncAt: new Date(),
    })
    .where(eq(contactCredits.hubspotId, c.hubspotId));
}

/**
 * A student new to this service, with HubSpot's balances, which are also the merge's first agreed
 * values. False when the row appeared meanwhile (another pull, a login lookup): nothing is changed.
 */
export async function insertPulledContact(tx: Executor, c: PulledContact): Promise<boolean> {
  const now = new Date();
  const inserted = await tx
    .insert(contactCredits)
    .values({
      hubspotId: c.hubspotId,
      studentId: c.studentId,
      email: c.email,
      firstname: c.firstname,
      lastname: c.lastname,
      ndeccExamDate: c.ndeccExamDate,
      ...c.credits,
      syncedAt: now,
      hubspotLastSyncAt: now,
    })
    .onConflictDoNothing({ target: contactCredits.hubspotId })
    .returning({ id: contactCredits.id });
  if (inserted.length === 0) return false;
  await tx
    .insert(syncCreditBase)
    .values({ contactId: c.hubspotId, base: c.credits, pending: null, updatedAt: sql`clock_timestamp()` })
    .onConflictDoUpdate({
      target: syncCreditBase.contactId,
      set: { base: c.credits, pending: null, updatedAt: sql`clock_timestamp()` },
    });
  return true;
}

/**
 * Each merge state's version (its updated_at to the microsecond, as text): a pull reads it before it
 * reads HubSpot and applies HubSpot's values only if it is unchanged, so a push that ran in between
 * (and moved the base) is never undone by values read before it. Absent rows map to null.
 */
export async function creditBaseVersions(db: Executor, contactIds: string[]): Promise<Map<string, string | null>> {
  const versions = new Map<string, string | null>(contactIds.map((id) => [id, null]));
  if (contactIds.length === 0) return versions;
  const rows = await db
    .select({ id: syncCreditBase.contactId, version: sql<string>`${syncCreditBase.updatedAt}::text` })
    .from(syncCreditBase)
    .where(inArray(syncCreditBase.contactId, contactIds));
  for (const r of rows) versions.set(r.id, r.version);
  return versions;
}

/** The merge state locked for this transaction, with its version (see creditBaseVersions). */
export async function lockCreditBaseVersioned(tx: Executor, contactId: string) {
  const [row] = await tx
    .select({
      base: syncCreditBase.base,
      pending: syncCreditBase.pending,
      version: sql<string>`${syncCreditBase.updatedAt}::text`,
    })
    .from(syncCreditBase)
    .where(eq(syncCreditBase.contactId, contactId))
    .for('update');
  return row;
}

/** Whether credit changes of this student are still waiting for the push (which merges them itself). */
export async function hasUndeliveredCredits(tx: Executor, contactId: string): Promise<boolean> {
  const [row] = await tx
    .select({ id: syncOutbox.id })
    .from(syncOutbox)
    .where(
      and(eq(syncOutbox.objectType, 'contact'), eq(syncOutbox.objectId, contactId), isNull(syncOutbox.deliveredAt)),
    )
    .limit(1);
  return Boolean(row);
}

/** A booking HubSpot has, as this service would store it. */
export interface PulledBooking {
  hubspotId: string;
  /** Our UUID, when this service created it (the unique key property). */
  ours: string | null;
  bookingCode: string | null;
  contactId: string | null;
  examId: string | null;
  status: BookingStatus;
  attendance: '' | 'Yes' | 'No' | null;
  tokenUsed: string | null;
  studentId: string | null;
  name: string | null;
  email: string | null;
  dominantHand: string | null;
  attendingLocation: string | null;
}

/** Which of these HubSpot booking ids, and which of our UUIDs, this service already has. */
export async function knownBookings(db: Executor, hubspotIds: string[], ours: string[]) {
  const byHubspot = hubspotIds.length
    ? await db
        .select({ id: bookings.id, hubspotId: bookings.hubspotId })
        .from(bookings)
        .where(inArray(bookings.hubspotId, hubspotIds))
    : [];
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  const valid = ours.filter((id) => uuid.test(id));
  const byOurs = valid.length
    ? await db
        .select({ id: bookings.id, hubspotId: bookings.hubspotId })
        .from(bookings)
        .where(inArray(bookings.id, valid))
    : [];
  return {
    hubspotIds: new Set(byHubspot.map((r) => r.hubspotId!)),
    ours: new Map(byOurs.map((r) => [r.id, r.hubspotId])),
  };
}

/**
 * A booking staff made in HubSpot, stored under its session's row lock (the booking transaction's),
 * with the session's count rewritten from its bookings. Undefined when the session is unknown here,
 * or the student already holds a seat in it (the one-seat rule): nothing is stored.
 */
export async function importBooking(tx: Executor, b: PulledBooking & { contactId: string; examId: string }) {
  const [exam] = await tx
    .select({
      mockType: mockExams.mockType,
      examDate: mockExams.examDate,
      start: mockExams.startTime,
      end: mockExams.endTime,
      mockSet: mockExams.mockSet,
    })
    .from(mockExams)
    .where(eq(mockExams.hubspotId, b.examId))
    .for('update');
  if (!exam) return undefined;
  const [row] = await tx
    .insert(bookings)
    .values({
      hubspotId: b.hubspotId,
      bookingId: b.bookingCode,
      associatedContactId: b.contactId,
      associatedMockExam: b.examId,
      studentId: b.studentId,
      name: b.name,
      studentEmail: b.email,
      isActive: b.status,
      examDate: exam.examDate,
      startTime: exam.start,
      endTime: exam.end,
      mockType: exam.mockType,
      mockSet: exam.mockSet,
      tokenUsed: b.tokenUsed as typeof bookings.$inferInsert.tokenUsed,
      dominantHand: b.dominantHand,
      attendingLocation: b.attendingLocation,
      attendance: b.attendance,
      syncedAt: new Date(),
      hubspotLastSyncAt: new Date(),
    })
    .onConflictDoNothing()
    .returning({ id: bookings.id });
  return row?.id;
}
