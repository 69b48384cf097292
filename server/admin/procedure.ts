import { errors } from '../errors';
import { publicProcedure } from '../trpc';
import { authenticateAdmin, bearerTokenOf } from './auth/adminIdentity';
import { type AdminPermission, roleAllows } from './auth/permissions';

/**
 * An admin procedure requiring exactly one permission: the bearer token must be a valid token of the
 * school's IdP (a student's session token never is), and its role must grant `permission`, else
 * FORBIDDEN. Narrows `ctx.admin` for the procedure and its service.
 */
export const adminProcedure = (permission: AdminPermission) =>
  publicProcedure.use(async ({ ctx, next }) => {
    const admin = await authenticateAdmin(bearerTokenOf(ctx.req), ctx.config.admin);
    if (!admin.role || !roleAllows(admin.role, permission)) throw errors.adminForbidden(permission);
    const requestId = (ctx.req as { id?: unknown } | undefined)?.id;
    return next({
      ctx: {
        ...ctx,
        admin: { ...admin, role: admin.role },
        requestId: typeof requestId === 'string' ? requestId : null,
      },
    });
  });
