import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertContact, loginClient } from './helpers/factories';
import { failure } from './helpers/failure';
import { createSharedResources, type SharedResources, startTestService, type TestService } from './helpers/service';

/** bookings.create is limited per student across instances (issue 18 item 13), like logins are per source. */

let shared: SharedResources & { release(): Promise<void> };
let one: TestService;
let two: TestService;

beforeAll(async () => {
  shared = await createSharedResources();
  const env = { BOOKING_RATE_LIMIT_PER_STUDENT: '3', LOGIN_RATE_LIMIT_PER_IP: '100000' };
  [one, two] = await Promise.all([startTestService(env, { shared }), startTestService(env, { shared })]);
});
afterAll(async () => {
  await Promise.all([one?.stop(), two?.stop()]);
  await shared?.release();
});

describe('bookings.create per student', () => {
  it('refuses the 4th attempt within the minute on either instance, with a retry time; others are unaffected', async () => {
    const db = await shared.database.connect();
    const [hammer, other] = [await insertContact(db), await insertContact(db)];
    await db.end();
    const [a, b] = [await loginClient(one.url, hammer), await loginClient(two.url, hammer)];
    // Attempts count whatever their outcome (here: no such session).
    for (const api of [a, b, a])
      expect((await failure(api.bookings.create.mutate({ examId: 'no-such-exam' }))).appCode).toBe('EXAM_NOT_FOUND');
    const refused = await failure(b.bookings.create.mutate({ examId: 'no-such-exam' }));
    expect(refused).toMatchObject({ appCode: 'RATE_LIMITED', httpStatus: 429 });
    expect(refused.details).toEqual({ retryAfterSeconds: expect.any(Number) });

    const bystander = await loginClient(one.url, other);
    expect((await failure(bystander.bookings.create.mutate({ examId: 'no-such-exam' }))).appCode).toBe(
      'EXAM_NOT_FOUND',
    );
  });
});
