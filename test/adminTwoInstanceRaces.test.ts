import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, isAppError } from '../client/src';
import { balancesOf, detailsFor, insertBookingRow, insertContact, insertExam, inTurn } from './helpers/factories';
import { startOidcIssuer } from './helpers/oidcIssuer';
import { useTwoInstances } from './helpers/twoInstances';

// Two instances on one database and Redis, as behind the ALB: in every round the admin acts through one
// and the student through the other, both requests started in the same tick, so only Postgres (and the
// session lock in Redis) can order them. Many rounds, because one round proves little about a race.
const ROUNDS = 40;
const idp = await startOidcIssuer();
const { db, clientOn, studentOn } = useTwoInstances(idp.env);
let admins: Client[] = [];
beforeAll(async () => {
  const adminToken = await idp.token('admin');
  admins = [0, 1].map((i) => clientOn(i, adminToken));
});
afterAll(() => idp.close());

const appCode = (reason: unknown) => (isAppError(reason) ? reason.data.appCode : `unexpected: ${String(reason)}`);
const outcome = <T>(r: PromiseSettledResult<T> | undefined) => (r?.status === 'fulfilled' ? 'ok' : appCode(r?.reason));

/** Both sides started in one tick, the admin's request sent first in even rounds and second in odd ones. */
async function race<A, S>(round: number, admin: () => Promise<A>, student: () => Promise<S>) {
  if (round % 2 === 0) return Promise.all([Promise.allSettled([admin()]), Promise.allSettled([student()])]);
  const [s, a] = await Promise.all([Promise.allSettled([student()]), Promise.allSettled([admin()])]);
  return [a, s] as const;
}

/** How one item of an admin batch ended: 'ok' or its app code. */
const itemOutcome = (r: PromiseSettledResult<{ results: Array<{ ok: boolean; appCode?: string }> }> | undefined) => {
  if (r?.status !== 'fulfilled') return `call failed: ${outcome(r)}`;
  const item = r.value.results[0];
  return item?.ok ? 'ok' : (item?.appCode ?? 'missing');
};

async function bookingRow(bookingId: string) {
  const { rows } = await db.query(
    'select is_active, attendance, token_refunded, token_refund_admin from hubspot_bookings where id = $1',
    [bookingId],
  );
  return rows[0] as {
    is_active: string;
    attendance: string | null;
    token_refunded: boolean;
    token_refund_admin: string | null;
  };
}

/** A student with no Clinical Skills credit left and one Active booking that spent it, on a session of its own. */
async function bookedStudent(round: number) {
  const examId = await insertExam(db, { mockType: 'Clinical Skills' });
  const contact = await insertContact(db, { cs_credits: 0 });
  const bookingId = await insertBookingRow(db, contact.contactId, examId, { tokenUsed: 'Clinical Skills Token' });
  await db.query('update hubspot_mock_exams set total_bookings = 1 where hubspot_id = $1', [examId]);
  const student = await studentOn(round + 1, contact);
  return { examId, contact, bookingId, student, admin: admins[round % 2]! };
}

describe('admin and student racing over HTTP on two instances', () => {
  it('admin cancel with refund vs the student cancelling the same booking: one cancellation, one refund', async () => {
    const tally: Record<string, number> = {};
    for (let round = 0; round < ROUNDS; round++) {
      const { contact, bookingId, student, admin } = await bookedStudent(round);
      const [[byAdmin], [byStudent]] = await race(
        round,
        () => admin.admin.bookings.cancel.mutate({ bookingIds: [bookingId], refund: true }),
        () => student.bookings.cancel.mutate({ bookingId }),
      );
      // The admin's batch answers per item; the call itself fails only on a bug.
      const adminOutcome = itemOutcome(byAdmin);
      const studentOutcome = outcome(byStudent);
      const key = `admin ${adminOutcome} / student ${studentOutcome}`;
      tally[key] = (tally[key] ?? 0) + 1;
      expect([adminOutcome, studentOutcome].sort(), key).toEqual(['BOOKING_NOT_CANCELLABLE', 'ok']);
      const row = await bookingRow(bookingId);
      expect(row.is_active).toBe('Cancelled');
      expect(row.token_refunded).toBe(true);
      // Who refunded is stamped only when the admin's cancellation was the one that happened.
      expect(row.token_refund_admin !== null, key).toBe(adminOutcome === 'ok');
      expect((await balancesOf(db, contact.contactId)).cs_credits, key).toBe(1);
    }
    console.info('cancel vs cancel', tally);
  });

  it('attendance vs the student cancelling: Completed (cancel refused, no refund) or Cancelled (refunded, mark refused)', async () => {
    const tally: Record<string, number> = {};
    for (let round = 0; round < ROUNDS; round++) {
      const { examId, contact, bookingId, student, admin } = await bookedStudent(round);
      const [[marked], [cancelled]] = await race(
        round,
        () => admin.admin.bookings.markAttendance.mutate({ examId, bookingIds: [bookingId], attendance: 'Yes' }),
        () => student.bookings.cancel.mutate({ bookingId }),
      );
      const markOutcome = itemOutcome(marked);
      const cancelOutcome = outcome(cancelled);
      const key = `mark ${markOutcome} / cancel ${cancelOutcome}`;
      tally[key] = (tally[key] ?? 0) + 1;
      const row = await bookingRow(bookingId);
      const credits = (await balancesOf(db, contact.contactId)).cs_credits;
      if (markOutcome === 'ok') {
        expect(cancelOutcome, key).toBe('BOOKING_NOT_CANCELLABLE');
        expect(row, key).toMatchObject({ is_active: 'Completed', attendance: 'Yes', token_refunded: false });
        expect(credits, key).toBe(0);
      } else {
        expect([markOutcome, cancelOutcome], key).toEqual(['BOOKING_NOT_MARKABLE', 'ok']);
        expect(row, key).toMatchObject({ is_active: 'Cancelled', attendance: null, token_refunded: true });
        expect(credits, key).toBe(1);
      }
    }
    console.info('attendance vs cancel', tally);
  });

  it('credits.adjust(-2) vs the student spending the same credit type: never negative, no debit lost', async () => {
    // Mini-mock sessions on different days (the duplicate rule is one per type and day), roomy enough
    // for every round; Mini-mock spends sjmini credits and has no shared fallback.
    const exams = await inTurn(2, (day) =>
      insertExam(db, { mockType: 'Mini-mock', startsInHours: 100 + 24 * day, capacity: 1000 }),
    );
    const tally: Record<string, number> = {};
    for (let round = 0; round < ROUNDS; round++) {
      // Two credits, two bookings and an adjustment of -2: any booking committed between the
      // adjustment's read of the balance and its write would take the balance below zero.
      const contact = await insertContact(db, { sjmini_credits: 2 });
      const student = await studentOn(round + 1, contact);
      const [[adjusted], [bookings]] = await race(
        round,
        () =>
          admins[round % 2]!.admin.credits.adjust.mutate({
            contactId: contact.contactId,
            creditType: 'sjmini',
            delta: -2,
            reason: 'race test',
          }),
        () =>
          Promise.allSettled(
            exams.map((examId) => student.bookings.create.mutate({ examId, ...detailsFor('Mini-mock') })),
          ),
      );
      const adjustOutcome = outcome(adjusted);
      const bookOutcomes = bookings?.status === 'fulfilled' ? bookings.value.map(outcome) : ['missing'];
      const key = `adjust ${adjustOutcome} / book ${bookOutcomes.join(',')}`;
      tally[key] = (tally[key] ?? 0) + 1;
      expect(['ok', 'CREDITS_WOULD_GO_NEGATIVE'], key).toContain(adjustOutcome);
      for (const b of bookOutcomes) expect(['ok', 'INSUFFICIENT_CREDITS'], key).toContain(b);
      const spent = bookOutcomes.filter((b) => b === 'ok').length;
      const balance = (await balancesOf(db, contact.contactId)).sjmini_credits;
      // Start + the adjustment that happened - what the successful bookings spent, and never below zero.
      expect(balance, key).toBe(2 + (adjustOutcome === 'ok' ? -2 : 0) - spent);
      expect(balance, key).toBeGreaterThanOrEqual(0);
      const { rows } = await db.query(
        `select count(*)::int as n from hubspot_bookings where associated_contact_id = $1 and is_active = 'Active'`,
        [contact.contactId],
      );
      expect(rows[0].n, key).toBe(spent);
    }
    console.info('adjust vs book', tally);
  });
});
