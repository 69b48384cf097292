import { availableExamsInput, examByIdInput } from '../contracts/exams';
import { getExam, listAvailableExams } from '../services/exams';
import { publicProcedure, router } from '../trpc';

export const examsRouter = router({
  available: publicProcedure.input(availableExamsInput).query(({ ctx, input }) => listAvailableExams(ctx, input ?? {})),
  byId: publicProcedure.input(examByIdInput).query(({ ctx, input }) => getExam(ctx, input.examId)),
});
