import { loginInput } from '../contracts/auth';
import { login } from '../services/auth';
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
  logout: publicProcedure.mutation(({ ctx }) => {
    const { cookieName, cookieSameSite, cookieSecure } = ctx.config.session;
    ctx.res?.clearCookie(cookieName, { httpOnly: true, secure: cookieSecure, sameSite: cookieSameSite, path: '/' });
    return { loggedOut: true };
  }),
  me: studentProcedure.query(({ ctx }) => ctx.user),
});
