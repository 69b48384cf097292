import type { Config } from '../../server/config';
import { archiveAuditLog, auditSourceOf } from './auditArchive';
import type { ImportOptions } from './cliOptions';
import { openConnectionsFor } from './connections';
import type { RowProblem } from './convertRow';
import { describeDuplicates } from './duplicates';
import { importTable, type TableImportResult } from './importTable';
import { readConstraintColumns } from './introspect';
import { type JsonReport, openJsonReport } from './jsonReport';
import { EXIT, FirstN, type Output, rowName, shown } from './output';
import { describeFills, prepareSource } from './prepareSource';
import { recountTotalBookings } from './recountSeats';
import { describeLayout } from './sourceLayout';
import { TABLE_NAMES } from './tableMappings';
import { TARGET_SCHEMA } from './upsertBatch';

const describeProblem = (p: RowProblem) => `${rowName(p)} ${p.column}=${shown(p.value)}: ${p.reason}`;

/** `migrate:import`: copies the selected tables from the source into the configured target. */
export async function runImport(options: ImportOptions, config: Config, out: Output): Promise<number> {
  const connections = await openConnectionsFor('migrate:import', options.source, config, out);
  if (!connections) return EXIT.failed;
  const { source, target } = connections;
  const startedAt = new Date();
  let report: JsonReport | undefined;
  try {
    // One snapshot of the source for the whole run: bookings and the sessions they point at agree.
    await source.query('begin isolation level repeatable read read only');
    // A dry run reads the target in a read-only transaction: even a bug could not write.
    if (options.dryRun) await target.query('begin read only');
    out.line(
      `Import from ${connections.sourceLabel} (schemas ${options.sourceSchemas.join(', ')}) into ${connections.targetLabel}`,
    );
    if (options.dryRun) out.line('DRY RUN: reading and converting only; nothing is written to the target.');

    const prepared = await prepareSource(source, target, options);
    out.line('Source tables (first schema of the search path that has each):');
    for (const line of describeLayout(prepared.layout, [...TABLE_NAMES, 'audit_log'])) out.line(line);
    if (!prepared.ok) {
      out.error(`Cannot import; nothing was copied:\n${prepared.problems.map((p) => `  - ${p}`).join('\n')}`);
      return EXIT.failed;
    }
    out.line('Fills (docs/MIGRATION.md "Fills"; verify applies the same):');
    for (const line of describeFills(prepared.fills)) out.line(line);
    out.line('Duplicate seats (found before writing):');
    for (const line of describeDuplicates(prepared.duplicates, options.limit)) out.line(line);

    const opened = openJsonReport(options.report, 'problems');
    report = opened;
    const shownProblems = new FirstN<RowProblem>(options.limit);
    const problemCounts = new Map<string, number>();
    const results: TableImportResult[] = [];
    for (const { plan, primaryKey, schema, filled } of prepared.tables) {
      if (plan.ignored.length > 0)
        out.line(`  ${plan.table}: leaving behind (--ignore-column) ${plan.ignored.join(', ')}`);
      const constraintColumns = await readConstraintColumns(target, TARGET_SCHEMA, plan.table);
      results.push(
        await importTable(
          {
            source,
            target,
            sourceSchema: schema,
            relation: filled.relation,
            batch: options.batch,
            dryRun: options.dryRun,
            primaryKey,
            constraintColumns,
            write: (line) => out.line(line),
            onProblem: (problem) => {
              opened.add(problem);
              shownProblems.add(problem);
              const group = `${problem.table}.${problem.column}: ${problem.reason}`;
              problemCounts.set(group, (problemCounts.get(group) ?? 0) + 1);
            },
          },
          plan,
        ),
      );
    }
    const recounted =
      options.tables.includes('hubspot_bookings') && !options.dryRun ? await recountTotalBookings(target) : undefined;
    const audit = auditSourceOf(prepared.layout, prepared.columns);
    const archived = audit
      ? await archiveAuditLog(source, target, audit, { batch: options.batch, dryRun: options.dryRun })
      : undefined;
    await source.query('commit');
    if (options.dryRun) await target.query('rollback');

    const refused = results.reduce((n, r) => n + r.refused, 0);
    const exitCode = refused > 0 ? EXIT.findings : EXIT.clean;
    const verb = options.dryRun ? 'would insert' : 'inserted';
    out.line('');
    out.line(options.dryRun ? 'Summary (dry run, nothing written):' : 'Summary:');
    for (const r of results) {
      out.line(
        `  ${r.table}: ${r.read}/${r.total} read, ${verb} ${r.inserted}, ${options.dryRun ? 'would update' : 'updated'} ${r.updated}, ` +
          `unchanged ${r.unchanged}, refused ${r.refused} (${r.seconds.toFixed(1)} s, ${r.rowsPerSecond} rows/s)`,
      );
    }
    if (recounted !== undefined)
      out.line(
        `  hubspot_mock_exams.total_bookings recounted from the imported seats: ${recounted} session(s) changed`,
      );
    out.line(
      archived
        ? `  ${archived.source} → legacy_audit_log (read-only archive): ${archived.read} read, ${options.dryRun ? 'nothing written' : `${archived.inserted} new`}`
        : '  audit_log: not found in the source schemas; no history archived',
    );
    if (refused > 0) {
      out.line('');
      out.line(`Refused rows (not written, left as they are in the source): ${refused}. Problems by column:`);
      for (const [group, n] of problemCounts) out.line(`  ${n} × ${group}`);
      out.line(`First ${shownProblems.items.length} of ${shownProblems.total} problems:`);
      for (const p of shownProblems.items) out.line(`  ${describeProblem(p)}`);
      if (!options.report) out.line('Pass --report <file.json> to get every one of them.');
    }
    opened.finish({
      command: 'migrate:import',
      source: connections.sourceLabel,
      sourceSchemas: options.sourceSchemas,
      sourceTables: Object.fromEntries(prepared.layout.schemaOf),
      target: connections.targetLabel,
      dryRun: options.dryRun,
      batch: options.batch,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      tables: results,
      fills: prepared.fills,
      duplicates: prepared.duplicates,
      totalBookingsRecounted: recounted ?? null,
      auditArchive: archived ?? null,
      ignoredColumns: Object.fromEntries([...options.ignore].map(([t, cols]) => [t, [...cols]])),
      targetOnlyColumns: Object.fromEntries(prepared.tables.map(({ plan }) => [plan.table, plan.targetOnly])),
      refusedRows: refused,
      problemCounts: Object.fromEntries(problemCounts),
      exitCode,
    });
    if (options.report) out.line(`Report written to ${options.report}`);
    out.line(
      refused > 0
        ? `Finished with ${refused} refused row(s): exit ${exitCode}.`
        : options.dryRun
          ? 'Finished: every row would be copied.'
          : 'Finished: every row copied.',
    );
    return exitCode;
  } catch (err) {
    out.error(`Import stopped: ${(err as Error).message}`);
    report?.finish({ command: 'migrate:import', stopped: (err as Error).message, exitCode: EXIT.failed });
    return EXIT.failed;
  } finally {
    await connections.close();
  }
}
