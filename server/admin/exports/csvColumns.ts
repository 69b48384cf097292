import type { ExportRow } from '../../../db/queries/adminExports';
import { schoolClock } from '../../lib/schoolTime';

/**
 * An instant on the school's clock, remembered: a session's start and end repeat on every booking of
 * it, and Intl's formatting is most of an export's CPU. Bounded: cleared when it grows past 4,096.
 */
const seen = new Map<number, ReturnType<typeof schoolClock>>();
function clockOf(instant: Date) {
  const key = instant.getTime();
  let clock = seen.get(key);
  if (!clock) {
    if (seen.size >= 4096) seen.clear();
    clock = schoolClock(instant);
    seen.set(key, clock);
  }
  return clock;
}

/** A time of day on the school's clock with the label that was true that day: `09:00 EDT`, `09:00 EST`. */
const clockTime = (instant: Date | null) => {
  if (!instant) return '';
  const { time, zone } = clockOf(instant);
  return `${time} ${zone}`;
};
const clockDateTime = (instant: Date | null) => {
  if (!instant) return '';
  const { date, time, zone } = schoolClock(instant);
  return `${date} ${time} ${zone}`;
};

/** The export's columns, in order: header and how each cell is made from a booking. */
const COLUMNS: ReadonlyArray<[header: string, cell: (row: ExportRow) => string]> = [
  ['Booking ID', (r) => r.bookingId],
  ['Session ID', (r) => r.examId],
  ['Name', (r) => r.name ?? ''],
  ['Email', (r) => r.email ?? ''],
  ['Student ID', (r) => r.studentId ?? ''],
  ['Dominant Hand', (r) => r.dominantHand ?? ''],
  ['Booking Status', (r) => r.status],
  ['Attendance', (r) => r.attendance ?? ''],
  ['Attending Location', (r) => r.attendingLocation ?? ''],
  ['Mock Type', (r) => r.mockType ?? ''],
  ['Location', (r) => r.location ?? ''],
  ['Exam Date', (r) => r.examDate ?? ''],
  ['Start Time', (r) => clockTime(r.startTime)],
  ['End Time', (r) => clockTime(r.endTime)],
  ['NDECC Exam Date', (r) => r.ndeccExamDate ?? ''],
  ['Token Used', (r) => r.tokenUsed ?? ''],
  ['Booking Created', (r) => clockDateTime(r.createdAt)],
];

export const CSV_HEADER = COLUMNS.map(([header]) => header);

/** One CSV record of a booking (formula neutralising is the stringifier's, on every cell). */
export const csvRecord = (row: ExportRow): string[] => COLUMNS.map(([, cell]) => cell(row));
