import {
  bookingCountsByStatus,
  countAdminExams,
  findAdminExam,
  findAdminExams,
  listAdminExams,
} from '../../../db/queries/adminExams';
import type { ExamStatus } from '../../../db/schema';
import type { AdminExamListInput } from '../../contracts/adminExams';
import { errors } from '../../errors';
import type { AdminContext } from '../context';
import { adminExamView } from './examViews';

const STATUS_FILTER: Record<NonNullable<AdminExamListInput['status']>, ExamStatus> = {
  active: 'true',
  inactive: 'false',
  scheduled: 'scheduled',
};

/** admin.exams.list: one page of sessions under the filters, and how many match in all. */
export async function listExams(ctx: AdminContext, input: AdminExamListInput) {
  const filter = { ...input, status: input.status ? STATUS_FILTER[input.status] : undefined };
  const [rows, total] = await Promise.all([
    listAdminExams(ctx.db, {
      ...filter,
      offset: (input.page - 1) * input.pageSize,
      limit: input.pageSize,
    }),
    countAdminExams(ctx.db, filter),
  ]);
  const now = ctx.now();
  return {
    items: rows.map((row) => adminExamView(row, now)),
    page: input.page,
    pageSize: input.pageSize,
    total,
    totalPages: Math.ceil(total / input.pageSize),
  };
}

/** admin.exams.get: one session, its bookings by status, and its prerequisites (for a Mock Discussion). */
export async function getExam(ctx: AdminContext, examId: string) {
  const exam = await findAdminExam(ctx.db, examId);
  if (!exam) throw errors.examNotFound();
  const [bookings, prerequisites] = await Promise.all([
    bookingCountsByStatus(ctx.db, examId),
    findAdminExams(ctx.db, exam.prerequisiteExamIds ?? []),
  ]);
  const now = ctx.now();
  return {
    ...adminExamView(exam, now),
    bookings,
    prerequisites: prerequisites.map((p) => ({
      examId: p.examId,
      mockType: p.mockType,
      examDate: p.examDate,
      startTime: p.startTime,
      location: p.location,
    })),
  };
}
