import { type DatabaseHandle, type ErrorSink, openDatabase } from '../../db/client';
import type { Config } from '../config';
import { countedSecretReader } from '../metrics/dependencies';
import { secretReaderFor } from '../secrets';

/**
 * The configured database, with its credentials from Secrets Manager when a secret is named (each
 * read counted: a re-read after a rotation shows on /metrics as `secret_reads_total{kind="reread"}`).
 * `purpose` names this process in the embedded folder's lock, for whoever is refused while it runs.
 */
export function openConfiguredDatabase(config: Config, log: ErrorSink, purpose?: string): Promise<DatabaseHandle> {
  const reader = secretReaderFor(config);
  return openDatabase(config.database, log, {
    purpose,
    readSecret: reader && countedSecretReader(reader),
    region: config.aws.region,
  });
}
