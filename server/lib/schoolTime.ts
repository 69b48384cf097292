/** The school's time zone: admins type and read times in it; the database stores instants (UTC). */
export const SCHOOL_TIME_ZONE = 'America/Toronto';

const parts = new Intl.DateTimeFormat('en-CA', {
  timeZone: SCHOOL_TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  timeZoneName: 'short',
});

function fieldsOf(instant: Date) {
  const f = Object.fromEntries(parts.formatToParts(instant).map((p) => [p.type, p.value]));
  return {
    date: `${f.year}-${f.month}-${f.day}`,
    time: `${f.hour}:${f.minute}`,
    second: Number(f.second),
    zone: f.timeZoneName ?? '',
  };
}

/** Minutes the school's clock is ahead of UTC at `instant` (−300 in winter, −240 in summer). */
function offsetMinutes(instant: Date): number {
  const f = fieldsOf(instant);
  const asUtc = Date.parse(`${f.date}T${f.time}:00Z`) + f.second * 1000;
  return Math.round((asUtc - instant.getTime()) / 60_000);
}

/**
 * The instant a wall-clock time in Toronto names (`2026-03-08`, `09:30`). Two passes settle the
 * offset on DST-change days; a time skipped by spring-forward lands an hour later, as clocks do.
 */
export function schoolInstant(date: string, time: string): Date {
  const wall = Date.parse(`${date}T${time}:00Z`);
  let instant = new Date(wall - offsetMinutes(new Date(wall)) * 60_000);
  instant = new Date(wall - offsetMinutes(instant) * 60_000);
  return instant;
}

/** `{ date: 'YYYY-MM-DD', time: 'HH:MM', zone: 'EST' | 'EDT' }` of an instant on the school's clock. */
export function schoolClock(instant: Date) {
  const { date, time, zone } = fieldsOf(instant);
  return { date, time, zone };
}
