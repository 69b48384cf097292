import { loginInput } from '../contracts/auth';
import { login } from '../services/auth';
import { me } from '../services/profile';
import { logout } from '../services/sessions';
import { publicProcedure, router, studentProcedure } from '../trpc';

export const authRouter = router({
  login: publicProcedure.input(loginInput).mutation(async ({ ctx, input }) => {
    const session = await login(ctx, input, ctx.req?.ip ?? 'unknown');
    // Also as an httpOnly cookie, so a browser frontend never has to keep the token in script reach.
    const { cookieName, cookieSameSite, cookieSecure } = ctx.config.session;
    ctx.res?.cookie(cookieName, session.token, {
      httpOnly: true,
      secure: cookieSecure,
      sameSite: cookieSameSite,
      expires: session.expiresAt,
      path: '/',
    });
    return session;
  }),
  logout: publicProcedure.mutation(async ({ ctx }) => {
    const { cookieName, cookieSameSite, cookieSecure } = ctx.config.session;
    // The cookie goes whatever happens next; the token itself is revoked for every instance.
    ctx.res?.clearCookie(cookieName, { httpOnly: true, secure: cookieSecure, sameSite: cookieSameSite, path: '/' });
    return logout(ctx, ctx.sessionToken);
  }),
  me: studentProcedure.query(({ ctx }) => me(ctx)),
});
