import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, createClient } from '../client/src';
import { insertContact, type TestContact } from './helpers/factories';
import { failure } from './helpers/failure';
import { createSharedResources, type SharedResources, startTestService, type TestService } from './helpers/service';

/**
 * A targeted lockout (issue 18 item 5): wrong-email attempts against a student ID from one source
 * must not lock the real student out, on any instance; a global cap still holds guessing spread over
 * many sources. Two instances behind a "proxy" (TRUST_PROXY=1, the source is the X-Forwarded-For
 * entry the ALB appends), sharing Postgres and Redis like a deployment.
 */

let shared: SharedResources & { release(): Promise<void> };
let one: TestService;
let two: TestService;

beforeAll(async () => {
  shared = await createSharedResources();
  const env = {
    TRUST_PROXY: '1',
    LOGIN_RATE_LIMIT_PER_IP: '100000',
    LOGIN_RATE_LIMIT_PER_STUDENT: '10',
    LOGIN_RATE_LIMIT_PER_STUDENT_ALL_SOURCES: '15',
  };
  [one, two] = await Promise.all([startTestService(env, { shared }), startTestService(env, { shared })]);
});
afterAll(async () => {
  await Promise.all([one?.stop(), two?.stop()]);
  await shared?.release();
});

const from = (service: TestService, ip: string): Client =>
  createClient({ url: `${service.url}/api/trpc`, headers: { 'x-forwarded-for': ip } });

async function newStudent(): Promise<TestContact> {
  const db = await shared.database.connect();
  try {
    return await insertContact(db);
  } finally {
    await db.end();
  }
}

const attempt = (client: Client, c: TestContact, email: string) =>
  client.auth.login.mutate({ studentId: c.studentId, email });

describe('login failures counted per student and source', () => {
  it('lets the real student in while the attacking source is refused', async () => {
    const target = await newStudent();
    const attacker = from(one, '203.0.113.66');
    for (let i = 0; i < 10; i++)
      expect((await failure(attempt(attacker, target, `guess${i}@example.com`))).appCode).toBe('UNAUTHENTICATED');
    // The attacker's source is now refused for this student, on either instance, right email or not.
    expect((await failure(attempt(attacker, target, 'guess@example.com'))).appCode).toBe('RATE_LIMITED');
    expect((await failure(attempt(from(two, '203.0.113.66'), target, target.email))).appCode).toBe('RATE_LIMITED');

    // The student, from home, on the other instance: in.
    const session = await attempt(from(two, '198.51.100.10'), target, target.email);
    expect(session.contact.contactId).toBe(target.contactId);
  });

  it('keeps a global cap: past it, every source that failed on the student is refused, a clean one is not', async () => {
    const target = await newStudent();
    // 15 failures spread over 5 sources (3 each, under the per-source limit of 10).
    for (let s = 0; s < 5; s++) {
      const source = from(s % 2 ? one : two, `192.0.2.${s + 1}`);
      for (let i = 0; i < 3; i++) await failure(attempt(source, target, `spread${s}-${i}@example.com`));
    }
    for (let s = 0; s < 5; s++) {
      const source = from(s % 2 ? two : one, `192.0.2.${s + 1}`);
      expect((await failure(attempt(source, target, target.email))).appCode).toBe('RATE_LIMITED');
    }
    const session = await attempt(from(one, '198.51.100.20'), target, target.email);
    expect(session.contact.contactId).toBe(target.contactId);
  });
});
