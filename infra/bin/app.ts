/**
 * The CDK app: both environments of Mocks Booking, synthesised offline.
 *
 *   npm run infra:synth                                   → infra/cdk.out/MocksBooking-*.template.json
 *   cd infra && npx cdk deploy MocksBooking-staging …     → the CLI runs this file (infra/cdk.json)
 *
 * Context (infra/cdk.json "context", `-c` with the CLI, or CDK_CONTEXT_JSON): see lib/defineStacks.ts.
 */

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { defineStacks } from '../lib/defineStacks';

const infraDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runByCli = process.env.CDK_OUTDIR !== undefined;
// The CLI passes cdk.json's context itself; run directly, read it here so both synthesise the same stacks.
const cdkJsonContext = runByCli
  ? {}
  : ((JSON.parse(readFileSync(path.join(infraDir, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> })
      .context ?? {});
const app = new App({ outdir: process.env.CDK_OUTDIR ?? path.join(infraDir, 'cdk.out'), context: cdkJsonContext });
defineStacks(app);
const assembly = app.synth();
if (!runByCli) {
  for (const stack of assembly.stacks)
    console.log(
      `${stack.stackName}: ${path.relative(process.cwd(), path.join(assembly.directory, stack.templateFile))}`,
    );
}
