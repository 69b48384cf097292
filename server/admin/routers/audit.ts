import { adminAuditListInput } from '../../contracts/adminAudit';
import { router } from '../../trpc';
import { adminProcedure } from '../procedure';
import { listAudit } from '../services/audit';

export const adminAuditRouter = router({
  // Who changed what: readable by every role that may read bookings.
  list: adminProcedure('bookings.view')
    .input(adminAuditListInput)
    .query(({ ctx, input }) => listAudit(ctx, input)),
});
