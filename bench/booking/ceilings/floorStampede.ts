import type pg from 'pg';
import { expectedWins, pick, sessionCounts } from '../data';
import { send } from '../httpRequest';
import { type Check, summarize, type WorkloadResult } from '../measure';
import { fireAtOnce } from '../release';
import type { ResourceSampler } from '../resources';
import { log, STAMPEDE_CAPACITY, STAMPEDE_SESSIONS, STUDENTS } from '../settings';
import { type FloorServer, floorBooking, floorOutcome } from './floorServers';

const PREFIX = 'pgb-rel';

/**
 * Sessions for the floor's release, as many and as small as B's, opened at once (inserted bookable):
 * Clinical Skills, the type the floor's booking details suit, each on a date of its own that no other
 * ceiling session uses, so a ceiling student's earlier bookings neither duplicate nor overlap them.
 */
async function openFloorRelease(db: pg.Client): Promise<string[]> {
  const { rows } = await db.query<{ hubspot_id: string }>(
    `insert into hubspot_mock_exams (hubspot_id, mock_type, mock_set, exam_date, start_time, end_time, location, capacity, is_active)
     select '${PREFIX}-' || g, 'Clinical Skills', 'A', d, d + time '09:00', d + time '12:00', 'Toronto', $2, 'true'
       from generate_series(1, $1::int) g, lateral (select current_date + 3000 + g as d) day
     returning hubspot_id`,
    [STAMPEDE_SESSIONS, STAMPEDE_CAPACITY],
  );
  return rows.map((r) => r.hubspot_id);
}

/**
 * B's ceiling, the Node floor's release: on the two warm floor processes (floorServers.ts), B's
 * release as they can take it: STUDENTS ceiling students each book one of STAMPEDE_SESSIONS sessions of
 * STAMPEDE_CAPACITY seats, all in the same instant, fired as B is (release.ts). What the service takes
 * beyond the floor's wall is its own stack; what the floor takes is the machine's.
 */
export async function floorStampede(
  db: pg.Client,
  servers: FloorServer[],
  sampler: ResourceSampler,
): Promise<WorkloadResult> {
  const sessions = await openFloorRelease(db);
  const targets = Array.from({ length: STUDENTS }, () => pick(sessions));
  const calls = targets.map((examId, i) => floorBooking(servers[i % servers.length]!, examId, `pgb-c-${i + 1}`));
  log(
    `ceiling: Node floor's release, ${calls.length} bookings at once on ${sessions.length} × ${STAMPEDE_CAPACITY} seats`,
  );
  const { samples, wallMs, resources, timeline } = await fireAtOnce(
    'bare booking',
    calls.length,
    async (i, agent) => floorOutcome(await send(agent, calls[i]!)),
    sampler,
  );
  const ok = samples.filter((s) => s.outcome === 'ok').length;
  const expected = expectedWins(targets, STAMPEDE_CAPACITY);
  const counts = await sessionCounts(db, PREFIX);
  const booked = counts.reduce((sum, c) => sum + c.active, 0);
  const checks: Check[] = [
    {
      name: `Node floor's release: every reachable seat sold, answered ok = booking rows, none over capacity`,
      pass:
        ok === expected &&
        booked === ok &&
        counts.every((c) => c.active <= c.capacity && c.total_bookings === c.active),
      detail: `ok=${ok}, reachable=${expected}, rows=${booked}, over capacity=${counts.filter((c) => c.active > c.capacity).length}`,
    },
  ];
  return summarize(
    'B floor',
    `B's release on the two bare booking servers (bareBooking.mjs): ${STUDENTS} ceiling students at once on ${STAMPEDE_SESSIONS} × ${STAMPEDE_CAPACITY} seats`,
    samples,
    wallMs,
    resources,
    new Set(['ok', 'FULL']),
    checks,
    [timeline('ok', 'FULL')],
  );
}
