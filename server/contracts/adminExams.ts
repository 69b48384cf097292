// Admin session procedures' inputs (admin.exams.*): validated by the admin routers, typed for the services.
import { z } from 'zod';
import { MOCK_TYPES } from '../../db/schema/statuses';
import { examIdField } from './exams';

const isoDate = z.iso.date();
/**
 * An instant as ISO 8601 with its offset (`2031-05-01T08:00:05-04:00`): the wire carries no Date
 * objects (superjson meta is refused on input), so instants travel as text.
 */
export const instantField = z.iso.datetime({ offset: true }).transform((v) => new Date(v));

export const ADMIN_EXAM_SORTS = [
  'date',
  'start',
  'capacity',
  'bookings',
  'location',
  'type',
  'status',
  'created',
  'updated',
] as const;
export const ADMIN_EXAM_STATUS_FILTERS = ['active', 'inactive', 'scheduled'] as const;

export const adminExamListInput = z
  .object({
    mockTypes: z.array(z.enum(MOCK_TYPES)).min(1).max(MOCK_TYPES.length).optional(),
    location: z.string().trim().min(1).max(200).optional(),
    status: z.enum(ADMIN_EXAM_STATUS_FILTERS).optional(),
    from: isoDate.optional(),
    to: isoDate.optional(),
    sort: z.enum(ADMIN_EXAM_SORTS).default('date'),
    order: z.enum(['asc', 'desc']).default('asc'),
    page: z.number().int().min(1).max(100_000).default(1),
    pageSize: z.number().int().min(1).max(500).default(50),
  })
  .strict()
  .refine((v) => !v.from || !v.to || v.from <= v.to, { message: '`from` must not be after `to`', path: ['to'] });
export type AdminExamListInput = z.infer<typeof adminExamListInput>;

export const adminExamIdInput = z.object({ examId: examIdField }).strict();

/** A wall-clock time on the school's clock (America/Toronto), 24 h. */
const schoolTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (24 h, America/Toronto)');
export const ADMIN_EXAM_STATUSES = ['active', 'inactive', 'scheduled'] as const;

const examFields = {
  mockType: z.enum(MOCK_TYPES),
  mockSet: z
    .string()
    .regex(/^[A-H]$/, 'a set is one letter A–H')
    .nullable(),
  examDate: isoDate,
  startTime: schoolTime,
  endTime: schoolTime,
  location: z.string().trim().min(1).max(200),
  capacity: z.number().int().min(1).max(100),
  status: z.enum(ADMIN_EXAM_STATUSES),
  /** When a `scheduled` session opens, to the second. */
  activateAt: instantField.nullable(),
};

type ExamFieldValues = Partial<{ [K in keyof typeof examFields]: z.infer<(typeof examFields)[K]> }>;

/** Cross-field rules shared by create and update (on the fields given). */
function checkExamFields(v: ExamFieldValues, issue: (path: string, message: string) => void) {
  if (v.startTime && v.endTime && v.endTime <= v.startTime) issue('endTime', 'must be after startTime');
  if (v.status === 'scheduled' && v.activateAt === null) issue('activateAt', 'a scheduled session needs activateAt');
  if (v.mockType === 'Mini-mock' && v.mockSet) issue('mockSet', 'Mini-mock sessions have no set');
}

const refineWith = (v: ExamFieldValues, ctx: z.RefinementCtx) =>
  checkExamFields(v, (path, message) => ctx.addIssue({ code: 'custom', path: [path], message }));

export const adminExamCreateInput = z
  .object({
    ...examFields,
    mockSet: examFields.mockSet.optional(),
    status: examFields.status.default('active'),
    activateAt: examFields.activateAt.optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    refineWith(v, ctx);
    if (v.status === 'scheduled' && !v.activateAt)
      ctx.addIssue({ code: 'custom', path: ['activateAt'], message: 'a scheduled session needs activateAt' });
  });
export type AdminExamCreateInput = z.infer<typeof adminExamCreateInput>;

/** What an edit may change: any of the create fields. */
const updateFields = {
  mockType: examFields.mockType.optional(),
  mockSet: examFields.mockSet.optional(),
  examDate: examFields.examDate.optional(),
  startTime: examFields.startTime.optional(),
  endTime: examFields.endTime.optional(),
  location: examFields.location.optional(),
  capacity: examFields.capacity.optional(),
  status: examFields.status.optional(),
  activateAt: examFields.activateAt.optional(),
};

export const adminExamUpdateInput = z
  .object({ examId: examIdField, ...updateFields })
  .strict()
  .superRefine((v, ctx) => {
    refineWith(v, ctx);
    if (Object.keys(v).length === 1) ctx.addIssue({ code: 'custom', path: ['examId'], message: 'nothing to change' });
  });
export type AdminExamUpdateInput = z.infer<typeof adminExamUpdateInput>;

/** Bulk forms name up to 100 sessions and report per session. */
const examIds = z.array(examIdField).min(1).max(100);

export const adminExamSetStatusInput = z
  .object({ examIds, status: examFields.status, activateAt: instantField.optional() })
  .strict()
  .refine((v) => v.status !== 'scheduled' || v.activateAt, {
    message: 'a scheduled session needs activateAt',
    path: ['activateAt'],
  });
export type AdminExamSetStatusInput = z.infer<typeof adminExamSetStatusInput>;

export const adminExamDeleteInput = z.object({ examIds }).strict();

/** admin.exams.bulkUpdate: the same fields as update (capacity included) applied to each session. */
export const adminExamBulkUpdateInput = z
  .object({ examIds, updates: z.object(updateFields).strict() })
  .strict()
  .superRefine((v, ctx) => {
    checkExamFields(v.updates, (path, message) => ctx.addIssue({ code: 'custom', path: ['updates', path], message }));
    if (Object.keys(v.updates).length === 0)
      ctx.addIssue({ code: 'custom', path: ['updates'], message: 'nothing to change' });
  });
export type AdminExamBulkUpdateInput = z.infer<typeof adminExamBulkUpdateInput>;

/** admin.exams.dashboard: figures over sessions dated in the range (all sessions when none is given). */
export const adminExamDashboardInput = z
  .object({ from: isoDate.optional(), to: isoDate.optional() })
  .strict()
  .refine((v) => !v.from || !v.to || v.from <= v.to, { message: '`from` must not be after `to`', path: ['to'] });
export type AdminExamDashboardInput = z.infer<typeof adminExamDashboardInput>;

/**
 * admin.exams.setPrerequisites: a Mock Discussion's prerequisite sessions, either the whole set
 * (`prerequisiteExamIds`) or changes to it (`add`, `remove`).
 */
const prerequisiteIds = z.array(examIdField).max(50);
export const adminExamSetPrerequisitesInput = z
  .object({
    examId: examIdField,
    prerequisiteExamIds: prerequisiteIds.optional(),
    add: prerequisiteIds.optional(),
    remove: prerequisiteIds.optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    const delta = v.add !== undefined || v.remove !== undefined;
    if (v.prerequisiteExamIds !== undefined && delta)
      ctx.addIssue({ code: 'custom', path: ['prerequisiteExamIds'], message: 'give the whole set, or add/remove' });
    if (v.prerequisiteExamIds === undefined && !delta)
      ctx.addIssue({ code: 'custom', path: ['prerequisiteExamIds'], message: 'give the set, or add/remove' });
  });
export type AdminExamSetPrerequisitesInput = z.infer<typeof adminExamSetPrerequisitesInput>;

/** admin.exams.bulkCreate: up to 50 time slots sharing type, date, location and set; one capacity or one per slot. */
export const adminExamBulkCreateInput = z
  .object({
    mockType: examFields.mockType,
    mockSet: examFields.mockSet.optional(),
    examDate: examFields.examDate,
    location: examFields.location,
    capacity: examFields.capacity.optional(),
    status: examFields.status.default('active'),
    activateAt: examFields.activateAt.optional(),
    timeSlots: z
      .array(
        z
          .object({
            startTime: examFields.startTime,
            endTime: examFields.endTime,
            capacity: examFields.capacity.optional(),
          })
          .strict(),
      )
      .min(1)
      .max(50),
  })
  .strict()
  .superRefine((v, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    checkExamFields(v, (path, message) => issue([path], message));
    if (v.status === 'scheduled' && !v.activateAt) issue(['activateAt'], 'a scheduled session needs activateAt');
    const slots = [...v.timeSlots.entries()].sort(([, a], [, b]) => a.startTime.localeCompare(b.startTime));
    for (const [i, slot] of v.timeSlots.entries()) {
      if (slot.endTime <= slot.startTime) issue(['timeSlots', i, 'endTime'], 'must be after startTime');
      if (slot.capacity === undefined && v.capacity === undefined)
        issue(['timeSlots', i, 'capacity'], 'give a capacity here or one for all slots');
    }
    for (let k = 1; k < slots.length; k++) {
      const [i, slot] = slots[k]!;
      if (slot.startTime < slots[k - 1]![1].endTime) issue(['timeSlots', i, 'startTime'], 'overlaps another slot');
    }
  });
export type AdminExamBulkCreateInput = z.infer<typeof adminExamBulkCreateInput>;

/** admin.exams.clone: sessions copied (from the database) to a new date, same time of day in Toronto. */
export const adminExamCloneInput = z
  .object({
    examIds,
    examDate: examFields.examDate,
    overrides: z
      .object({
        location: examFields.location.optional(),
        capacity: examFields.capacity.optional(),
        mockSet: examFields.mockSet.optional(),
        status: examFields.status.optional(),
        activateAt: examFields.activateAt.optional(),
      })
      .strict()
      .default({}),
  })
  .strict();
export type AdminExamCloneInput = z.infer<typeof adminExamCloneInput>;

/** admin.exams.import: sessions from CSV text (header row first), previewed with dryRun. */
export const adminExamImportInput = z
  .object({ csv: z.string().min(1).max(200_000), dryRun: z.boolean().default(true) })
  .strict();
export type AdminExamImportInput = z.infer<typeof adminExamImportInput>;
