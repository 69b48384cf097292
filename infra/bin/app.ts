/**
 * The CDK app: both environments of Mocks Booking, synthesised offline.
 *
 *   npm run infra:synth                                   → infra/cdk.out/MocksBooking-*.template.json
 *   cd infra && npx cdk deploy MocksBooking-staging …     → the CLI runs this file (cdk.json)
 *
 * Context (cdk.json, `-c`, or CDK_CONTEXT_JSON): nodeVersion, <env>.vpc, <env>.metricsScraperSecurityGroupId.
 */
import { App } from 'aws-cdk-lib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { existingVpcFromContext, optionalString } from '../lib/context';
import { environments, type EnvironmentName } from '../lib/environments';
import { MocksBookingStack } from '../lib/mocksBookingStack';

const infraDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// The CDK CLI tells the app where to write (CDK_OUTDIR); run directly, it writes to infra/cdk.out.
const app = new App({ outdir: process.env.CDK_OUTDIR ?? path.join(infraDir, 'cdk.out') });

const nodeVersion = optionalString('nodeVersion', app.node.tryGetContext('nodeVersion'), /^24\.\d+\.\d+$/);

for (const name of ['staging', 'production'] as const satisfies readonly EnvironmentName[]) {
  const existingVpc = existingVpcFromContext(name, app.node.tryGetContext(`${name}.vpc`));
  const metricsScraperSecurityGroupId = optionalString(
    `${name}.metricsScraperSecurityGroupId`,
    app.node.tryGetContext(`${name}.metricsScraperSecurityGroupId`),
    /^sg-[0-9a-f]+$/,
  );
  new MocksBookingStack(app, `MocksBooking-${name}`, {
    description: `Mocks Booking ${name}: ALB, Auto Scaling group, RDS PostgreSQL, ElastiCache Redis, secrets, alarms`,
    config: environments[name],
    ...(existingVpc ? { existingVpc } : {}),
    ...(nodeVersion ? { nodeVersion } : {}),
    ...(metricsScraperSecurityGroupId ? { metricsScraperSecurityGroupId } : {}),
  });
}

const assembly = app.synth();
if (!process.env.CDK_OUTDIR) {
  for (const stack of assembly.stacks) console.log(`${stack.stackName}: ${path.relative(process.cwd(), path.join(assembly.directory, stack.templateFile))}`);
}
