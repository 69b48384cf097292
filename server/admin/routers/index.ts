import { router } from '../../trpc';
import { adminAuditRouter } from './audit';
import { adminExamsRouter } from './exams';

/** Everything under `admin.`: each procedure behind adminProcedure(<its one permission>). */
export const adminRouter = router({
  exams: adminExamsRouter,
  audit: adminAuditRouter,
});
