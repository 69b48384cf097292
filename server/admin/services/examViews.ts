import type { findAdminExam } from '../../../db/queries/adminExams';

type AdminExamRow = NonNullable<Awaited<ReturnType<typeof findAdminExam>>>;

/** One word for where a session stands, as the admin list shows it. */
export type AdminExamState = 'inactive' | 'scheduled' | 'past' | 'full' | 'upcoming';

function stateOf(exam: AdminExamRow, now: Date): AdminExamState {
  if (exam.isActive === 'false') return 'inactive';
  if (exam.startTime && exam.startTime <= now) return 'past';
  if (exam.isActive === 'scheduled' && (!exam.scheduledActivationDatetime || exam.scheduledActivationDatetime > now))
    return 'scheduled';
  return exam.totalBookings >= exam.capacity ? 'full' : 'upcoming';
}

export function adminExamView(exam: AdminExamRow, now: Date) {
  return {
    ...exam,
    prerequisiteExamIds: exam.prerequisiteExamIds ?? [],
    availableSlots: Math.max(0, exam.capacity - exam.totalBookings),
    utilization: exam.capacity > 0 ? Math.round((exam.totalBookings / exam.capacity) * 1000) / 10 : 0,
    state: stateOf(exam, now),
  };
}
export type AdminExamView = ReturnType<typeof adminExamView>;
