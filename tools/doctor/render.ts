import type { CheckResult, CheckStatus } from './check';
import type { DoctorReport } from './run';

const GLYPH: Record<CheckStatus, string> = { pass: '✓', warn: '!', fail: '✗', skip: '-' };
const NAME_WIDTH = 24;

/** One line per check; a failure (or warning) adds its cause and fix, indented under it. */
export function renderResult(r: CheckResult): string {
  const head =
    `${GLYPH[r.status]} ${r.name.padEnd(NAME_WIDTH)} ${String(r.ms).padStart(5)} ms  ${r.detail ?? ''}`.trimEnd();
  const lines = [head];
  if (r.cause) lines.push(`      cause: ${r.cause}`);
  if (r.fix) lines.push(`      fix:   ${r.fix}`);
  return lines.join('\n');
}

export function renderSummary(report: DoctorReport): string {
  const count = (s: CheckStatus) => report.checks.filter((c) => c.status === s).length;
  const [failed, skipped, warned] = [count('fail'), count('skip'), count('warn')];
  const warnings = warned > 0 ? `, ${warned} warning${warned === 1 ? '' : 's'}` : '';
  if (report.ok) return `OK: ${report.checks.length} checks passed${warnings}.`;
  return `FAILED: ${failed} check${failed === 1 ? '' : 's'} failed${skipped > 0 ? `, ${skipped} not run` : ''}${warnings}. Fix the first ✗ first: later ones often follow from it.`;
}
