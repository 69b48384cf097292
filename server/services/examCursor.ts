import { errors } from '../errors';

/** Where a page of sessions ends: the last session's start time and id (the listing's order). */
interface ExamCursor {
  startTime: Date;
  examId: string;
}

export const encodeExamCursor = (exam: { startTime: Date | null; examId: string }) =>
  Buffer.from(JSON.stringify([exam.startTime?.toISOString() ?? null, exam.examId])).toString('base64url');

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A cursor this service issued, or VALIDATION_FAILED naming the field (never a 500 on a tampered one). */
export function decodeExamCursor(raw: string): ExamCursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2) {
      const [startTime, examId] = parsed as unknown[];
      const at = typeof startTime === 'string' && ISO_INSTANT.test(startTime) ? new Date(startTime) : undefined;
      // Round-trips only if it is a real instant (Date rolls 30 February over into March).
      const real = at && !Number.isNaN(at.getTime()) && at.toISOString() === startTime;
      const year = real ? at.getUTCFullYear() : 0;
      if (at && year >= 1900 && year <= 9999 && typeof examId === 'string' && examId.length <= 100)
        return { startTime: at, examId };
    }
  } catch {
    // fall through to the typed error
  }
  throw errors.invalidField('cursor', 'The cursor is not one this service issued.');
}
