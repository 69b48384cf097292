import { router } from '../../trpc';
import { adminAuditRouter } from './audit';
import { adminBookingsRouter } from './bookings';
import { adminExamsRouter } from './exams';

/** Everything under `admin.`: each procedure behind adminProcedure(<its one permission>). */
export const adminRouter = router({
  exams: adminExamsRouter,
  bookings: adminBookingsRouter,
  audit: adminAuditRouter,
});
