import { router } from '../../trpc';
import { adminAuditRouter } from './audit';
import { adminBookingsRouter } from './bookings';
import { adminCreditsRouter } from './credits';
import { adminExamsRouter } from './exams';
import { adminTraineesRouter } from './trainees';

/** Everything under `admin.`: each procedure behind adminProcedure(<its one permission>). */
export const adminRouter = router({
  exams: adminExamsRouter,
  bookings: adminBookingsRouter,
  trainees: adminTraineesRouter,
  credits: adminCreditsRouter,
  audit: adminAuditRouter,
});
