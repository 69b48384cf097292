/**
 * Sessions are shown in the school's time zone (docs/DOMAIN.md: America/Toronto) with its abbreviation,
 * wherever the student's browser is: a student abroad reads "9:00 AM EDT", not their own clock.
 */
export const SCHOOL_TIME_ZONE = 'America/Toronto';

const day = new Intl.DateTimeFormat('en-US', {
  timeZone: SCHOOL_TIME_ZONE,
  weekday: 'short',
  month: 'short',
  day: 'numeric',
  year: 'numeric',
});
const clock = new Intl.DateTimeFormat('en-US', { timeZone: SCHOOL_TIME_ZONE, hour: 'numeric', minute: '2-digit' });
const zone = new Intl.DateTimeFormat('en-US', { timeZone: SCHOOL_TIME_ZONE, timeZoneName: 'short' });

const zoneName = (at: Date) => zone.formatToParts(at).find((part) => part.type === 'timeZoneName')?.value ?? '';

/** "Wed, Oct 1, 2031, 9:00 AM – 12:00 PM EDT (Toronto time)"; the date alone when times are not set. */
export function sessionTimes(startTime: Date | null, endTime: Date | null, examDate: string): string {
  if (!startTime) return `${examDate}, time to be announced`;
  const until = endTime ? ` – ${clock.format(endTime)}` : '';
  return `${day.format(startTime)}, ${clock.format(startTime)}${until} ${zoneName(startTime)} (Toronto time)`;
}
