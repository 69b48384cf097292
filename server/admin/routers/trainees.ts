import { adminTraineeGetInput, adminTraineeSearchInput } from '../../contracts/adminTrainees';
import { router } from '../../trpc';
import { adminProcedure } from '../procedure';
import { getTrainee, searchTraineesFor } from '../services/trainees';

export const adminTraineesRouter = router({
  search: adminProcedure('bookings.view')
    .input(adminTraineeSearchInput)
    .query(({ ctx, input }) => searchTraineesFor(ctx, input)),
  get: adminProcedure('bookings.view')
    .input(adminTraineeGetInput)
    .query(({ ctx, input }) => getTrainee(ctx, input)),
});
