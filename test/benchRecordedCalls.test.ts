import { describe, expect, it } from 'vitest';
import { recordCall, sendRecorded } from '../bench/booking/recordedCalls';
import { createClient, isAppError } from '../client/src';
import { insertContact, insertExam } from './helpers/factories';
import { useTestService } from './helpers/service';

/**
 * The booking bench replays requests recorded from the typed client (bench/booking/recordedCalls.ts)
 * instead of sending them through it. Its figures are the service's only if the replayed bytes are the
 * client's own and their outcomes are named as the client names them: both are checked here against
 * the real service.
 */
const s = useTestService({ LOGIN_RATE_LIMIT_PER_IP: '100000' });
const { db } = s;

const trpcUrl = () => `${s.url}/api/trpc`;

async function tokenOf(contact: { studentId: string; email: string }): Promise<string> {
  return (await s.client.auth.login.mutate({ studentId: contact.studentId, email: contact.email })).token;
}

/** What the typed client itself answers for `call`: `ok` or its app error's code. */
async function clientOutcome(
  token: string | undefined,
  call: (c: ReturnType<typeof createClient>) => Promise<unknown>,
) {
  try {
    await call(createClient({ url: trpcUrl(), getToken: () => token }));
    return 'ok';
  } catch (err) {
    if (isAppError(err)) return err.data.appCode;
    throw err;
  }
}

describe("the bench's recorded calls", () => {
  it('are the bytes the typed client sends', async () => {
    const contact = await insertContact(db, { cs_credits: 1 });
    const token = await tokenOf(contact);
    const examId = await insertExam(db, { mockType: 'Clinical Skills' });
    const sent: Array<{ method: string; url: string; headers: Record<string, string>; body: unknown }> = [];
    // The typed client sending for real, its requests captured on their way out.
    const client = createClient({
      url: trpcUrl(),
      getToken: () => token,
      fetch: (input, init) => {
        sent.push({
          method: init?.method ?? 'GET',
          url: String(input),
          headers: Object.fromEntries(new Headers(init?.headers as ConstructorParameters<typeof Headers>[0])),
          body: init?.body,
        });
        return fetch(input, init);
      },
    });
    await client.bookings.create.mutate({ examId, dominantHand: 'Right' });
    await client.bookings.mine.query();
    const recorded = [
      await recordCall(trpcUrl(), token, (c) => c.bookings.create.mutate({ examId, dominantHand: 'Right' })),
      await recordCall(trpcUrl(), token, (c) => c.bookings.mine.query()),
    ];
    expect(recorded.map((r) => [r.method, r.url, r.body])).toEqual(sent.map((r) => [r.method, r.url, r.body]));
    for (const [i, r] of recorded.entries()) {
      expect(r.headers.authorization).toBe(`Bearer ${token}`);
      expect(r.headers['content-type']).toBe(sent[i]!.headers['content-type']);
    }
    expect(recorded[0]!.headers['content-length']).toBe(String(Buffer.byteLength(recorded[0]!.body!)));
  });

  it('replayed, answer what the typed client answers, named as it names them', async () => {
    const contact = await insertContact(db, { cs_credits: 2 });
    const token = await tokenOf(contact);
    const roomy = await insertExam(db, { mockType: 'Clinical Skills', capacity: 5 });
    const full = await insertExam(db, { mockType: 'Clinical Skills', capacity: 0 });
    const book = (examId: string) => (c: ReturnType<typeof createClient>) =>
      c.bookings.create.mutate({ examId, dominantHand: 'Right' });

    const booking = await recordCall(trpcUrl(), token, book(roomy));
    expect(await sendRecorded(booking)).toBe('ok');
    const { rows } = await db.query(
      'select count(*)::int as n from hubspot_bookings where associated_contact_id = $1 and associated_mock_exam = $2',
      [contact.contactId, roomy],
    );
    expect(rows[0].n).toBe(1);
    // The same booking again, and a full session: refusals the client names by their app codes.
    expect(await sendRecorded(booking)).toBe(await clientOutcome(token, book(roomy)));
    expect(await sendRecorded(booking)).toBe('DUPLICATE_BOOKING');
    expect(await sendRecorded(await recordCall(trpcUrl(), token, book(full)))).toBe('EXAM_FULL');
    expect(await clientOutcome(token, book(full))).toBe('EXAM_FULL');
    // No session token at all.
    expect(await sendRecorded(await recordCall(trpcUrl(), undefined, book(roomy)))).toBe(
      await clientOutcome(undefined, book(roomy)),
    );
    // A query: a 200 is `ok` without reading its body.
    expect(await sendRecorded(await recordCall(trpcUrl(), token, (c) => c.bookings.mine.query()))).toBe('ok');
  });
});
