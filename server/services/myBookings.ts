import { type BookingCursor, countOwnBookings, findOwnBooking, listOwnBookings } from '../../db/queries/bookings';
import type { StudentContext } from '../context';
import type { ListBookingsInput } from '../contracts/bookings';
import { errors } from '../errors';
import { myBookingView } from './bookingViews';

const encodeCursor = (c: BookingCursor) => Buffer.from(JSON.stringify(c)).toString('base64url');

/** A timestamptz as Postgres prints it (or '-infinity'); anything else would fail its cast, a 500. */
const SORT_KEY =
  /^(-infinity|[1-9]\d{3}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]) ([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?[+-]\d{2}(:\d{2})?)$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The cursor of a page this service issued; anything else is refused like a bad field. */
function decodeCursor(raw: string): BookingCursor {
  try {
    const parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<BookingCursor>;
    if (
      typeof parsed.sortKey === 'string' &&
      SORT_KEY.test(parsed.sortKey) &&
      typeof parsed.bookingId === 'string' &&
      UUID.test(parsed.bookingId)
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
  const { contactId } = ctx.user;
  const [rows, counts] = await Promise.all([
    listOwnBookings(ctx.db, { contactId, filter, now, cursor, limit }),
    countOwnBookings(ctx.db, { contactId, now }),
  ]);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(({ sortKey: _sortKey, ...row }) => myBookingView(row, now)),
    nextCursor: rows.length > limit && last ? encodeCursor({ sortKey: last.sortKey, bookingId: last.bookingId }) : null,
    /** Bookings per tab (upcoming, past, cancelled, all), whatever page this is. */
    counts,
  };
}

export async function getMyBooking(ctx: StudentContext, bookingId: string) {
  const row = await findOwnBooking(ctx.db, { contactId: ctx.user.contactId, bookingId });
  if (!row) throw errors.bookingNotFound();
  return myBookingView(row, ctx.now());
}
