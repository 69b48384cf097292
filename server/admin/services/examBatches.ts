import { parse } from 'csv-parse/sync';
import { findAdminExam } from '../../../db/queries/adminExams';
import {
  type AdminExamBulkCreateInput,
  type AdminExamCloneInput,
  type AdminExamCreateInput,
  type AdminExamImportInput,
  adminExamCreateInput,
} from '../../contracts/adminExams';
import { errors } from '../../errors';
import { schoolClock } from '../../lib/schoolTime';
import type { AdminContext } from '../context';
import { insertNewExam } from './examChanges';
import { eachItem } from './perItem';

/**
 * admin.exams.bulkCreate: one session per time slot, all in one transaction (all or none), each with
 * its audit row and outbox change. Overlapping slots were refused by the input's schema.
 */
export function bulkCreateExams(ctx: AdminContext, input: AdminExamBulkCreateInput) {
  const { timeSlots, capacity, ...common } = input;
  return ctx.db.transaction(async (tx) => {
    const created = [];
    for (const slot of timeSlots)
      created.push(
        await insertNewExam(tx, ctx, { ...common, ...slot, capacity: slot.capacity ?? capacity! }, 'exams.bulkCreate'),
      );
    return { created };
  });
}

/**
 * admin.exams.clone: each session read from the database (never from the browser) and copied to the
 * new date at the same time of day on the school's clock, with the overrides; prerequisites and
 * bookings are not copied. Each clone its own transaction; a source already on that date is refused.
 */
export function cloneExams(ctx: AdminContext, input: AdminExamCloneInput) {
  return eachItem(input.examIds, async (examId) => {
    const source = await findAdminExam(ctx.db, examId);
    if (!source) throw errors.examNotFound();
    if (!source.startTime || !source.endTime)
      throw errors.invalidField('examIds', 'This session has no times to keep.');
    if (source.examDate === input.examDate)
      throw errors.invalidField('examDate', 'The new date must differ from the session’s own.');
    const { overrides } = input;
    const status = overrides.status ?? 'inactive';
    const copy: AdminExamCreateInput = {
      mockType: source.mockType,
      mockSet: overrides.mockSet !== undefined ? overrides.mockSet : source.mockSet,
      examDate: input.examDate,
      startTime: schoolClock(source.startTime).time,
      endTime: schoolClock(source.endTime).time,
      location: overrides.location ?? source.location ?? '',
      capacity: overrides.capacity ?? source.capacity,
      status,
      activateAt: overrides.activateAt ?? undefined,
    };
    if (status === 'scheduled' && !copy.activateAt)
      throw errors.invalidField('overrides', 'A scheduled session needs activateAt.');
    return ctx.db.transaction((tx) => insertNewExam(tx, ctx, copy, 'exams.clone'));
  });
}

/** CSV columns → create fields: the old system's names, and ours. */
const COLUMN_FIELDS: Record<string, keyof AdminExamCreateInput> = {
  mock_type: 'mockType',
  mocktype: 'mockType',
  exam_date: 'examDate',
  examdate: 'examDate',
  start_time: 'startTime',
  starttime: 'startTime',
  end_time: 'endTime',
  endtime: 'endTime',
  location: 'location',
  capacity: 'capacity',
  mock_set: 'mockSet',
  mockset: 'mockSet',
  status: 'status',
  is_active: 'status',
  activate_at: 'activateAt',
  activateat: 'activateAt',
  scheduled_activation_datetime: 'activateAt',
};
const STATUS_WORDS: Record<string, string> = { true: 'active', false: 'inactive' };
const MAX_ROWS = 200;

/** One CSV record as create's input: blank cells absent, numbers and legacy status words converted. */
function fieldsOf(record: Record<string, string>) {
  const fields: Record<string, unknown> = {};
  for (const [column, raw] of Object.entries(record)) {
    const field = COLUMN_FIELDS[column.trim().toLowerCase()];
    const value = raw.trim();
    if (!field || value === '') continue;
    if (field === 'capacity') fields[field] = /^\d+$/.test(value) ? Number(value) : value;
    else if (field === 'status') fields[field] = STATUS_WORDS[value.toLowerCase()] ?? value.toLowerCase();
    else fields[field] = value;
  }
  return fields;
}

/**
 * admin.exams.import: sessions from CSV. Each row is checked as exams.create checks its input and
 * reported with its problems; a dry run stops there. Otherwise every row is created in one
 * transaction, and only if no row has a problem (never half an import).
 */
export async function importExams(ctx: AdminContext, input: AdminExamImportInput) {
  let records: Record<string, string>[];
  try {
    records = parse(input.csv, { columns: true, bom: true, skip_empty_lines: true, trim: true });
  } catch (err) {
    throw errors.invalidField('csv', `This is not CSV with a header row: ${(err as Error).message}`);
  }
  if (records.length === 0) throw errors.invalidField('csv', 'No rows under the header.');
  if (records.length > MAX_ROWS) throw errors.invalidField('csv', `At most ${MAX_ROWS} rows at once.`);
  const rows = records.map((record, i) => {
    const parsed = adminExamCreateInput.safeParse(fieldsOf(record));
    return parsed.success
      ? { row: i + 2, ok: true as const, session: parsed.data }
      : {
          row: i + 2,
          ok: false as const,
          problems: parsed.error.issues.map((issue) => ({
            field: issue.path.join('.') || 'row',
            message: issue.message,
          })),
        };
  });
  const invalid = rows.filter((r) => !r.ok).length;
  const report = rows.map((r) => (r.ok ? { row: r.row, ok: true as const } : r));
  if (input.dryRun) return { dryRun: true, valid: rows.length - invalid, invalid, rows: report, created: [] };
  if (invalid > 0)
    throw errors.invalidField('csv', `${invalid} row(s) have problems; nothing was imported (preview with dryRun).`);
  const created = await ctx.db.transaction(async (tx) => {
    const made = [];
    for (const r of rows) if (r.ok) made.push(await insertNewExam(tx, ctx, r.session, 'exams.import'));
    return made;
  });
  return { dryRun: false, valid: rows.length, invalid: 0, rows: report, created };
}
