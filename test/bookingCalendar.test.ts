import { describe, expect, it } from 'vitest';
import { insertContact, insertExam, loginClient } from './helpers/factories';
import { failure } from './helpers/failure';
import { useTestService } from './helpers/service';

// A booking as an iCalendar file (issue 12 "Calendar"): bookings.calendar and GET /api/bookings/:id.ics.
const s = useTestService({ LOGIN_RATE_LIMIT_PER_IP: '100000' });
const { db } = s;

async function bookedStudent(examFields: Parameters<typeof insertExam>[1] = {}) {
  const contact = await insertContact(db, { cs_credits: 2 });
  const anonymous = s.client;
  const { token } = await anonymous.auth.login.mutate({ studentId: contact.studentId, email: contact.email });
  const api = await loginClient(s.url, contact);
  const examId = await insertExam(db, { mockType: 'Clinical Skills', location: 'Mississauga', ...examFields });
  const booking = await api.bookings.create.mutate({ examId, dominantHand: 'Left' });
  return { contact, api, token, examId, booking };
}

/** Unfolds RFC 5545 continuation lines and returns the file's lines. */
const linesOf = (ics: string) => ics.replace(/\r\n[ \t]/g, '').split('\r\n');

describe('booking calendar file', () => {
  it('is an event on the America/Toronto clock with that zone defined, the session, place and booking code', async () => {
    // 14:00 UTC on 1 March 2031 is 09:00 in Toronto (EST); 1 July is summer time (EDT).
    const winter = await bookedStudent();
    await db.query(
      `update hubspot_mock_exams set start_time = '2031-03-01T14:00:00Z', end_time = '2031-03-01T17:00:00Z', exam_date = '2031-03-01' where hubspot_id = $1`,
      [winter.examId],
    );
    const file = await winter.api.bookings.calendar.query({ bookingId: winter.booking.bookingId });
    expect(file).toMatchObject({
      filename: `booking-${winter.booking.bookingId}.ics`,
      contentType: expect.stringMatching(/^text\/calendar/),
    });
    const lines = linesOf(file.ics);
    expect(lines[0]).toBe('BEGIN:VCALENDAR');
    expect(lines).toContain('BEGIN:VTIMEZONE');
    expect(lines).toContain('TZID:America/Toronto');
    expect(lines).toContain('DTSTART;TZID=America/Toronto:20310301T090000');
    expect(lines).toContain('DTEND;TZID=America/Toronto:20310301T120000');
    expect(lines).toContain(`UID:${winter.booking.bookingId}@mocks-booking`);
    expect(lines).toContain('LOCATION:Mississauga');
    expect(lines).toContain('STATUS:CONFIRMED');
    expect(lines.find((l) => l.startsWith('SUMMARY:'))).toMatch(/^SUMMARY:Clinical Skills/);
    expect(lines.find((l) => l.startsWith('DESCRIPTION:'))).toContain(
      // iCalendar escapes commas in text.
      winter.booking.bookingCode.replaceAll(',', '\\,'),
    );

    const summer = await bookedStudent();
    await db.query(
      `update hubspot_mock_exams set start_time = '2031-07-01T14:00:00Z', end_time = '2031-07-01T17:00:00Z', exam_date = '2031-07-01' where hubspot_id = $1`,
      [summer.examId],
    );
    const summerLines = linesOf(
      (await summer.api.bookings.calendar.query({ bookingId: summer.booking.bookingId })).ics,
    );
    expect(summerLines).toContain('DTSTART;TZID=America/Toronto:20310701T100000');
  });

  it('is a plain GET for the logged-in student, by Bearer token or cookie', async () => {
    const { token, booking } = await bookedStudent();
    const url = `${s.url}/api/bookings/${booking.bookingId}.ics`;
    const ways: Array<Record<string, string>> = [
      { authorization: `Bearer ${token}` },
      { cookie: `mb_session=${token}` },
    ];
    for (const headers of ways) {
      const res = await fetch(url, { headers });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/calendar/);
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename="booking-${booking.bookingId}.ics"`);
      expect(linesOf(await res.text())).toContain(`UID:${booking.bookingId}@mocks-booking`);
    }
  });

  it("another student's booking, a missing one and no login answer as procedures do", async () => {
    const { booking } = await bookedStudent();
    const other = await bookedStudent();
    expect(await failure(other.api.bookings.calendar.query({ bookingId: booking.bookingId }))).toMatchObject({
      appCode: 'BOOKING_NOT_FOUND',
      httpStatus: 404,
    });
    const asOther = await fetch(`${s.url}/api/bookings/${booking.bookingId}.ics`, {
      headers: { authorization: `Bearer ${other.token}` },
    });
    expect(asOther.status).toBe(404);
    expect(await asOther.json()).toMatchObject({ error: { appCode: 'BOOKING_NOT_FOUND' } });
    const notAnId = await fetch(`${s.url}/api/bookings/nope.ics`, {
      headers: { authorization: `Bearer ${other.token}` },
    });
    expect(notAnId.status).toBe(404);
    const anonymous = await fetch(`${s.url}/api/bookings/${booking.bookingId}.ics`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error: { appCode: 'UNAUTHENTICATED' } });
  });

  it('a cancelled booking is a cancelled event with the same UID', async () => {
    const { api, booking } = await bookedStudent();
    await api.bookings.cancel.mutate({ bookingId: booking.bookingId });
    const lines = linesOf((await api.bookings.calendar.query({ bookingId: booking.bookingId })).ics);
    expect(lines).toContain('STATUS:CANCELLED');
    expect(lines).toContain(`UID:${booking.bookingId}@mocks-booking`);
  });
});
