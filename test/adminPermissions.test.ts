import { afterAll, describe, expect, it } from 'vitest';
import { type Client, createClient } from '../client/src';
import { appRouter } from '../server/routers';
import { insertContact, loginClient } from './helpers/factories';
import { failure } from './helpers/failure';
import { startOidcIssuer } from './helpers/oidcIssuer';
import { useTestService } from './helpers/service';

const idp = await startOidcIssuer();
afterAll(() => idp.close());
const s = useTestService({ ...idp.env, LOGIN_RATE_LIMIT_PER_IP: '1000' });

const ROLES = ['super_admin', 'admin', 'coordinator', 'viewer'] as const;
type Role = (typeof ROLES)[number];

/** The roles, written out independently of the code: which permissions each grants. */
const GRANTS: Record<Role, string[]> = {
  super_admin: [
    'exams.view',
    'exams.create',
    'exams.edit',
    'exams.delete',
    'exams.activate',
    'bookings.view',
    'bookings.create',
    'bookings.cancel',
    'bookings.attendance',
    'bookings.export',
    'credits.adjust',
  ],
  admin: [
    'exams.view',
    'exams.create',
    'exams.edit',
    'exams.activate',
    'bookings.view',
    'bookings.create',
    'bookings.cancel',
    'bookings.attendance',
    'bookings.export',
    'credits.adjust',
  ],
  coordinator: ['exams.view', 'bookings.view', 'bookings.create', 'bookings.attendance'],
  viewer: ['exams.view', 'bookings.view'],
};

/**
 * Every admin procedure: its permission and a call that changes nothing (unknown ids), so an allowed
 * role gets a result or a NOT_FOUND-style answer, never FORBIDDEN.
 */
const NO_BOOKING = '00000000-0000-4000-8000-000000000000';
const PROCEDURES: Record<string, { permission: string; kind: 'query' | 'mutate'; input: unknown }> = {
  'exams.list': { permission: 'exams.view', kind: 'query', input: {} },
  'exams.get': { permission: 'exams.view', kind: 'query', input: { examId: 'no-such-exam' } },
  'exams.create': {
    permission: 'exams.create',
    kind: 'mutate',
    // Refused by the schema (end before start) after the permission check: nothing is created.
    input: {
      mockType: 'Mini-mock',
      examDate: '2031-01-01',
      startTime: '10:00',
      endTime: '09:00',
      location: 'X',
      capacity: 1,
    },
  },
  'exams.update': { permission: 'exams.edit', kind: 'mutate', input: { examId: 'no-such-exam', capacity: 5 } },
  'exams.setStatus': {
    permission: 'exams.activate',
    kind: 'mutate',
    input: { examIds: ['no-such-exam'], status: 'active' },
  },
  'exams.delete': { permission: 'exams.delete', kind: 'mutate', input: { examIds: ['no-such-exam'] } },
  'bookings.rebook': {
    permission: 'bookings.create',
    kind: 'mutate',
    input: { bookingId: NO_BOOKING, examId: 'no-such-exam' },
  },
  'trainees.search': { permission: 'bookings.view', kind: 'query', input: { query: 'nobody-at-all' } },
  'trainees.get': { permission: 'bookings.view', kind: 'query', input: { contactId: 'no-such-contact' } },
  'credits.adjust': {
    permission: 'credits.adjust',
    kind: 'mutate',
    input: { contactId: 'no-such-contact', creditType: 'cs', delta: 1, reason: 'matrix' },
  },
  'exams.bulkCreate': {
    permission: 'exams.create',
    kind: 'mutate',
    // Refused by the schema (no capacity at all) after the permission check: nothing is created.
    input: {
      mockType: 'Mini-mock',
      examDate: '2031-01-01',
      location: 'X',
      timeSlots: [{ startTime: '09:00', endTime: '10:00' }],
    },
  },
  'exams.clone': {
    permission: 'exams.create',
    kind: 'mutate',
    input: { examIds: ['no-such-exam'], examDate: '2031-01-01' },
  },
  'exams.import': { permission: 'exams.create', kind: 'mutate', input: { csv: 'mock_type\nNonsense', dryRun: true } },
  'exams.dashboard': { permission: 'exams.view', kind: 'query', input: {} },
  'exams.bulkUpdate': {
    permission: 'exams.edit',
    kind: 'mutate',
    input: { examIds: ['no-such-exam'], updates: { capacity: 5 } },
  },
  'exams.setPrerequisites': {
    permission: 'exams.edit',
    kind: 'mutate',
    input: { examId: 'no-such-exam', prerequisiteExamIds: [] },
  },
  'audit.list': { permission: 'bookings.view', kind: 'query', input: {} },
  'bookings.roster': { permission: 'bookings.view', kind: 'query', input: { examId: 'no-such-exam' } },
  'bookings.markAttendance': {
    permission: 'bookings.attendance',
    kind: 'mutate',
    input: { examId: 'no-such-exam', bookingIds: [NO_BOOKING], attendance: 'Yes' },
  },
  'bookings.cancel': {
    permission: 'bookings.cancel',
    kind: 'mutate',
    input: { bookingIds: [NO_BOOKING], refund: true },
  },
  'bookings.create': {
    permission: 'bookings.create',
    kind: 'mutate',
    input: { examId: 'no-such-exam', contactId: 'no-such-contact' },
  },
};

type Callable = Record<string, Record<string, Record<'query' | 'mutate', (input: unknown) => Promise<unknown>>>>;
const call = (client: Client, path: string) => {
  const [group, name] = path.split('.') as [string, string];
  const { kind, input } = PROCEDURES[path]!;
  return (client.admin as unknown as Callable)[group]![name]![kind](input);
};

describe('the permission matrix', () => {
  it('lists every admin procedure of the router', () => {
    const inRouter = Object.keys(appRouter._def.procedures)
      .filter((p) => p.startsWith('admin.'))
      .map((p) => p.slice('admin.'.length));
    expect(inRouter.sort()).toEqual(Object.keys(PROCEDURES).sort());
  });

  const cases = ROLES.flatMap((role) => Object.keys(PROCEDURES).map((path) => [role, path] as const));
  it.each(cases)('%s calling admin.%s', async (role, path) => {
    const client = createClient({ url: `${s.url}/api/trpc`, getToken: () => token });
    const token = await idp.token(role);
    const allowed = GRANTS[role].includes(PROCEDURES[path]!.permission);
    const outcome = await call(client, path).then(
      () => 'ok',
      (err: unknown) => (err as { data?: { appCode?: string } }).data?.appCode ?? String(err),
    );
    if (allowed) expect(outcome).not.toMatch(/FORBIDDEN|UNAUTHENTICATED|INTERNAL/);
    else expect(outcome).toBe('FORBIDDEN');
  });

  it('a student session token is refused on every admin procedure', async () => {
    const contact = await insertContact(s.db);
    const student = await loginClient(s.url, contact);
    for (const path of Object.keys(PROCEDURES)) {
      expect(await failure(call(student, path)), path).toMatchObject({ appCode: 'UNAUTHENTICATED' });
    }
  });
});
