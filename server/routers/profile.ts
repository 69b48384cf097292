import { setNdeccExamDateInput } from '../contracts/profile';
import { setNdeccExamDate } from '../services/profile';
import { router, studentProcedure } from '../trpc';

export const profileRouter = router({
  setNdeccExamDate: studentProcedure
    .input(setNdeccExamDateInput)
    .mutation(({ ctx, input }) => setNdeccExamDate(ctx, input)),
});
