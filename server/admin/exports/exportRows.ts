import type { Executor } from '../../../db/client';
import { type ExportCursor, exportBookingsPage, exportRoster } from '../../../db/queries/adminExports';
import { findExam } from '../../../db/queries/exams';
import type { BookingsExportInput } from '../../contracts/adminExports';
import { errors } from '../../errors';
import { CSV_HEADER, csvRecord } from './csvColumns';

/** Rows read per query of a range export: the most the export holds in memory at once. */
export const EXPORT_PAGE_ROWS = 1000;

/** A file name a Content-Disposition header can carry: anything else replaced. */
const fileName = (...parts: string[]) => `${parts.join('-').replace(/[^\w.-]+/g, '_')}.csv`;

/** The roster export of a session: its file name and records; EXAM_NOT_FOUND before any byte is sent. */
export async function rosterExport(db: Executor, examId: string) {
  const exam = await findExam(db, examId);
  if (!exam) throw errors.examNotFound();
  return { name: fileName('roster', examId, exam.examDate), records: rosterRows(db, examId) };
}

/** The export of all bookings of sessions dated from `from` to `to`, both included. */
export function bookingsExport(db: Executor, range: BookingsExportInput) {
  return { name: fileName('bookings', range.from, range.to), records: bookingRows(db, range) };
}

/** A session's roster as CSV records, header first. */
async function* rosterRows(db: Executor, examId: string): AsyncGenerator<string[]> {
  yield CSV_HEADER;
  for (const row of await exportRoster(db, examId)) yield csvRecord(row);
}

/** Every booking of sessions dated in the range, header first, read page by page as the client reads. */
async function* bookingRows(
  db: Executor,
  range: BookingsExportInput,
  pageRows = EXPORT_PAGE_ROWS,
): AsyncGenerator<string[]> {
  yield CSV_HEADER;
  let after: ExportCursor | undefined;
  for (;;) {
    const page = await exportBookingsPage(db, { ...range, after, limit: pageRows });
    for (const row of page) yield csvRecord(row);
    const last = page.at(-1);
    if (!last || page.length < pageRows) return;
    after = { examDate: last.examDate ?? '', startTime: last.startTime, bookingId: last.bookingId };
  }
}
