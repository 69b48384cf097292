import {
  adminExamCreateInput,
  adminExamDeleteInput,
  adminExamIdInput,
  adminExamListInput,
  adminExamSetStatusInput,
  adminExamUpdateInput,
} from '../../contracts/adminExams';
import { router } from '../../trpc';
import { adminProcedure } from '../procedure';
import { createExam, deleteExams, setExamStatus, updateExam } from '../services/examChanges';
import { getExam, listExams } from '../services/examQueries';

export const adminExamsRouter = router({
  list: adminProcedure('exams.view')
    .input(adminExamListInput)
    .query(({ ctx, input }) => listExams(ctx, input)),
  get: adminProcedure('exams.view')
    .input(adminExamIdInput)
    .query(({ ctx, input }) => getExam(ctx, input.examId)),
  create: adminProcedure('exams.create')
    .input(adminExamCreateInput)
    .mutation(({ ctx, input }) => createExam(ctx, input)),
  update: adminProcedure('exams.edit')
    .input(adminExamUpdateInput)
    .mutation(({ ctx, input }) => updateExam(ctx, input)),
  setStatus: adminProcedure('exams.activate')
    .input(adminExamSetStatusInput)
    .mutation(({ ctx, input }) => setExamStatus(ctx, input)),
  delete: adminProcedure('exams.delete')
    .input(adminExamDeleteInput)
    .mutation(({ ctx, input }) => deleteExams(ctx, input.examIds)),
});
