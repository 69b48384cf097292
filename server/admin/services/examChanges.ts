import { randomUUID } from 'node:crypto';
import type { Transaction } from '../../../db/client';
import {
  closeWaitlist,
  copyExamOntoBookings,
  countHeldBookings,
  deleteAdminExam,
  type ExamChanges,
  insertAdminExam,
  lockAdminExam,
  updateAdminExam,
} from '../../../db/queries/adminExams';
import { countActiveBookings, lockExam, setTotalBookings } from '../../../db/queries/exams';
import { insertOutboxRows } from '../../../db/queries/outbox';
import { type ExamStatus, LOCAL_EXAM_ID_PREFIX } from '../../../db/schema';
import type {
  AdminExamBulkUpdateInput,
  AdminExamCreateInput,
  AdminExamSetStatusInput,
  AdminExamUpdateInput,
} from '../../contracts/adminExams';
import { errors } from '../../errors';
import { schoolClock, schoolInstant } from '../../lib/schoolTime';
import { inSessionTransaction } from '../../services/sessionTransaction';
import { promoteWaitlist, waitlistSettings } from '../../services/waitlistPromotion';
import { recordChanges } from '../../sync/outbox';
import type { AdminContext } from '../context';
import { audit } from './audit';
import { adminExamView } from './examViews';
import { eachItem } from './perItem';

const STORED_STATUS = { active: 'true', inactive: 'false', scheduled: 'scheduled' } as const satisfies Record<
  string,
  ExamStatus
>;

/** The old system's display name, which HubSpot still shows: `${type}-${location}-${date}`. */
const examName = (e: { mockType: string; location: string | null; examDate: string }) =>
  `${e.mockType}-${e.location ?? ''}-${e.examDate}`;

/**
 * Inserts one new session in the caller's transaction, with its audit row and outbox change. It gets
 * a local id (`mb-<uuid>`) as its HubSpot id until the sync creates it there.
 */
export async function insertNewExam(tx: Transaction, ctx: AdminContext, input: AdminExamCreateInput, action: string) {
  const created = await insertAdminExam(tx, {
    hubspotId: `${LOCAL_EXAM_ID_PREFIX}${randomUUID()}`,
    mockType: input.mockType,
    mockSet: input.mockSet ?? null,
    examDate: input.examDate,
    startTime: schoolInstant(input.examDate, input.startTime),
    endTime: schoolInstant(input.examDate, input.endTime),
    location: input.location,
    capacity: input.capacity,
    isActive: STORED_STATUS[input.status],
    scheduledActivationDatetime: input.status === 'scheduled' ? input.activateAt : null,
    mockExamName: examName(input),
  });
  await audit(tx, ctx, { action, targetType: 'exam', targetIds: [created.examId], after: created });
  await recordChanges(tx, [{ object: 'exam', id: created.examId, change: 'updated' }]);
  return adminExamView(created, ctx.now());
}

/** admin.exams.create: one session; the outbox tells the sync in the same transaction. */
export function createExam(ctx: AdminContext, input: AdminExamCreateInput) {
  return ctx.db.transaction((tx) => insertNewExam(tx, ctx, input, 'exams.create'));
}

type LockedExam = NonNullable<Awaited<ReturnType<typeof lockAdminExam>>>;

/** The row changes an update asks for, times recomputed on the school's clock when date or times move. */
function changesFor(exam: LockedExam, input: Omit<AdminExamUpdateInput, 'examId'>): ExamChanges {
  const changes: ExamChanges = {};
  if (input.mockType !== undefined) changes.mockType = input.mockType;
  if (input.mockSet !== undefined) changes.mockSet = input.mockSet;
  if (input.location !== undefined) changes.location = input.location;
  if (input.capacity !== undefined) changes.capacity = input.capacity;
  if (input.examDate !== undefined || input.startTime !== undefined || input.endTime !== undefined) {
    const date = input.examDate ?? exam.examDate;
    const start = input.startTime ?? (exam.startTime && schoolClock(exam.startTime).time);
    const end = input.endTime ?? (exam.endTime && schoolClock(exam.endTime).time);
    if (!start || !end)
      throw errors.invalidField('startTime', 'This session has no times yet: give startTime and endTime.');
    if (end <= start) throw errors.invalidField('endTime', 'endTime must be after startTime.');
    changes.examDate = date;
    changes.startTime = schoolInstant(date, start);
    changes.endTime = schoolInstant(date, end);
  }
  if (input.status !== undefined) {
    changes.isActive = STORED_STATUS[input.status];
    // Leaving 'scheduled' clears the activation time; entering it needs one.
    if (input.status !== 'scheduled') changes.scheduledActivationDatetime = null;
    else if (!input.activateAt && !exam.scheduledActivationDatetime)
      throw errors.invalidField('activateAt', 'A scheduled session needs activateAt.');
  }
  if (input.activateAt !== undefined && (changes.isActive ?? exam.isActive) === 'scheduled')
    changes.scheduledActivationDatetime = input.activateAt;
  if (changes.mockType !== undefined || changes.location !== undefined || changes.examDate !== undefined)
    changes.mockExamName = examName({
      mockType: changes.mockType ?? exam.mockType,
      location: changes.location ?? exam.location,
      examDate: changes.examDate ?? exam.examDate,
    });
  return changes;
}

const CARRIED_TO_BOOKINGS = ['examDate', 'startTime', 'endTime', 'mockType', 'mockSet'] as const;

/**
 * One session edit, under the session's lock and row lock, the very ones bookings take: capacity is
 * checked against the seats counted right there, so no booking can slip in between the check and
 * the write. Date, times, type and set are carried over to the bookings in the same transaction.
 */
async function updateOne(
  ctx: AdminContext,
  examId: string,
  input: Omit<AdminExamUpdateInput, 'examId'>,
  action: string,
) {
  return inSessionTransaction(ctx, examId, async (tx) => {
    const exam = await lockAdminExam(tx, examId);
    if (!exam) throw errors.examNotFound();
    const changes = changesFor(exam, input);
    const taken = await countActiveBookings(tx, examId);
    if (changes.capacity !== undefined && changes.capacity < taken) throw errors.capacityBelowBookings(taken);
    const updated = await updateAdminExam(tx, examId, { ...changes });
    const moved = CARRIED_TO_BOOKINGS.some((k) => changes[k] !== undefined)
      ? await copyExamOntoBookings(tx, { hubspotId: examId, ...updated })
      : [];
    await setTotalBookings(tx, { examId, total: taken });
    const promoted = updated.capacity > exam.capacity ? await passSeatsOn(tx, ctx, examId) : undefined;
    const totalBookings = promoted?.seats.totalBookings ?? taken;
    await audit(tx, ctx, {
      action,
      targetType: 'exam',
      targetIds: [examId],
      before: exam,
      after: promoted ? { ...updated, totalBookings, waitlistPromoted: promoted.promoted } : updated,
    });
    await recordChanges(tx, [
      { object: 'exam', id: examId, change: changes.isActive === 'true' ? 'activated' : 'updated' },
      ...moved.map((id) => ({ object: 'booking' as const, id, change: 'updated' as const })),
    ]);
    return {
      result: {
        ...adminExamView({ ...updated, totalBookings }, ctx.now()),
        bookingsUpdated: moved.length,
        waitlistPromoted: promoted?.promoted ?? [],
      },
      seats: { examId, capacity: updated.capacity, totalBookings },
    };
  });
}

/**
 * A capacity increase frees seats: the session's waitlist fills them in this same transaction, under
 * the session row lock already held (re-read here with the booking path's columns, new capacity included).
 */
async function passSeatsOn(tx: Transaction, ctx: AdminContext, examId: string) {
  const exam = await lockExam(tx, examId);
  if (!exam) throw errors.examNotFound();
  return promoteWaitlist(tx, exam, waitlistSettings(ctx));
}

/** admin.exams.update */
export function updateExam(ctx: AdminContext, { examId, ...fields }: AdminExamUpdateInput) {
  return updateOne(ctx, examId, fields, 'exams.update');
}

/** admin.exams.bulkUpdate: the same changes to up to 100 sessions, each its own transaction under its lock. */
export function bulkUpdateExams(ctx: AdminContext, input: AdminExamBulkUpdateInput) {
  return eachItem(input.examIds, (examId) => updateOne(ctx, examId, input.updates, 'exams.bulkUpdate'));
}

/** admin.exams.setStatus: activate, deactivate or schedule up to 100 sessions, each its own transaction. */
export function setExamStatus(ctx: AdminContext, input: AdminExamSetStatusInput) {
  const fields = { status: input.status, activateAt: input.status === 'scheduled' ? input.activateAt : undefined };
  return eachItem(input.examIds, async (examId) => {
    const { isActive, scheduledActivationDatetime } = await updateOne(ctx, examId, fields, 'exams.setStatus');
    return { isActive, scheduledActivationDatetime };
  });
}

/**
 * Tells HubSpot a session is gone, in the deleting transaction: without it the session would live on
 * there and the next pull would bring it back. The outbox's typed changes (server/sync/outbox.ts) have
 * no deletion yet, so the row is written with the change `deleted` directly; the payload says what was
 * deleted, since the row it names no longer exists when the pusher reads it.
 */
function recordExamDeleted(tx: Transaction, exam: LockedExam, hubspotObjectId: string | null) {
  return insertOutboxRows(tx, [
    {
      objectType: 'exam',
      objectId: exam.examId,
      change: 'deleted',
      // HubSpot's id of a session created here: the row that held it is gone when the pusher reads this.
      payload: { mockType: exam.mockType, examDate: exam.examDate, location: exam.location, hubspotObjectId },
    },
  ]);
}

/**
 * admin.exams.delete: up to 100 sessions, each its own transaction under the session's lock; refused
 * (EXAM_HAS_BOOKINGS) while a session holds an Active or Completed booking. Cancelled bookings stay,
 * as history.
 */
export function deleteExams(ctx: AdminContext, examIds: string[]) {
  return eachItem(examIds, (examId) =>
    inSessionTransaction(ctx, examId, async (tx) => {
      const exam = await lockAdminExam(tx, examId);
      if (!exam) throw errors.examNotFound();
      const held = await countHeldBookings(tx, examId);
      if (held > 0) throw errors.examHasBookings(held);
      const { hubspotObjectId } = await deleteAdminExam(tx, examId);
      const leftLine = await closeWaitlist(tx, examId);
      await audit(tx, ctx, {
        action: 'exams.delete',
        targetType: 'exam',
        targetIds: [examId],
        before: leftLine.length > 0 ? { ...exam, waitlist: leftLine } : exam,
      });
      await recordExamDeleted(tx, exam, hubspotObjectId);
      return { result: { deleted: true as const } };
    }),
  );
}
