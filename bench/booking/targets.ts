import type { PgbenchResult } from './ceilings/pgbench';
import type { WorkloadResult } from './measure';
import { table } from './report';
import { TARGETS } from './settings';

export interface TargetRow {
  case: string;
  figure: string;
  ceiling: string;
  ratio: string;
  target: string;
  met: boolean | undefined;
}

const r2 = (n: number) => Math.round(n * 100) / 100;
const perSecond = (w: WorkloadResult, op: string) => (w.byOperation[op]?.outcomes.ok ?? 0) / (w.wallMs / 1000);

/** Issue 13's table: each case's figure, its ceiling measured in the same run, the ratio and the target. */
export function targetRows(p: {
  spread: WorkloadResult;
  pgbench: PgbenchResult | undefined;
  floor: WorkloadResult | undefined;
  floorRelease: WorkloadResult | undefined;
  stampede: WorkloadResult;
  listing: WorkloadResult;
  bare: WorkloadResult;
  openLoop: WorkloadResult;
  peakRssMiB: Record<string, number>;
}): TargetRow[] {
  const booked = perSecond(p.spread, 'bookings.create');
  const spreadOps = p.spread.byOperation['bookings.create'];
  const spreadRatio = p.pgbench ? booked / p.pgbench.tps : undefined;
  const floorRate = p.floor ? perSecond(p.floor, 'bare booking') : 0;
  const listingRate = perSecond(p.listing, 'exams.available');
  const bareRate = perSecond(p.bare, 'bare node:http');
  const listingRatio = bareRate > 0 ? listingRate / bareRate : undefined;
  const p95 = (op: string) => p.openLoop.byOperation[op]?.p95 ?? Number.NaN;
  const reads = Math.max(p95('exams.available'), p95('bookings.mine'));
  const servers = Object.entries(p.peakRssMiB).filter(([k]) => k.startsWith('server'));
  const rss = Math.max(...servers.map(([, v]) => v));
  return [
    {
      case: 'A spread: bookings/s, 500 sessions, 16 in flight',
      figure: `${booked.toFixed(0)}/s p50 ${spreadOps?.p50} p99 ${spreadOps?.p99} ms`,
      // The Node floor (ceilings/nodeFloor.ts) is context, not the target's ceiling: A's share of it says
      // how much of the gap to pgbench is the service's own stack.
      ceiling: `${p.pgbench ? `pgbench ${p.pgbench.tps.toFixed(0)} tps` : 'pgbench not found'}${floorRate ? `; Node floor ${floorRate.toFixed(0)}/s (A ${r2(booked / floorRate).toFixed(2)} of it)` : ''}`,
      ratio: spreadRatio === undefined ? '?' : r2(spreadRatio).toFixed(2),
      target: `≥ ${TARGETS.spreadVsPgbench} × pgbench`,
      met: spreadRatio === undefined ? undefined : spreadRatio >= TARGETS.spreadVsPgbench,
    },
    {
      case: 'B stampede: 2,000 students on 50 × 8 seats',
      figure: `wall ${(p.stampede.wallMs / 1000).toFixed(2)} s, p50 ${p.stampede.overall.p50} p99 ${p.stampede.overall.p99} ms`,
      // As A's floor: context for the absolute target, B's wall against a bare server's on this machine.
      ceiling: p.floorRelease
        ? `Node floor wall ${(p.floorRelease.wallMs / 1000).toFixed(2)} s (B ${r2(p.stampede.wallMs / p.floorRelease.wallMs).toFixed(2)} × it)`
        : '-',
      ratio: '-',
      target: `wall < ${TARGETS.stampedeWallMs / 1000} s`,
      met: p.stampede.wallMs < TARGETS.stampedeWallMs,
    },
    {
      case: 'C exams.available, 32 in flight',
      figure: `${listingRate.toFixed(0)} req/s p50 ${p.listing.overall.p50} ms`,
      ceiling: `bare node:http ${bareRate.toFixed(0)} req/s`,
      ratio: listingRatio === undefined ? '?' : r2(listingRatio).toFixed(2),
      target: `≥ ${TARGETS.listingVsBare} × bare`,
      met: listingRatio === undefined ? undefined : listingRatio >= TARGETS.listingVsBare,
    },
    {
      case: 'D open loop 50 bookings/s + 150 reads/s',
      figure: `booking p95 ${p95('bookings.create')} ms, reads p95 ${reads} ms`,
      ceiling: '-',
      ratio: '-',
      target: `p95 < ${TARGETS.openLoopP95Ms} ms`,
      met: Math.max(p95('bookings.create'), reads) < TARGETS.openLoopP95Ms,
    },
    {
      case: 'peak RSS of one instance (VmHWM)',
      figure: servers.map(([k, v]) => `${k} ${v.toFixed(0)} MiB`).join(', '),
      ceiling: '-',
      ratio: '-',
      target: `< ${TARGETS.peakRssMiB} MiB`,
      met: rss < TARGETS.peakRssMiB,
    },
  ];
}

export function renderTargets(rows: TargetRow[]): string {
  return table(
    ['case', 'figure', 'ceiling (same run)', 'ratio', 'target', 'met'],
    rows.map((r) => [r.case, r.figure, r.ceiling, r.ratio, r.target, r.met === undefined ? '?' : r.met ? 'yes' : 'NO']),
    new Set([3]),
  );
}
