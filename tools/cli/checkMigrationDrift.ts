// `npm run db:check-drift`: fails when db/schema and the committed db/migrations disagree, i.e. when
// someone changed the schema without committing the migration `npm run db:generate` would write.
// It generates into a scratch copy, so the working tree is never touched.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseCliArgs } from '../cliKit/args';

parseCliArgs(
  `Usage: npm run db:check-drift

Fails (exit 1) when db/schema has changes with no committed migration in db/migrations. Touches no
database: drizzle-kit generates into a scratch copy of db/migrations, which is then removed.`,
  {},
);

const committed = 'db/migrations';
// Relative on purpose: drizzle-kit resolves --out against the working directory. `.data/` is git-ignored.
mkdirSync('.data', { recursive: true });
const scratch = mkdtempSync(join('.data', 'drift-check-'));
try {
  cpSync(committed, scratch, { recursive: true });
  const drizzleKit = (args: string[]) => execFileSync('node_modules/.bin/drizzle-kit', args, { stdio: 'inherit' });
  // The snapshots must be a consistent chain, and generating from the schema must add nothing.
  drizzleKit(['check', '--dialect', 'postgresql', '--out', scratch]);
  drizzleKit([
    'generate',
    '--dialect',
    'postgresql',
    '--schema',
    './db/schema/index.ts',
    '--out',
    scratch,
    '--name',
    'drift_check',
  ]);
  const extra = readdirSync(scratch).filter((f) => f.endsWith('.sql') && !readdirSync(committed).includes(f));
  if (extra.length > 0) {
    process.stderr.write(
      `\nMigration drift: db/schema has changes with no committed migration (would generate ${extra.join(', ')}).\n` +
        'Run `npm run db:generate -- --name <what-changed>` and commit db/migrations.\n',
    );
    process.exitCode = 1;
  } else {
    process.stdout.write('No migration drift: db/schema matches the committed migrations.\n');
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
