import type { LatencyStats, WorkloadResult } from './measure';

export function table(header: string[], rows: string[][], rightAlign: Set<number>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (rightAlign.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export const formatOutcomes = (o: Record<string, number>) =>
  Object.entries(o)
    .sort((a, b) => (a[0] === 'ok' ? -1 : b[0] === 'ok' ? 1 : b[1] - a[1]))
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');

export function renderWorkload(w: WorkloadResult): string {
  const figures = (label: string, s: Omit<LatencyStats, 'byOutcome' | 'outcomes'>, outcomes: string) => [
    label,
    String(s.requests),
    s.p50.toFixed(1),
    s.p95.toFixed(1),
    s.p99.toFixed(1),
    s.max.toFixed(1),
    outcomes,
  ];
  const rows = [
    ...Object.entries(w.byOperation).flatMap(([op, s]) => [
      figures(op, s, formatOutcomes(s.outcomes)),
      ...Object.entries(s.byOutcome ?? {}).map(([o, f]) => figures(`  ↳ ${o}`, f, '')),
    ]),
    [
      '(all)',
      String(w.overall.requests),
      w.overall.p50.toFixed(1),
      w.overall.p95.toFixed(1),
      w.overall.p99.toFixed(1),
      w.overall.max.toFixed(1),
      formatOutcomes(w.overall.outcomes),
    ],
  ];
  const out = [
    `== ${w.name}: ${w.description}`,
    `requests ${w.requests}   wall ${(w.wallMs / 1000).toFixed(2)} s   throughput ${w.throughput.toFixed(1)} req/s`,
    table(['operation', 'n', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'outcomes'], rows, new Set([1, 2, 3, 4, 5])),
    `peak RSS (sampled VmRSS): ${Object.entries(w.peakRssMiB)
      .map(([k, v]) => `${k} ${v.toFixed(1)} MiB`)
      .join(', ')}`,
    `CPU time: ${Object.entries(w.cpuSeconds)
      .map(([k, v]) => `${k} ${v.toFixed(2)} s`)
      .join(', ')}; machine busy ${w.machineCpuBusyPercent ?? '?'}% of all cores`,
    ...w.notes,
  ];
  out.push(
    `errors (unexpected outcomes, by code): ${Object.keys(w.unexpected).length > 0 ? formatOutcomes(w.unexpected) : 'none'}`,
  );
  for (const c of w.checks) out.push(`${c.pass ? 'PASS' : 'FAIL'}  ${c.name} — ${c.detail}`);
  return out.join('\n');
}
