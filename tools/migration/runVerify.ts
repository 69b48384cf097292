import type { Config } from '../../server/config';
import type { CommonOptions } from './cliOptions';
import { openConnectionsFor } from './connections';
import { dataQualityFindings, type Finding } from './dataQuality';
import { type JsonReport, openJsonReport } from './jsonReport';
import { EXIT, FirstN, type Output, shown } from './output';
import { prepareTables } from './prepareTables';
import { type Difference, type TableVerifyResult, verifyTable } from './verifyTable';

/** Examples of each data-quality finding kept in the JSON report. */
const FINDING_EXAMPLES = 1000;

function describeDifference(d: Difference): string {
  switch (d.kind) {
    case 'missing':
      return `missing  ${d.table} ${d.key} (in the source, not in the target)`;
    case 'extra':
      return `extra    ${d.table} ${d.key} (in the target, not in the source)`;
    case 'duplicate-key':
      return `dup-key  ${d.table} ${d.key} (${d.rows} source rows share it)`;
    case 'no-key':
      return `no-key   ${d.table}: ${d.rows} source row(s) without a key`;
    case 'changed':
      return `changed  ${d.table} ${d.key}: ${(d.columns ?? [])
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
    out.line(`Verify ${connections.sourceLabel} (schema ${options.sourceSchema}) against ${connections.targetLabel}`);
    const prepared = await prepareTables(source, target, options.sourceSchema, options.tables, options.ignore);
    if (!prepared.ok) {
      out.error(`Cannot verify:\n${prepared.problems.map((p) => `  - ${p}`).join('\n')}`);
      return EXIT.failed;
    }

    const opened = openJsonReport(options.report, 'differences');
    report = opened;
    const firstDifferences = new FirstN<Difference>(options.limit);
    const results: TableVerifyResult[] = [];
    for (const { plan } of prepared.tables) {
      const result = await verifyTable(
        {
          source,
          target,
          sourceSchema: options.sourceSchema,
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
      ...(await dataQualityFindings(source, 'source', options.sourceSchema, options.tables, FINDING_EXAMPLES)),
      ...(await dataQualityFindings(target, 'target', options.sourceSchema, options.tables, FINDING_EXAMPLES)),
    ];
    await Promise.all([source, target].map((c) => c.query('commit')));

    const differences = results.reduce((n, r) => n + r.differences, 0);
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
      sourceSchema: options.sourceSchema,
      target: connections.targetLabel,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      tables: results,
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
