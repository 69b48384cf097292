// `npm run sync:run -- --type sessions|contacts|bookings [--full]`: one HubSpot pull, now (docs/SYNC.md).
import { createLogger } from '../../server/logger';
import { openKeyValueStore } from '../../server/redis';
import { openConfiguredDatabase } from '../../server/runtime/database';
import { loadConfigOrExit } from '../../server/runtime/loadConfigOrExit';
import { PULL_TYPES, type PullType } from '../../server/sync/pull/run';
import { runPullNow } from '../../server/sync/pullJob';
import { hubspotTokenSource } from '../../server/sync/token';
import { parseCliArgs } from '../cliKit/args';
import { exitWithFailure } from '../cliKit/failure';

const usage = `Usage: npm run sync:run -- --type ${PULL_TYPES.join('|')} [--full]

Runs one pull from HubSpot now, in this process, and prints what it fetched and stored. From the
saved cursor (the last HubSpot change stored), or with --full everything HubSpot has (idempotent:
stored rows are stored again; the cursor only moves forward). Local changes not yet pushed are kept.
Needs HUBSPOT_TOKEN or HUBSPOT_TOKEN_SECRET_ID, and the service's database.

Exit status: 0 pulled; 1 failed (cause printed); 2 bad arguments.`;

const args = parseCliArgs(usage, { type: { type: 'string' }, full: { type: 'boolean' } });
if (!PULL_TYPES.includes(args.type as PullType)) {
  process.stderr.write(`--type must be one of ${PULL_TYPES.join(', ')}\n\n${usage}\n`);
  process.exit(2);
}
const config = loadConfigOrExit();
if (!config.hubspot.enabled) {
  process.stderr.write('✗ HubSpot sync is off: set HUBSPOT_TOKEN or HUBSPOT_TOKEN_SECRET_ID (docs/SYNC.md)\n');
  process.exit(1);
}
const logger = createLogger(config.logLevel, { cli: 'sync:run' });
const database = await openConfiguredDatabase(config, logger).catch((err: unknown) =>
  exitWithFailure('open the database', err, 'postgres'),
);
// Counted in the call budget the service's instances share (Redis), so a manual run never bursts past it.
const kv = openKeyValueStore(config.redis, logger);
try {
  const token = await hubspotTokenSource(config)();
  const result = await runPullNow({ db: database.db, config, logger, token, kv }, args.type as PullType, {
    full: args.full ?? false,
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (err) {
  await database.close().catch(() => undefined);
  await kv.close().catch(() => undefined);
  process.stderr.write(`✗ pull ${args.type}: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
await database.close();
await kv.close();
