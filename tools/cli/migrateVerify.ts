// `npm run migrate:verify -- --source <postgres url> [options]`: compares the live (Supabase) tables
// with the configured target row by row and exits non-zero on any difference. See docs/MIGRATION.md.

import { loadConfigOrExit } from '../../server/runtime/loadConfigOrExit';
import { parseVerifyArgs } from '../migration/cliOptions';
import { processOutput, runCommand } from '../migration/output';
import { runVerify } from '../migration/runVerify';

const usage = `Usage: npm run migrate:verify -- --source <postgres url> [options]

Compares the four tables of the source with the target configured like the service (DATABASE_URL
or DB_*): row counts, a digest per row over normalized values (computed by each database), and the
missing / extra / changed rows with the columns that differ. Also reports data-quality findings
(total_bookings drift, bookings pointing at unknown sessions or students, bad credits), which are
not differences.

  --source <url>              source database (read-only session, row_security off; the password is never printed)
  --source-schema <a,b>       search path: each table is read from the first schema that has it
                              (default hubspot_sync,public; the report says where each came from)
  --tables <a,b>              only these tables (default: all four)
  --ignore-column <t.col>     a source column deliberately not imported (repeatable)
  --report <file.json>        write every difference, the per-table summary and the findings as JSON
  --limit <n>                 differences and examples printed (default 20)

Exit status: 0 no difference; 1 differences found; 2 could not run.`;

await runCommand(parseVerifyArgs(process.argv.slice(2)), usage, (options) =>
  runVerify(options, loadConfigOrExit(), processOutput),
);
