import type { App } from 'aws-cdk-lib';
import { existingVpcFromContext, optionalString } from './context';
import { type EnvironmentName, environments } from './environments';
import { MocksBookingStack } from './mocksBookingStack';

export const ENVIRONMENT_NAMES = ['staging', 'production'] as const satisfies readonly EnvironmentName[];

/**
 * Both environments' stacks, named MocksBooking-<env>, configured from the app's context:
 * `nodeVersion`, `<env>.vpc` (an existing VPC given in full), `<env>.metricsScraperSecurityGroupId`.
 */
export function defineStacks(app: App): Record<EnvironmentName, MocksBookingStack> {
  const nodeVersion = optionalString('nodeVersion', app.node.tryGetContext('nodeVersion'), /^24\.\d+\.\d+$/);
  const define = (name: EnvironmentName) => {
    const existingVpc = existingVpcFromContext(name, app.node.tryGetContext(`${name}.vpc`));
    const scraperKey = `${name}.metricsScraperSecurityGroupId`;
    const metricsScraperSecurityGroupId = optionalString(
      scraperKey,
      app.node.tryGetContext(scraperKey),
      /^sg-[0-9a-f]+$/,
    );
    return new MocksBookingStack(app, `MocksBooking-${name}`, {
      description: `Mocks Booking ${name}: ALB, Auto Scaling group, RDS PostgreSQL, ElastiCache Redis, secrets, alarms`,
      config: environments[name],
      ...(existingVpc ? { existingVpc } : {}),
      ...(nodeVersion ? { nodeVersion } : {}),
      ...(metricsScraperSecurityGroupId ? { metricsScraperSecurityGroupId } : {}),
    });
  };
  return { staging: define('staging'), production: define('production') };
}
