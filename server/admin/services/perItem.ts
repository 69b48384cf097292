import { type AppErrorCode, DomainError } from '../../errors';

export type ItemResult<T> =
  | { id: string; ok: true; result: T }
  | { id: string; ok: false; appCode: AppErrorCode; message: string };

/**
 * A bulk operation where each item is its own transaction: items run one after another, a refused
 * item (a catalogued error) is reported and the others go on; no item is ever half-applied. An
 * unexpected failure (a bug, the database gone) stops the batch and fails the call: items before it
 * stay applied, each with its audit row.
 */
export async function eachItem<T>(ids: string[], work: (id: string) => Promise<T>) {
  const results: ItemResult<T>[] = [];
  for (const id of new Set(ids)) {
    try {
      results.push({ id, ok: true, result: await work(id) });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      results.push({ id, ok: false, appCode: err.code, message: err.message });
    }
  }
  const succeeded = results.filter((r) => r.ok).length;
  return { results, summary: { total: results.length, succeeded, failed: results.length - succeeded } };
}
