import { type DatabaseHandle, type ErrorSink, openDatabase } from '../../db/client';
import type { Config } from '../config';
import { secretReaderFor } from '../secrets';

/** The configured database, with its credentials from Secrets Manager when a secret is named. */
export function openConfiguredDatabase(config: Config, log: ErrorSink): Promise<DatabaseHandle> {
  return openDatabase(config.database, log, { readSecret: secretReaderFor(config), region: config.aws.region });
}
