// `npm run migrate:import -- --source <postgres url> [options]`: copies the four tables from the live
// (Supabase) database into the configured target, converting the drifted types. See docs/MIGRATION.md.

import { loadConfigOrExit } from '../../server/runtime/loadConfigOrExit';
import { parseImportArgs } from '../migration/cliOptions';
import { processOutput, runCommand } from '../migration/output';
import { runImport } from '../migration/runImport';

const usage = `Usage: npm run migrate:import -- --source <postgres url> [options]

Copies hubspot_contact_credits, hubspot_mock_exams, hubspot_bookings and sync_metadata from the
source into the target configured like the service (DATABASE_URL or DB_*), applying the documented
fills (counted in the report), giving each duplicate seat to the earliest booking, recounting
total_bookings, and archiving audit_log into legacy_audit_log. Re-running updates rows, never
duplicates them (matched by hubspot_id; bookings by id; sync_metadata by sync_type). Stops when
row-level security could hide rows (connect as the tables' owner or a BYPASSRLS role).

  --source <url>              source database (read-only session, row_security off; the password is never printed)
  --source-schema <a,b>       search path: each table is read from the first schema that has it
                              (default hubspot_sync,public; the report says where each came from)
  --tables <a,b>              only these tables (default: all four)
  --ignore-column <t.col>     leave a source column behind on purpose (repeatable)
  --batch <n>                 rows per page read and per upsert (default 1000)
  --dry-run                   read and convert only; write nothing
  --report <file.json>        write every refused row and the summary as JSON
  --limit <n>                 refused rows printed (default 20)

Exit status: 0 every row copied; 1 some rows refused (listed, not written); 2 could not run.`;

await runCommand(parseImportArgs(process.argv.slice(2)), usage, (options) =>
  runImport(options, loadConfigOrExit(), processOutput),
);
