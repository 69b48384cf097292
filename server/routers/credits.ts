import { checkCreditsInput } from '../contracts/credits';
import { checkCredits, myBalances } from '../services/credits';
import { router, studentProcedure } from '../trpc';

export const creditsRouter = router({
  mine: studentProcedure.query(({ ctx }) => myBalances(ctx)),
  check: studentProcedure.input(checkCreditsInput).query(({ ctx, input }) => checkCredits(ctx, input.mockType)),
});
