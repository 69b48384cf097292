import { Aws, CfnOutput, CfnParameter, RemovalPolicy, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { Alarms } from './alarms';
import { Cache } from './cache';
import { DATABASE_NAME, DATABASE_USER, Database } from './database';
import type { EnvironmentConfig } from './environments';
import { Fleet } from './fleet';
import { LoadBalancer } from './loadBalancer';
import { type ExistingVpc, Network } from './network';
import { ServiceSecrets } from './secrets';

export const DEFAULT_NODE_VERSION = '24.21.0';

export interface MocksBookingStackProps extends StackProps {
  config: EnvironmentConfig;
  /** Use this VPC instead of creating one (no lookup: every id is given). */
  existingVpc?: ExistingVpc;
  /** Node.js 24 LTS release installed on the instances. */
  nodeVersion?: string;
  /** Security group of a Prometheus scraper in the VPC, allowed to reach the metrics port. */
  metricsScraperSecurityGroupId?: string;
}

/**
 * One environment of Mocks Booking: VPC, ALB, Auto Scaling group, RDS PostgreSQL, ElastiCache
 * Redis, secrets, logs and alarms. Instantiated as MocksBooking-staging and MocksBooking-production;
 * environment-agnostic (account and region come from the deploying credentials) and synthesised
 * without lookups.
 */
export class MocksBookingStack extends Stack {
  readonly network: Network;
  readonly secrets: ServiceSecrets;
  readonly database: Database;
  readonly cache: Cache;
  readonly fleet: Fleet;
  readonly loadBalancer: LoadBalancer;
  readonly alarms: Alarms;
  readonly serviceLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: MocksBookingStackProps) {
    super(scope, id, props);
    const { config } = props;
    const env = config.name;
    const nodeVersion = props.nodeVersion ?? DEFAULT_NODE_VERSION;
    if (!/^24\.\d+\.\d+$/.test(nodeVersion))
      throw new Error(`nodeVersion must be a Node.js 24 LTS release like 24.21.0, got "${nodeVersion}"`);
    Tags.of(this).add('project', 'mocks-booking');
    Tags.of(this).add('environment', env);

    // --- deploy-time parameters (cdk deploy --parameters MocksBooking-<env>:Name=value)
    const certificateArn = new CfnParameter(this, 'CertificateArn', {
      type: 'String',
      description: 'ACM certificate (same region) for the ALB HTTPS listener',
      allowedPattern: '^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[A-Za-z0-9-]+$',
    });
    const artefactBucket = new CfnParameter(this, 'ArtefactBucket', {
      type: 'String',
      description: 'S3 bucket holding the release artefacts',
      allowedPattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$',
    });
    const artefactKey = new CfnParameter(this, 'ArtefactKey', {
      type: 'String',
      description: 'Key of the release tarball (package.json, dist/, production node_modules/); a new key deploys',
      allowedPattern: '^[A-Za-z0-9][A-Za-z0-9._/-]*\\.(tgz|tar\\.gz)$',
    });
    const alarmEmail = new CfnParameter(this, 'AlarmEmail', {
      type: 'String',
      description: 'E-mail address subscribed to the alarm topic (confirm the subscription mail)',
      allowedPattern: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$',
    });
    const frontendUrl = new CfnParameter(this, 'FrontendUrl', {
      type: 'String',
      description: 'FRONTEND_URL: origin(s) allowed by CORS, comma-separated',
      allowedPattern: '^https?://[^\\s,]+(,https?://[^\\s,]+)*$',
    });

    this.network = new Network(this, 'Network', {
      natGateways: config.natGateways,
      ...(props.existingVpc ? { existingVpc: props.existingVpc } : {}),
      ...(props.metricsScraperSecurityGroupId
        ? { metricsScraperSecurityGroupId: props.metricsScraperSecurityGroupId }
        : {}),
    });
    const { vpc } = this.network;

    this.secrets = new ServiceSecrets(this, 'Secrets', { environment: env, retain: config.retainData });

    this.database = new Database(this, 'Database', {
      config: config.database,
      vpc,
      subnets: this.network.dataSubnets,
      securityGroup: this.network.databaseSecurityGroup,
    });

    this.cache = new Cache(this, 'Redis', {
      environment: env,
      config: config.redis,
      vpc,
      subnets: this.network.dataSubnets,
      securityGroup: this.network.redisSecurityGroup,
      authToken: this.secrets.redisAuthToken,
    });

    this.serviceLogGroup = new logs.LogGroup(this, 'ServiceLogs', {
      logGroupName: `/mocks-booking/${env}/service`,
      retention: config.logRetention,
      removalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    this.fleet = new Fleet(this, 'Fleet', {
      config,
      vpc,
      subnets: this.network.appSubnets,
      securityGroup: this.network.appSecurityGroup,
      secretArns: [this.database.secretArn, ...this.secrets.all.map((s) => s.secretArn)],
      grantDatabaseConnect: (grantee) => this.database.instance.grantConnect(grantee, DATABASE_USER),
      bootstrap: {
        nodeVersion,
        artefactBucket: artefactBucket.valueAsString,
        artefactKey: artefactKey.valueAsString,
        logGroupName: this.serviceLogGroup.logGroupName,
        metricsNamespace: `MocksBooking/${env}/Host`,
        endpoints: {
          region: Aws.REGION,
          frontendUrl: frontendUrl.valueAsString,
          dbHost: this.database.instance.dbInstanceEndpointAddress,
          dbPort: this.database.instance.dbInstanceEndpointPort,
          dbName: DATABASE_NAME,
          dbSecretArn: this.database.secretArn,
          redisHost: this.cache.primaryEndpointAddress,
          redisPort: this.cache.primaryEndpointPort,
          redisSecretArn: this.secrets.redisAuthToken.secretArn,
          sessionSecretArn: this.secrets.sessionSecret.secretArn,
          hubspotTokenSecretArn: this.secrets.hubspotToken.secretArn,
        },
      },
    });

    this.loadBalancer = new LoadBalancer(this, 'LoadBalancer', {
      vpc,
      subnets: this.network.albSubnets,
      securityGroup: this.network.albSecurityGroup,
      certificateArn: certificateArn.valueAsString,
      targets: this.fleet.autoScalingGroup,
      deletionProtection: config.retainData,
    });

    this.alarms = new Alarms(this, 'Alarms', {
      config,
      alarmEmail: alarmEmail.valueAsString,
      alb: this.loadBalancer.alb,
      targetGroup: this.loadBalancer.targetGroup,
      database: this.database.instance,
      redisMemberClusterIds: this.cache.memberClusterIds,
      serviceLogGroup: this.serviceLogGroup,
      logMetricsNamespace: `MocksBooking/${env}`,
    });

    new CfnOutput(this, 'LoadBalancerDns', {
      value: this.loadBalancer.alb.loadBalancerDnsName,
      description: 'Point the service DNS name (CNAME/alias) here',
    });
    new CfnOutput(this, 'DatabaseEndpoint', { value: this.database.instance.dbInstanceEndpointAddress });
    new CfnOutput(this, 'DatabaseSecretArn', {
      value: this.database.secretArn,
      description: 'RDS-managed master secret (DB_SECRET_ID)',
    });
    new CfnOutput(this, 'RedisPrimaryEndpoint', { value: this.cache.primaryEndpointAddress });
    new CfnOutput(this, 'HubspotTokenSecretArn', {
      value: this.secrets.hubspotToken.secretArn,
      description: 'Put the HubSpot private app token here',
    });
    new CfnOutput(this, 'AutoScalingGroupName', { value: this.fleet.autoScalingGroup.autoScalingGroupName });
    new CfnOutput(this, 'ServiceLogGroup', { value: this.serviceLogGroup.logGroupName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn });
  }
}
