import { redactUrlPasswords } from '../../server/lib/redact';
import { explain, type Target } from '../doctor/explain';

/**
 * A CLI's failure as doctor prints one: what failed, the cause in plain words and the fix, on
 * stderr, instead of a JSON log line with a stack. Exit status 1.
 */
export function exitWithFailure(what: string, err: unknown, target: Target): never {
  const { cause, fix } = explain(err, { target });
  const detail = redactUrlPasswords(err instanceof Error ? err.message : String(err));
  process.stderr.write(`✗ ${what}: ${detail}\n      cause: ${cause}\n      fix:   ${fix}\n`);
  process.exit(1);
}
