import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { createClient } from '../../../client/src';
import { signDevToken } from '../../../server/admin/auth/devIssuer';
import type { ServerProcess } from '../cleanup';
import { type Check, runPool, type Sample, summarize, timed, type WorkloadResult } from '../measure';
import type { ResourceSampler } from '../resources';
import {
  ADMIN_FULL_SESSION_SEATS,
  ADMIN_LIST_CALLS,
  ADMIN_MARK_CALLS,
  ADMIN_PAGE_SIZE,
  ADMIN_ROSTER_CALLS,
  ADMIN_SESSIONS,
  log,
  runId,
} from '../settings';

const FULL_SESSION = 'bench-adm-full';

/**
 * The development issuer's key of this run only (never the repository's .data key): made, owner-only,
 * when the admin workload signs its token, read by the servers per token, removed when it is done.
 */
export const adminKeyFile = join(tmpdir(), `mb-bench-${runId}-admin-dev-key.json`);

/**
 * Issue 10's admin fixture: ADMIN_SESSIONS inactive sessions (never in the students' listing), two a
 * day over the past and coming years as a school's history looks, and one full session whose seats
 * are taken by the first students (rows written directly, no credit spent: the credit checks of the
 * other workloads stay exact). Its date is far out, so no student's own booking clashes with it.
 */
export async function seedAdminData(db: pg.Client): Promise<void> {
  await db.query(
    `insert into hubspot_mock_exams (hubspot_id, mock_type, mock_set, exam_date, start_time, end_time, location, capacity, is_active)
     select 'bench-adm-' || g, (array['Clinical Skills','Situational Judgment','Mini-mock','Mock Discussion'])[1 + g % 4], 'A',
            d, d + make_interval(hours => 9 + 4 * (g % 2)), d + make_interval(hours => 12 + 4 * (g % 2)),
            (array['Toronto','Mississauga','Vancouver'])[1 + g % 3], 40, 'false'
       from generate_series(1, $1::int) g, lateral (select current_date - 1200 + g / 2 as d) day`,
    [ADMIN_SESSIONS],
  );
  await db.query(
    `insert into hubspot_mock_exams (hubspot_id, mock_type, mock_set, exam_date, start_time, end_time, location, capacity, total_bookings, is_active)
     select $1, 'Mini-mock', 'A', d, d + time '09:00', d + time '12:00', 'Toronto', $2, $2, 'false'
       from (select current_date + 3000 as d) day`,
    [FULL_SESSION, ADMIN_FULL_SESSION_SEATS],
  );
  await db.query(
    `insert into hubspot_bookings (associated_contact_id, associated_mock_exam, student_id, name, student_email, exam_date, start_time, end_time, mock_type, token_used, is_active)
     select c.hubspot_id, e.hubspot_id, c.student_id, c.firstname || ' ' || c.lastname, c.email, e.exam_date, e.start_time, e.end_time, e.mock_type, 'Mini-mock Token', 'Active'
       from hubspot_mock_exams e, lateral (select * from hubspot_contact_credits where hubspot_id like 'bench-c-%' order by hubspot_id limit $2) c
      where e.hubspot_id = $1`,
    [FULL_SESSION, ADMIN_FULL_SESSION_SEATS],
  );
}

/**
 * Workload E (issue 10): the admin screens against the same two instances. The session list's first
 * page sorted by date, as the admin UI opens it, over every session; the roster of the full session
 * with its attendance summary; and attendance of all its bookings in one call, cycling Yes → No →
 * unmark (each call changes every booking) and ending on Yes. Two admins, one per instance.
 */
export async function adminScreens(
  db: pg.Client,
  servers: ServerProcess[],
  sampler: ResourceSampler,
): Promise<WorkloadResult> {
  try {
    const token = await signDevToken(adminKeyFile, { email: 'bench@school.example', role: 'admin', ttlSeconds: 3600 });
    const admins = servers.map((s) => createClient({ url: `${s.url}/api/trpc`, getToken: () => token }));
    const admin = (i: number) => admins[i % admins.length]!;
    const { rows } = await db.query<{ id: string }>(
      'select id from hubspot_bookings where associated_mock_exam = $1 order by id',
      [FULL_SESSION],
    );
    const bookingIds = rows.map((r) => r.id);
    const samples: Sample[] = [];
    const listed: number[] = [];
    const listTasks = Array.from({ length: ADMIN_LIST_CALLS }, (_, i) => async () => {
      const page = await timed(samples, 'admin.exams.list', () =>
        admin(i).admin.exams.list.query({ sort: 'date', order: 'asc', page: 1, pageSize: ADMIN_PAGE_SIZE }),
      );
      if (page) listed.push(page.total);
    });
    const rosterSizes: number[] = [];
    const rosterTasks = Array.from({ length: ADMIN_ROSTER_CALLS }, (_, i) => async () => {
      const roster = await timed(samples, 'admin.bookings.roster', () =>
        admin(i).admin.bookings.roster.query({ examId: FULL_SESSION, pageSize: ADMIN_FULL_SESSION_SEATS }),
      );
      if (roster) rosterSizes.push(roster.items.length);
    });
    // Yes → No → unmark from unmarked bookings, so every call changes all of them; ADMIN_MARK_CALLS is
    // one more than a multiple of three, so the last is Yes (the checks below expect every booking attended).
    const marks = Array.from({ length: ADMIN_MARK_CALLS }, (_, i) => (['Yes', 'No', null] as const)[i % 3]!);
    const updated: number[] = [];

    log(
      `workload E: ${ADMIN_LIST_CALLS} session lists over ${ADMIN_SESSIONS}+ sessions, ${ADMIN_ROSTER_CALLS} rosters and ${ADMIN_MARK_CALLS} attendance calls of ${bookingIds.length} bookings`,
    );
    sampler.start();
    const t0 = performance.now();
    await runPool(listTasks, 4);
    await runPool(rosterTasks, 4);
    // One after another: every call covers the same 100 bookings, as one coordinator's clicks would.
    for (const [i, attendance] of marks.entries()) {
      const result = await timed(samples, 'admin.bookings.markAttendance', () =>
        admin(i).admin.bookings.markAttendance.mutate({ examId: FULL_SESSION, bookingIds, attendance }),
      );
      if (result) updated.push(result.summary.updated);
    }
    const wall = performance.now() - t0;
    const resources = sampler.stop();

    // The summary as the roster screen shows it after the marks (not timed), against the rows.
    const after = await admin(0).admin.bookings.roster.query({ examId: FULL_SESSION, pageSize: 1 });
    const checks = await adminChecks(db, bookingIds.length, {
      listed,
      rosterSizes,
      updated,
      summary: after.attendance,
    });
    log(`workload E done in ${(wall / 1000).toFixed(1)} s`);
    return summarize(
      'E admin',
      `session list (first page of ${ADMIN_PAGE_SIZE} by date), roster of a full session (${ADMIN_FULL_SESSION_SEATS}), attendance of ${ADMIN_FULL_SESSION_SEATS} in one call; both instances`,
      samples,
      wall,
      resources,
      new Set(['ok']),
      checks,
    );
  } finally {
    rmSync(adminKeyFile, { force: true });
  }
}

async function adminChecks(
  db: pg.Client,
  seats: number,
  seen: {
    listed: number[];
    rosterSizes: number[];
    updated: number[];
    summary: { attended: number; noShow: number; unmarked: number };
  },
): Promise<Check[]> {
  const { rows } = await db.query<{ sessions: number; completed: number; attended: number; other: number }>(
    `select (select count(*)::int from hubspot_mock_exams) as sessions,
            count(*) filter (where is_active = 'Completed')::int as completed,
            count(*) filter (where attendance = 'Yes' and is_active <> 'Cancelled')::int as attended,
            count(*) filter (where is_active <> 'Completed' or attendance is distinct from 'Yes')::int as other
       from hubspot_bookings where associated_mock_exam = $1`,
    [FULL_SESSION],
  );
  const db0 = rows[0]!;
  return [
    {
      name: `the session list counts every session (≥ ${ADMIN_SESSIONS})`,
      pass: seen.listed.length > 0 && seen.listed.every((n) => n === db0.sessions && n >= ADMIN_SESSIONS),
      detail: `list total ${[...new Set(seen.listed)].join(', ')}, sessions in the table ${db0.sessions}`,
    },
    {
      name: 'every roster shows the full session',
      pass: seen.rosterSizes.length > 0 && seen.rosterSizes.every((n) => n === seats),
      detail: `rows per roster ${[...new Set(seen.rosterSizes)].join(', ')} of ${seats}`,
    },
    {
      name: 'every attendance call changed every booking',
      pass: seen.updated.length > 0 && seen.updated.every((n) => n === seats),
      detail: `updated per call ${[...new Set(seen.updated)].join(', ')} of ${seats}`,
    },
    {
      name: `after the last call (Yes) all ${seats} bookings are Completed and attended`,
      pass: db0.completed === seats && db0.attended === seats && db0.other === 0,
      detail: `completed ${db0.completed}, attended ${db0.attended}, other ${db0.other}`,
    },
    {
      name: "the roster's attendance summary agrees with the rows",
      pass: seen.summary.attended === db0.attended && seen.summary.noShow === 0 && seen.summary.unmarked === 0,
      detail: `summary attended ${seen.summary.attended}, no-show ${seen.summary.noShow}, unmarked ${seen.summary.unmarked}`,
    },
  ];
}
