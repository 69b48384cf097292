import { afterAll, describe, expect, it } from 'vitest';
import { isAppError } from '../client/src';
import { examCounts, insertContact, insertExam, inTurn } from './helpers/factories';
import { startOidcIssuer } from './helpers/oidcIssuer';
import { useTwoInstances } from './helpers/twoInstances';

// Two instances on one database and Redis, as behind the ALB; students and the admin alternate between them.
const idp = await startOidcIssuer();
afterAll(() => idp.close());
const { db, clientOn, studentOn } = useTwoInstances(idp.env);

const appCode = (reason: unknown) => (isAppError(reason) ? reason.data.appCode : `unexpected: ${String(reason)}`);

describe('an admin changing capacity during a stampede of 200 students', () => {
  it('never leaves more active bookings than seats: the edit takes the session lock and row lock bookings take', async () => {
    const examId = await insertExam(db, { capacity: 100, mockType: 'Clinical Skills' });
    const contacts = await inTurn(200, () => insertContact(db, { cs_credits: 1 }));
    const students = await Promise.all(contacts.map((contact, i) => studentOn(i, contact, 'Stampede Student')));
    const adminToken = await idp.token('admin');
    const admins = [0, 1].map((i) => clientOn(i, adminToken));

    // Arriving over about two seconds, in bursts of five, so the admin's edits fall among them.
    const bookings = Promise.allSettled(
      students.map(async (student, i) => {
        await new Promise((resolve) => setTimeout(resolve, Math.floor(i / 5) * 50));
        return student.bookings.create.mutate({ examId, dominantHand: 'Left' });
      }),
    );
    let done = false;
    const settledBookings = bookings.finally(() => {
      done = true;
    });
    // A snapshot of seats against capacity, in one statement (one MVCC snapshot), taken all along.
    const snapshot = async () =>
      (
        await db.query(
          `select e.capacity, (select count(*)::int from hubspot_bookings b where b.associated_mock_exam = e.hubspot_id and b.is_active <> 'Cancelled') as active
           from hubspot_mock_exams e where e.hubspot_id = $1`,
          [examId],
        )
      ).rows[0] as { capacity: number; active: number };
    const violations: Array<{ capacity: number; active: number }> = [];
    const watcher = (async () => {
      while (!done) {
        const seen = await snapshot();
        if (seen.active > seen.capacity) violations.push(seen);
      }
    })();
    // Every 25 ms the admin squeezes capacity to the seats it sees taken (plus 0, 1 or 2), while bookings
    // arrive: each edit either fits the seats it counts under the session's lock (the bookings in
    // flight land first), or is CAPACITY_BELOW_BOOKINGS. Without that lock, a booking committed
    // between the edit's count and its write would be one seat over.
    const edits: Array<Promise<{ capacity: number; outcome: string }>> = [];
    for (let i = 0; !done && i < 120; i++) {
      const capacity = Math.min(100, Math.max(1, (await snapshot()).active + (i % 3)));
      edits.push(
        admins[i % 2]!.admin.exams.update.mutate({ examId, capacity }).then(
          () => ({ capacity, outcome: 'ok' }),
          (err: unknown) => ({ capacity, outcome: appCode(err) }),
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const settled = await settledBookings;
    const editOutcomes = await Promise.all(edits);
    done = true;
    await watcher;
    const last = await snapshot();
    if (last.active > last.capacity) violations.push(last);

    const tally: Record<string, number> = {};
    for (const r of settled) {
      const key = r.status === 'fulfilled' ? 'ok' : appCode(r.reason);
      tally[key] = (tally[key] ?? 0) + 1;
    }
    expect(Object.keys(tally).filter((k) => !['ok', 'EXAM_FULL'].includes(k))).toEqual([]);
    expect(editOutcomes.filter((e) => !['ok', 'CAPACITY_BELOW_BOOKINGS'].includes(e.outcome))).toEqual([]);
    expect(violations).toEqual([]);

    const { rows } = await db.query('select capacity from hubspot_mock_exams where hubspot_id = $1', [examId]);
    const finalCapacity = rows[0].capacity as number;
    const counts = await examCounts(db, examId);
    expect(counts.active).toBe(tally.ok);
    expect(counts.active).toBeLessThanOrEqual(finalCapacity);
    expect(counts.total_bookings).toBe(counts.active);
    // Every seat counted by a booking or an edit was under the capacity of its moment.
    expect(tally.ok).toBeLessThanOrEqual(100);
  });
});
