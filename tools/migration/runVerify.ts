import type { Config } from '../../server/config';
import { auditSourceOf, checkAuditArchive } from './auditArchive';
import type { CommonOptions } from './cliOptions';
import { openConnectionsFor } from './connections';
import { dataQualityFindings, type Finding } from './dataQuality';
import { describeDuplicates } from './duplicates';
import { type JsonReport, openJsonReport } from './jsonReport';
import { EXIT, FirstN, type Output, rowName, shown } from './output';
import { describeFills, prepareSource } from './prepareSource';
import { describeLayout } from './sourceLayout';
import { TABLE_NAMES } from './tableMappings';
import { type Difference, type TableVerifyResult, verifyTable } from './verifyTable';

/** Examples of each data-quality finding kept in the JSON report. */
const FINDING_EXAMPLES = 1000;

function describeDifference(d: Difference): string {
  switch (d.kind) {
    case 'missing':
      return `missing  ${rowName(d)} (in the source, not in the target)`;
    case 'extra':
      return `extra    ${rowName(d)} (in the target, not in the source)`;
    case 'duplicate-key':
      return `dup-key  ${d.table} ${d.key} (${d.rows} source rows share it)`;
    case 'no-key':
      return `no-key   ${d.table}: ${d.rows} source row(s) without a key`;
    case 'changed':
      return `changed  ${rowName(d)}: ${(d.columns ?? [])
        .map(
          (c) =>
            `${c.column}${c.sourceColumn ? ` (source ${c.sourceColumn})` : ''} source ${shown(c.source, 60)} target ${shown(c.target, 60)}`,
        )
        .join('; ')}`;
  }
}

function describeFinding(f: Finding, limit: number): string[] {
  if (f.count === null) return [`  ${f.side}: ${f.check} could not be checked: ${f.error}`];
  if (f.count === 0) return [`  ${f.side}: ${f.check}: none`];
  return [
    `  ${f.side}: ${f.count} ${f.description}`,
    ...f.examples.slice(0, limit).map((e) => `      ${JSON.stringify(e)}`),
  ];
}

/** `migrate:verify`: compares source and target table by table and lists every difference. */
export async function runVerify(options: CommonOptions, config: Config, out: Output): Promise<number> {
  const connections = await openConnectionsFor('migrate:verify', options.source, config, out);
  if (!connections) return EXIT.failed;
  const { source, target } = connections;
  const startedAt = new Date();
  let report: JsonReport | undefined;
  try {
    // Each side is read from one snapshot, so the drill-down sees the rows the digests were made of.
    await Promise.all([source, target].map((c) => c.query('begin isolation level repeatable read read only')));
    out.line(
      `Verify ${connections.sourceLabel} (schemas ${options.sourceSchemas.join(', ')}) against ${connections.targetLabel}`,
    );
    const prepared = await prepareSource(source, target, options);
    out.line('Source tables (first schema of the search path that has each):');
    for (const line of describeLayout(prepared.layout, [...TABLE_NAMES, 'audit_log'])) out.line(line);
    if (!prepared.ok) {
      out.error(`Cannot verify:\n${prepared.problems.map((p) => `  - ${p}`).join('\n')}`);
      return EXIT.failed;
    }
    out.line('Fills applied to the source side, as the import applies them:');
    for (const line of describeFills(prepared.fills)) out.line(line);
    out.line('Duplicate seats (the import keeps the earliest, cancels the others):');
    for (const line of describeDuplicates(prepared.duplicates, options.limit)) out.line(line);

    const opened = openJsonReport(options.report, 'differences');
    report = opened;
    const firstDifferences = new FirstN<Difference>(options.limit);
    const results: TableVerifyResult[] = [];
    for (const { plan, schema, filled } of prepared.tables) {
      const result = await verifyTable(
        {
          source,
          target,
          sourceSchema: schema,
          relation: filled.relation,
          onDifference: (d) => {
            opened.add(d);
            firstDifferences.add(d);
          },
        },
        plan,
      );
      results.push(result);
      out.line(
        `  ${result.table}: source ${result.sourceRows}, target ${result.targetRows}; missing ${result.missing}, extra ${result.extra}, ` +
          `changed ${result.changed}${result.duplicateKeys ? `, duplicate keys ${result.duplicateKeys}` : ''}` +
          `${result.sourceRowsWithoutKey ? `, source rows without key ${result.sourceRowsWithoutKey}` : ''} ` +
          `(${result.differingBuckets}/${result.buckets} chunks differ, ${result.seconds.toFixed(2)} s)`,
      );
    }

    const findings = [
      ...(await dataQualityFindings(source, 'source', prepared.layout, options.tables, FINDING_EXAMPLES)),
      ...(await dataQualityFindings(target, 'target', prepared.layout, options.tables, FINDING_EXAMPLES)),
    ];
    const audit = auditSourceOf(prepared.layout, prepared.columns);
    const auditCheck = audit ? await checkAuditArchive(source, target, audit) : undefined;
    if (auditCheck)
      out.line(
        `  ${auditCheck.source} → legacy_audit_log: source ${auditCheck.sourceRows}, archived ${auditCheck.archivedRows}; ` +
          (auditCheck.same
            ? 'every row archived as it is'
            : 'DIFFERENT (import again; the archive only ever adds rows)'),
      );
    await Promise.all([source, target].map((c) => c.query('commit')));

    const differences = results.reduce((n, r) => n + r.differences, 0) + (auditCheck && !auditCheck.same ? 1 : 0);
    const exitCode = differences > 0 ? EXIT.findings : EXIT.clean;
    if (differences > 0) {
      out.line('');
      out.line(`Differences (first ${firstDifferences.items.length} of ${firstDifferences.total}):`);
      for (const d of firstDifferences.items) out.line(`  ${describeDifference(d)}`);
      if (!options.report) out.line('Pass --report <file.json> to get every one of them.');
    }
    out.line('');
    out.line('Data quality (carried over as is; not differences):');
    if (findings.length === 0) out.line('  (no check applies to the selected tables)');
    for (const f of findings) for (const line of describeFinding(f, options.limit)) out.line(line);
    opened.finish({
      command: 'migrate:verify',
      source: connections.sourceLabel,
      sourceSchemas: options.sourceSchemas,
      sourceTables: Object.fromEntries(prepared.layout.schemaOf),
      target: connections.targetLabel,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      tables: results,
      fills: prepared.fills,
      duplicates: prepared.duplicates,
      auditArchive: auditCheck ?? null,
      totalDifferences: differences,
      dataQuality: findings,
      exitCode,
    });
    if (options.report) out.line(`Report written to ${options.report}`);
    out.line('');
    out.line(
      differences > 0
        ? `${differences} difference(s): exit ${exitCode}.`
        : 'No differences: source and target hold the same rows.',
    );
    return exitCode;
  } catch (err) {
    out.error(`Verify stopped: ${(err as Error).message}`);
    report?.finish({ command: 'migrate:verify', stopped: (err as Error).message, exitCode: EXIT.failed });
    return EXIT.failed;
  } finally {
    await connections.close();
  }
}
