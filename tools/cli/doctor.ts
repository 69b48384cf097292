// `npm run doctor [-- --json]`: the preflight an operator runs in staging and before a cutover, with
// the environment the service will get. One line per check; each failure with its cause and fix.
// Exit status: 0 everything passed (warnings allowed), 1 something failed, 2 bad arguments.

import { serviceVersion } from '../../server/runtime/version';
import { parseCliArgs } from '../cliKit/args';
import type { CheckResult } from '../doctor/check';
import { checkRuntimeDependencies } from '../doctor/dependencies';
import { explain } from '../doctor/explain';
import { renderResult, renderSummary } from '../doctor/render';
import type { DoctorReport } from '../doctor/run';

const usage = `Usage: npm run doctor [-- --json]

Checks, with the configuration from the environment (the same variables as the service):
configuration, installed runtime dependencies, Secrets Manager secrets, the Postgres connection
(through the service's own TLS and credential code), server version (14+), pending migrations,
the service's tables, and Redis (PING + SET/GET/DEL under REDIS_KEY_PREFIX).

  --json    print a machine-readable report: { ok, version, checks: [{ name, status, ok, ms, detail, cause, fix }] }

Exit status: 0 all checks passed (warnings allowed); 1 a check failed; 2 bad arguments.
See docs/OPERATIONS.md for what each failure means.`;

const json = parseCliArgs(usage, { json: { type: 'boolean' } }).json === true;
const print = (report: DoctorReport) =>
  process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : `${renderSummary(report)}\n`);
const printResult = (result: CheckResult) => {
  if (!json) process.stdout.write(`${renderResult(result)}\n`);
};

/**
 * The checks import pg, ioredis, the AWS SDK… When one of those is not installed (the outage we had),
 * loading them fails: report which packages are missing instead of crashing with a stack trace.
 */
async function reportUnloadableChecks(loadError: unknown): Promise<DoctorReport> {
  const started = performance.now();
  const failure = await checkRuntimeDependencies().then(
    () => loadError,
    (err: unknown) => err,
  );
  const { rule, cause, fix } = explain(failure, { target: 'dependencies' });
  const detail = failure instanceof Error ? failure.message : String(failure);
  const result: CheckResult = {
    name: 'runtime dependencies',
    status: 'fail',
    ok: false,
    ms: Math.round(performance.now() - started),
    detail,
    cause,
    fix,
    rule,
  };
  const notRun = ['config', 'secrets', 'postgres connection', 'redis'].map(
    (name): CheckResult => ({
      name,
      status: 'skip',
      ok: false,
      ms: 0,
      detail: 'not run: these checks need the missing packages',
    }),
  );
  for (const r of [result, ...notRun]) printResult(r);
  return { ok: false, version: serviceVersion, checks: [result, ...notRun] };
}

if (!json) process.stdout.write(`mocks-booking ${serviceVersion} doctor\n`);
const checks = await import('../doctor/run').catch((err: unknown) => err as Error);
const report =
  checks instanceof Error
    ? await reportUnloadableChecks(checks)
    : await checks.runDoctor(process.env, { onResult: printResult });
print(report);
// A dependency that never answered may still hold a socket or a retry timer: the report is
// complete, so end here rather than wait for it.
process.exit(report.ok ? 0 : 1);
