import {
  adminExamBulkCreateInput,
  adminExamBulkUpdateInput,
  adminExamCloneInput,
  adminExamCreateInput,
  adminExamDashboardInput,
  adminExamDeleteInput,
  adminExamIdInput,
  adminExamImportInput,
  adminExamListInput,
  adminExamSetPrerequisitesInput,
  adminExamSetStatusInput,
  adminExamUpdateInput,
} from '../../contracts/adminExams';
import { router } from '../../trpc';
import { adminProcedure } from '../procedure';
import { examDashboard } from '../services/dashboard';
import { bulkCreateExams, cloneExams, importExams } from '../services/examBatches';
import { bulkUpdateExams, createExam, deleteExams, setExamStatus, updateExam } from '../services/examChanges';
import { getExam, listExams } from '../services/examQueries';
import { setPrerequisites } from '../services/prerequisites';

export const adminExamsRouter = router({
  list: adminProcedure('exams.view')
    .input(adminExamListInput)
    .query(({ ctx, input }) => listExams(ctx, input)),
  dashboard: adminProcedure('exams.view')
    .input(adminExamDashboardInput)
    .query(({ ctx, input }) => examDashboard(ctx, input)),
  get: adminProcedure('exams.view')
    .input(adminExamIdInput)
    .query(({ ctx, input }) => getExam(ctx, input.examId)),
  create: adminProcedure('exams.create')
    .input(adminExamCreateInput)
    .mutation(({ ctx, input }) => createExam(ctx, input)),
  bulkCreate: adminProcedure('exams.create')
    .input(adminExamBulkCreateInput)
    .mutation(({ ctx, input }) => bulkCreateExams(ctx, input)),
  clone: adminProcedure('exams.create')
    .input(adminExamCloneInput)
    .mutation(({ ctx, input }) => cloneExams(ctx, input)),
  // A dry run changes nothing, but it is the first half of creating: the same permission.
  import: adminProcedure('exams.create')
    .input(adminExamImportInput)
    .mutation(({ ctx, input }) => importExams(ctx, input)),
  update: adminProcedure('exams.edit')
    .input(adminExamUpdateInput)
    .mutation(({ ctx, input }) => updateExam(ctx, input)),
  bulkUpdate: adminProcedure('exams.edit')
    .input(adminExamBulkUpdateInput)
    .mutation(({ ctx, input }) => bulkUpdateExams(ctx, input)),
  setPrerequisites: adminProcedure('exams.edit')
    .input(adminExamSetPrerequisitesInput)
    .mutation(({ ctx, input }) => setPrerequisites(ctx, input)),
  setStatus: adminProcedure('exams.activate')
    .input(adminExamSetStatusInput)
    .mutation(({ ctx, input }) => setExamStatus(ctx, input)),
  delete: adminProcedure('exams.delete')
    .input(adminExamDeleteInput)
    .mutation(({ ctx, input }) => deleteExams(ctx, input.examIds)),
});
