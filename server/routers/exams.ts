import { listAvailableExams } from '../services/exams';
import { publicProcedure, router } from '../trpc';
import { availableExamsInput } from './exams.schema';

export const examsRouter = router({
  available: publicProcedure
    .input(availableExamsInput)
    .query(({ ctx, input }) => listAvailableExams(ctx, input ?? {})),
});
