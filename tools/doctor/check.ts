import { ConfigError } from '../../server/config';
import { rootMessage } from '../../server/lib/errorMessage';
import { withTimeout } from '../../server/lib/time';
import { SecretError } from '../../server/secrets';
import { CheckFailure } from './checkFailure';
import { errorFacts } from './errorFacts';
import { type ExplainContext, explain } from './explain';

export { CheckFailure };

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  name: string;
  status: CheckStatus;
  /** False when the check failed, or could not run because an earlier one failed. */
  ok: boolean;
  ms: number;
  detail?: string;
  cause?: string;
  fix?: string;
  /** Which row of the explanation table matched (failures only). */
  rule?: string;
}

/** What a check that ran to the end reports; a warning does not fail the run. */
export interface Outcome {
  detail: string;
  warning?: { cause: string; fix: string };
}

/** The facts of a failure an operator reads first: the innermost message and its code. */
function describe(err: unknown): string {
  if (err instanceof ConfigError) return err.problems.join('; ');
  // A SecretError's own message names the secret; its cause only says what AWS said.
  const message = (err instanceof SecretError || err instanceof CheckFailure ? err.message : rootMessage(err)).trim();
  if (err instanceof CheckFailure) return message;
  const code = [...errorFacts(err).codes].find((c) => !message.includes(c));
  return code ? `${message} [${code}]` : message;
}

/**
 * Runs one check within its time budget, so doctor never hangs on a dependency that accepts
 * connections and never answers, and turns any failure into its cause and fix.
 */
export async function runCheck(
  name: string,
  context: ExplainContext,
  timeoutMs: number,
  work: () => Promise<Outcome>,
): Promise<CheckResult> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  try {
    const outcome = await withTimeout(work(), timeoutMs);
    if (outcome.warning)
      return { name, status: 'warn', ok: true, ms: ms(), detail: outcome.detail, ...outcome.warning };
    return { name, status: 'pass', ok: true, ms: ms(), detail: outcome.detail };
  } catch (err) {
    const { rule, cause, fix } = explain(err, { timeoutMs, ...context });
    return { name, status: 'fail', ok: false, ms: ms(), detail: describe(err), cause, fix, rule };
  }
}

export const skipped = (name: string, because: string): CheckResult => ({
  name,
  status: 'skip',
  ok: false,
  ms: 0,
  detail: `not run: ${because}`,
});
