import { adminCreditsAdjustInput } from '../../contracts/adminTrainees';
import { router } from '../../trpc';
import { adminProcedure } from '../procedure';
import { adjustCredits } from '../services/credits';

export const adminCreditsRouter = router({
  adjust: adminProcedure('credits.adjust')
    .input(adminCreditsAdjustInput)
    .mutation(({ ctx, input }) => adjustCredits(ctx, input)),
});
