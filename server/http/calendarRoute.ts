import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import express from 'express';
import { createContextFactory, type Dependencies } from '../context';
import { bookingIdInput } from '../contracts/bookings';
import { errorData, errors, toTRPCError } from '../errors';
import { bookingCalendar } from '../services/bookingCalendar';

/**
 * GET /api/bookings/:bookingId.ics: the logged-in student's booking as a calendar file, a plain link a
 * browser can open or save (the session cookie or a Bearer token, as for procedures). Refusals are the
 * JSON a procedure would answer with.
 */
export function calendarRoutes(deps: Dependencies) {
  const contextFor = createContextFactory(deps);
  const routes = express.Router();
  routes.get('/:file', async (req, res) => {
    // The context a procedure gets: the student its cookie or Bearer token proves.
    const ctx = await contextFor({ req, res });
    try {
      if (!ctx.user) throw errors.notLoggedIn();
      const { file } = req.params;
      const parsed = bookingIdInput.safeParse({ bookingId: file.endsWith('.ics') ? file.slice(0, -4) : '' });
      if (!parsed.success) throw errors.bookingNotFound();
      const { filename, contentType, ics } = await bookingCalendar({ ...ctx, user: ctx.user }, parsed.data.bookingId);
      res.status(200);
      res.setHeader('Content-Type', contentType);
      res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
      res.setHeader('Cache-Control', 'no-store');
      res.send(ics);
    } catch (err) {
      const error = toTRPCError(err);
      if (error.code === 'INTERNAL_SERVER_ERROR') ctx.logger.error({ err: error.cause ?? error }, 'calendar failed');
      const { message, data } = errorData(error);
      res.status(getHTTPStatusCodeFromError(error)).json({ error: { message: message ?? error.message, ...data } });
    }
  });
  return routes;
}
