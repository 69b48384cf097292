import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { insertContact, insertExam, loginClient } from './helpers/factories';
import { createSharedResources, type SharedResources, startTestService, type TestService } from './helpers/service';
import { startTcpProxy, type TcpProxy } from './helpers/tcpProxy';

/**
 * Issue 16's promise kept by the one-statement booking (book_seat, issue 13): after a failover or a
 * rotation the pool can hold connections whose backend went away while they were idle. A booking that
 * draws one must be retried on a fresh connection, not answered 503.
 */
let shared: SharedResources & { release(): Promise<void> };
let proxy: TcpProxy;
let service: TestService;
let db: Awaited<ReturnType<SharedResources['database']['connect']>>;

beforeAll(async () => {
  shared = await createSharedResources();
  const pgPort = Number(new URL(inject('postgresAdminUrl')).port || 5432);
  proxy = await startTcpProxy(pgPort);
  service = await startTestService(
    { DATABASE_URL: shared.database.url.replace(`:${pgPort}/`, `:${proxy.port}/`) },
    { shared },
  );
  db = await shared.database.connect();
}, 60_000);
afterAll(async () => {
  await db?.end();
  await service?.stop();
  await proxy?.close();
  await shared?.release();
});

it('a booking that draws a pooled connection which died while idle is retried once and succeeds', async () => {
  const contact = await insertContact(db, { cs_credits: 2 });
  const [first, second] = [await insertExam(db), await insertExam(db, { examDate: '2032-06-02' })];
  const student = await loginClient(service.url, contact);
  // Warms the booking pool: its connection stays idle in the pool afterwards.
  await student.bookings.create.mutate({ examId: first, dominantHand: 'Right' });

  proxy.severQuietly();

  const booked = await student.bookings.create.mutate({ examId: second, dominantHand: 'Right' });
  expect(booked).toMatchObject({ examId: second });
  const { rows } = await db.query(
    `select count(*)::int as n, min(c.cs_credits) as credits from hubspot_bookings b
       join hubspot_contact_credits c on c.hubspot_id = b.associated_contact_id
      where b.associated_contact_id = $1 and b.is_active <> 'Cancelled'`,
    [contact.contactId],
  );
  expect(rows[0]).toEqual({ n: 2, credits: 0 });
});
