import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

export type EnvironmentName = 'staging' | 'production';

/** Sizes and safety settings per environment; everything else is the same stack. */
export interface EnvironmentConfig {
  name: EnvironmentName;
  /** Graviton (arm64) instances; the AMI's architecture follows the type. */
  instanceType: string;
  minInstances: number;
  maxInstances: number;
  /** NAT gateways of a new VPC: one per AZ in production, one shared in staging. */
  natGateways: number;
  database: {
    instanceType: string;
    multiAz: boolean;
    allocatedStorageGiB: number;
    maxAllocatedStorageGiB: number;
    backupRetentionDays: number;
    deletionProtection: boolean;
    removalPolicy: RemovalPolicy;
    /** 70 % of the instance class's max_connections (docs/OPERATIONS.md §3). */
    connectionsAlarmThreshold: number;
  };
  redis: { nodeType: string; snapshotRetentionDays: number };
  logRetention: RetentionDays;
  /** Secrets, log group, ALB: kept when the stack is deleted. */
  retainData: boolean;
  latencyP95AlarmSeconds: number;
}

export const environments: Record<EnvironmentName, EnvironmentConfig> = {
  staging: {
    name: 'staging',
    instanceType: 't4g.small',
    // Two instances: sessions and locks are exercised across instances before production.
    minInstances: 2,
    maxInstances: 3,
    natGateways: 1,
    database: {
      instanceType: 't4g.medium',
      // Single-AZ to halve the cost; failover behaviour is covered by test/failover.test.ts.
      multiAz: false,
      allocatedStorageGiB: 20,
      maxAllocatedStorageGiB: 100,
      backupRetentionDays: 7,
      deletionProtection: false,
      removalPolicy: RemovalPolicy.SNAPSHOT,
      // db.t4g.medium: ~360 max_connections.
      connectionsAlarmThreshold: 250,
    },
    redis: { nodeType: 'cache.t4g.small', snapshotRetentionDays: 1 },
    logRetention: RetentionDays.ONE_MONTH,
    retainData: false,
    latencyP95AlarmSeconds: 1,
  },
  production: {
    name: 'production',
    instanceType: 't4g.medium',
    minInstances: 2,
    maxInstances: 6,
    natGateways: 2,
    database: {
      // The PRD's class (docs/OPERATIONS.md §3 plans with 680 max_connections).
      instanceType: 't4g.large',
      multiAz: true,
      allocatedStorageGiB: 100,
      maxAllocatedStorageGiB: 500,
      backupRetentionDays: 14,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      connectionsAlarmThreshold: 476,
    },
    redis: { nodeType: 'cache.t4g.medium', snapshotRetentionDays: 7 },
    logRetention: RetentionDays.THREE_MONTHS,
    retainData: true,
    latencyP95AlarmSeconds: 1,
  },
};
