import { type BookingCursor, findOwnBooking, listOwnBookings } from '../../db/queries/bookings';
import type { StudentContext } from '../context';
import type { ListBookingsInput } from '../contracts/bookings';
import { errors } from '../errors';
import { myBookingView } from './bookingViews';

const encodeCursor = (c: BookingCursor) => Buffer.from(JSON.stringify(c)).toString('base64url');

/** The cursor of a page this service issued; anything else is refused like a bad field. */
function decodeCursor(raw: string): BookingCursor {
  try {
    const parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<BookingCursor>;
    if (
      typeof parsed.sortKey === 'string' &&
      typeof parsed.bookingId === 'string' &&
      /^[0-9a-f-]{36}$/i.test(parsed.bookingId)
    ) {
      return { sortKey: parsed.sortKey, bookingId: parsed.bookingId };
    }
  } catch {
    // fall through to the typed error
  }
  throw errors.invalidField('cursor', 'The cursor is not one this service issued.');
}

export async function listMyBookings(ctx: StudentContext, input: ListBookingsInput) {
  const now = ctx.now();
  const cursor = input.cursor ? decodeCursor(input.cursor) : undefined;
  const { filter, limit } = input;
  const rows = await listOwnBookings(ctx.db, { contactId: ctx.user.contactId, filter, now, cursor, limit });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(({ sortKey: _sortKey, ...row }) => myBookingView(row, now)),
    nextCursor: rows.length > limit && last ? encodeCursor({ sortKey: last.sortKey, bookingId: last.bookingId }) : null,
  };
}

export async function getMyBooking(ctx: StudentContext, bookingId: string) {
  const row = await findOwnBooking(ctx.db, { contactId: ctx.user.contactId, bookingId });
  if (!row) throw errors.bookingNotFound();
  return myBookingView(row, ctx.now());
}
