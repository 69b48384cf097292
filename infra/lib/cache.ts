import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from './environments';
import { REDIS_PORT } from './network';

export interface CacheProps {
  environment: string;
  config: EnvironmentConfig['redis'];
  vpc: ec2.IVpc;
  subnets: ec2.SubnetSelection;
  securityGroup: ec2.ISecurityGroup;
  authToken: secretsmanager.ISecret;
}

/**
 * ElastiCache Redis, cluster mode off: a primary and a replica in two AZs with automatic failover,
 * TLS required in transit, encrypted at rest, AUTH token resolved by CloudFormation from the
 * Secrets Manager secret the service reads (REDIS_SECRET_ID). The service connects to the primary
 * endpoint, which follows a failover.
 */
export class Cache extends Construct {
  readonly replicationGroup: elasticache.CfnReplicationGroup;
  /** Node ids of the two members, for per-node CloudWatch metrics. */
  readonly memberClusterIds: string[];

  constructor(scope: Construct, id: string, props: CacheProps) {
    super(scope, id);
    const subnetGroup = new elasticache.CfnSubnetGroup(this, 'Subnets', {
      description: `Mocks Booking ${props.environment} Redis`,
      subnetIds: props.vpc.selectSubnets(props.subnets).subnetIds,
    });
    // A fixed id names the member nodes (<id>-001, <id>-002) for the memory alarm.
    const replicationGroupId = `mocks-booking-${props.environment}`;
    this.replicationGroup = new elasticache.CfnReplicationGroup(this, 'ReplicationGroup', {
      replicationGroupId,
      replicationGroupDescription: `Mocks Booking ${props.environment}: locks, seat counters, rate limits`,
      engine: 'redis',
      engineVersion: '7.1',
      cacheNodeType: props.config.nodeType,
      numCacheClusters: 2,
      automaticFailoverEnabled: true,
      multiAzEnabled: true,
      transitEncryptionEnabled: true,
      transitEncryptionMode: 'required',
      atRestEncryptionEnabled: true,
      authToken: props.authToken.secretValue.unsafeUnwrap(),
      port: REDIS_PORT,
      cacheSubnetGroupName: subnetGroup.ref,
      securityGroupIds: [props.securityGroup.securityGroupId],
      snapshotRetentionLimit: props.config.snapshotRetentionDays,
      autoMinorVersionUpgrade: true,
    });
    this.memberClusterIds = [`${replicationGroupId}-001`, `${replicationGroupId}-002`];
  }

  get primaryEndpointAddress(): string {
    return this.replicationGroup.attrPrimaryEndPointAddress;
  }

  get primaryEndpointPort(): string {
    return this.replicationGroup.attrPrimaryEndPointPort;
  }
}
