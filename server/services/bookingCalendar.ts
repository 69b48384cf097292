import { getVtimezoneComponent } from '@touch4it/ical-timezones';
import { ICalCalendar, ICalEventStatus } from 'ical-generator';
import { DateTime } from 'luxon';
import { findOwnBooking } from '../../db/queries/bookings';
import type { StudentContext } from '../context';
import { errors } from '../errors';
import { SCHOOL_TIME_ZONE } from '../lib/schoolTime';

/** A booking's session as an event on the school's clock: a calendar shows it at the school's hour. */
const onSchoolClock = (instant: Date) => DateTime.fromJSDate(instant, { zone: SCHOOL_TIME_ZONE });

/**
 * bookings.calendar and GET /api/bookings/:bookingId.ics: one of my bookings as an iCalendar file,
 * made with ical-generator, its times in America/Toronto with that zone's VTIMEZONE (so every calendar
 * places it right, whatever the student's own zone). The UID is the booking's, so importing it again
 * updates the event; a cancelled booking is sent as a cancelled event. Times are the session's own.
 */
export async function bookingCalendar(ctx: StudentContext, bookingId: string) {
  const booking = await findOwnBooking(ctx.db, { contactId: ctx.user.contactId, bookingId });
  if (!booking) throw errors.bookingNotFound();
  if (!booking.startTime && !booking.examDate)
    throw errors.invalidField('bookingId', 'This booking has no date to put in a calendar.');
  const calendar = new ICalCalendar({ prodId: { company: 'Mocks Booking', product: 'Bookings', language: 'EN' } });
  calendar.timezone({ name: SCHOOL_TIME_ZONE, generator: getVtimezoneComponent });
  const title = `${booking.mockType ?? 'Mock exam'}${booking.mockSet ? ` (set ${booking.mockSet})` : ''}`;
  const details = [
    booking.bookingCode && `Booking: ${booking.bookingCode}`,
    booking.attendingLocation && `Attending: ${booking.attendingLocation}`,
    booking.dominantHand && `Dominant hand: ${booking.dominantHand}`,
  ].filter(Boolean);
  calendar.createEvent({
    id: `${booking.bookingId}@mocks-booking`,
    summary: title,
    description: details.join('\n'),
    location: booking.location ?? null,
    timezone: SCHOOL_TIME_ZONE,
    status: booking.isActive === 'Cancelled' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    // A session without times (old imports) is a whole-day event on its date.
    ...(booking.startTime
      ? {
          start: onSchoolClock(booking.startTime),
          end: onSchoolClock(booking.endTime ?? new Date(booking.startTime.getTime() + 3_600_000)),
        }
      : { start: DateTime.fromISO(booking.examDate!, { zone: SCHOOL_TIME_ZONE }), allDay: true }),
  });
  return {
    filename: `booking-${booking.bookingId}.ics`,
    contentType: 'text/calendar; charset=utf-8',
    ics: calendar.toString(),
  };
}
