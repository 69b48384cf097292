import { joinWaitlistInput, waitlistExamInput } from '../contracts/waitlist';
import { claimWaitlistSeat, joinWaitlist, leaveWaitlist, myWaitlist } from '../services/waitlist';
import { router, studentProcedure } from '../trpc';

export const waitlistRouter = router({
  join: studentProcedure.input(joinWaitlistInput).mutation(({ ctx, input }) => joinWaitlist(ctx, input)),
  leave: studentProcedure.input(waitlistExamInput).mutation(({ ctx, input }) => leaveWaitlist(ctx, input)),
  claim: studentProcedure.input(waitlistExamInput).mutation(({ ctx, input }) => claimWaitlistSeat(ctx, input)),
  mine: studentProcedure.query(({ ctx }) => myWaitlist(ctx)),
});
