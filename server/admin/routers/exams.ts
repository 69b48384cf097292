import { adminExamIdInput, adminExamListInput } from '../../contracts/adminExams';
import { router } from '../../trpc';
import { adminProcedure } from '../procedure';
import { getExam, listExams } from '../services/examQueries';

export const adminExamsRouter = router({
  list: adminProcedure('exams.view')
    .input(adminExamListInput)
    .query(({ ctx, input }) => listExams(ctx, input)),
  get: adminProcedure('exams.view')
    .input(adminExamIdInput)
    .query(({ ctx, input }) => getExam(ctx, input.examId)),
});
