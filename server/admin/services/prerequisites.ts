import { findAdminExams, lockAdminExam, updateAdminExam } from '../../../db/queries/adminExams';
import type { AdminExamSetPrerequisitesInput } from '../../contracts/adminExams';
import { errors } from '../../errors';
import { inSessionTransaction } from '../../services/sessionTransaction';
import { recordChanges } from '../../sync/outbox';
import type { AdminContext } from '../context';
import { audit } from './audit';
import { adminExamView } from './examViews';

/** What a Mock Discussion may require: attendance at one of these, dated before it (docs/DOMAIN.md). */
const PREREQUISITE_TYPES: ReadonlySet<string> = new Set(['Clinical Skills', 'Situational Judgment']);

/**
 * admin.exams.setPrerequisites: replaces a Mock Discussion's prerequisites, or adds and removes some,
 * under the discussion's session lock and row lock (the ones its bookings take while they check
 * prerequisites), so no booking is judged against a half-changed list. Each must be a Clinical Skills
 * or Situational Judgment session dated before the discussion.
 */
export function setPrerequisites(ctx: AdminContext, input: AdminExamSetPrerequisitesInput) {
  return inSessionTransaction(ctx, input.examId, async (tx) => {
    const exam = await lockAdminExam(tx, input.examId);
    if (!exam) throw errors.examNotFound();
    if (exam.mockType !== 'Mock Discussion')
      throw errors.invalidField('examId', 'Only a Mock Discussion session has prerequisites.');
    const current = exam.prerequisiteExamIds ?? [];
    const removed = new Set(input.remove ?? []);
    const wanted = [
      ...new Set(input.prerequisiteExamIds ?? [...current, ...(input.add ?? [])].filter((id) => !removed.has(id))),
    ];
    const found = new Map((await findAdminExams(tx, wanted)).map((e) => [e.examId, e]));
    for (const id of wanted) {
      const prerequisite = found.get(id);
      if (!prerequisite) throw errors.invalidField('prerequisiteExamIds', `There is no session ${id}.`);
      if (!PREREQUISITE_TYPES.has(prerequisite.mockType))
        throw errors.invalidField(
          'prerequisiteExamIds',
          `Session ${id} is not Clinical Skills or Situational Judgment.`,
        );
      if (prerequisite.examDate >= exam.examDate)
        throw errors.invalidField('prerequisiteExamIds', `Session ${id} is not dated before the discussion.`);
    }
    const updated = await updateAdminExam(tx, input.examId, { prerequisiteExamIds: wanted });
    await audit(tx, ctx, {
      action: 'exams.setPrerequisites',
      targetType: 'exam',
      targetIds: [input.examId, ...wanted],
      before: { prerequisiteExamIds: current },
      after: { prerequisiteExamIds: wanted },
    });
    await recordChanges(tx, [{ object: 'exam', id: input.examId, change: 'prerequisites' }]);
    return { result: adminExamView(updated, ctx.now()) };
  });
}
