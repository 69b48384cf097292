import { adminRouter } from '../admin/routers';
import { router } from '../trpc';
import { authRouter } from './auth';
import { bookingsRouter } from './bookings';
import { creditsRouter } from './credits';
import { examsRouter } from './exams';
import { profileRouter } from './profile';
import { waitlistRouter } from './waitlist';

export const appRouter = router({
  auth: authRouter,
  exams: examsRouter,
  credits: creditsRouter,
  bookings: bookingsRouter,
  waitlist: waitlistRouter,
  profile: profileRouter,
  admin: adminRouter,
});

export type AppRouter = typeof appRouter;
