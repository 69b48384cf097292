import { beforeAll, describe, expect, it } from 'vitest';
import { failure } from './helpers/failure';
import { useTestService } from './helpers/service';

/** exams.available is capped and pages by cursor (issue 18 item 13): an anonymous call stays small. */

const s = useTestService();
const SESSIONS = 450;

beforeAll(async () => {
  // Many sessions at one place, two per start time so the id breaks ties in the order.
  await s.db.query(
    `insert into hubspot_mock_exams (hubspot_id, mock_type, exam_date, start_time, end_time, location, capacity, is_active)
     select 'page-' || lpad(i::text, 4, '0'), 'Clinical Skills', (now() + (i / 2 + 1) * interval '1 hour')::date,
            now() + (i / 2 + 1) * interval '1 hour', now() + (i / 2 + 2) * interval '1 hour', 'Pageville', 8, 'true'
     from generate_series(1, $1) as i`,
    [SESSIONS],
  );
});

describe('exams.available paging', () => {
  it('answers at most the default page (200) without a limit, in start order', async () => {
    const page = await s.client.exams.available.query({ location: 'Pageville' });
    expect(page).toHaveLength(200);
    const order = page.map((e) => [e.startTime!.getTime(), e.examId] as const);
    expect(order).toEqual([...order].sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1])));
  });

  it('pages through every session exactly once with the last session’s cursor', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 20; pages++) {
      const page = await s.client.exams.available.query({ location: 'Pageville', limit: 100, cursor });
      seen.push(...page.map((e) => e.examId));
      if (page.length < 100) break;
      cursor = page.at(-1)!.cursor;
    }
    expect(seen).toHaveLength(SESSIONS);
    expect(new Set(seen).size).toBe(SESSIONS);
  });

  it('caps the limit', async () => {
    const data = await failure(s.client.exams.available.query({ limit: 501 }));
    expect([data.appCode, Object.keys(data.fieldErrors ?? {})]).toEqual(['VALIDATION_FAILED', ['limit']]);
  });

  it.each([
    ['not base64 JSON', 'abc'],
    ['a date out of range', Buffer.from(JSON.stringify(['0000-01-01T00:00:00.000Z', 'x'])).toString('base64url')],
    ['an impossible date', Buffer.from(JSON.stringify(['2030-02-30T00:00:00.000Z', 'x'])).toString('base64url')],
    ['the wrong shape', Buffer.from(JSON.stringify({ startTime: 1 })).toString('base64url')],
  ])('refuses a cursor it did not issue (%s) as VALIDATION_FAILED', async (_label, cursor) => {
    const data = await failure(s.client.exams.available.query({ cursor }));
    expect([data.appCode, data.details]).toEqual(['VALIDATION_FAILED', { field: 'cursor' }]);
  });
});
