import { Writable } from 'node:stream';
import { pino } from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { insertContact, insertExam, loginClient } from './helpers/factories';
import { failure } from './helpers/failure';
import { useTestService } from './helpers/service';

/** What the log keeps of a failed booking insert: the SQL and Postgres' diagnosis, never the row (issue 18 item 4). */

const lines: string[] = [];
const sink = new Writable({
  write(chunk, _encoding, done) {
    lines.push(String(chunk));
    done();
  },
});
const s = useTestService({}, { logger: pino({ level: 'info' }, sink) });

beforeAll(async () => {
  // A rule the service does not know about makes the insert fail the way a bug would.
  await s.db.query(
    "alter table hubspot_bookings add constraint harden_refuses_this check (dominant_hand is distinct from 'Left')",
  );
});

describe('a failed insert', () => {
  it('is logged once with its constraint and query, without the student ID, name or email it carried', async () => {
    const contact = await insertContact(s.db, { cs_credits: 1 }, { firstname: 'Ada' });
    const examId = await insertExam(s.db);
    const api = await loginClient(s.url, contact);
    lines.length = 0;
    const data = await failure(api.bookings.create.mutate({ examId, dominantHand: 'Left' }));
    expect(data.appCode).toBe('INTERNAL_ERROR');

    const logged = lines.find((line) => line.includes('trpc: internal error'));
    expect(logged, lines.join('\n')).toBeDefined();
    const { err } = JSON.parse(logged!) as { err: { message: string; stack: string } };
    expect(err.stack).toContain('harden_refuses_this');
    // The booking is one statement (the book_seat function, issue 13): the query logged is that call
    // with its placeholders, and Postgres names the table the insert inside it failed on.
    expect(err.message).toMatch(/from book_seat\(\$1, \$2/);
    expect(err.message).toContain('relation "hubspot_bookings"');
    for (const value of [contact.studentId, contact.email, 'Ada Tester']) expect(logged).not.toContain(value);
    // Nothing else logged about the request carries them either.
    for (const line of lines) expect(line).not.toContain(contact.email);
  });
});
