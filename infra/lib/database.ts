import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from './environments';
import { POSTGRES_PORT } from './network';

export const DATABASE_NAME = 'mocks_booking';
export const DATABASE_USER = 'mocks_booking';

export interface DatabaseProps {
  config: EnvironmentConfig['database'];
  vpc: ec2.IVpc;
  subnets: ec2.SubnetSelection;
  securityGroup: ec2.ISecurityGroup;
}

/**
 * RDS PostgreSQL 17: TLS forced by the parameter group, IAM authentication on, the master password
 * generated and rotated by RDS itself in Secrets Manager (`{ username, password }`, the shape the
 * service reads from DB_SECRET_ID), encrypted storage, automated backups.
 */
export class Database extends Construct {
  readonly instance: rds.DatabaseInstance;
  readonly parameterGroup: rds.ParameterGroup;

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    const engine = rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17 });

    this.parameterGroup = new rds.ParameterGroup(this, 'Parameters', {
      engine,
      description: 'Mocks Booking: TLS required for every connection',
      parameters: { 'rds.force_ssl': '1' },
    });

    this.instance = new rds.DatabaseInstance(this, 'Instance', {
      engine,
      instanceType: new ec2.InstanceType(props.config.instanceType),
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [props.securityGroup],
      port: POSTGRES_PORT,
      databaseName: DATABASE_NAME,
      credentials: rds.Credentials.fromUsername(DATABASE_USER),
      manageMasterUserPassword: true,
      iamAuthentication: true,
      parameterGroup: this.parameterGroup,
      caCertificate: rds.CaCertificate.RDS_CA_RSA2048_G1,
      multiAz: props.config.multiAz,
      publiclyAccessible: false,
      storageEncrypted: true,
      storageType: rds.StorageType.GP3,
      allocatedStorage: props.config.allocatedStorageGiB,
      maxAllocatedStorage: props.config.maxAllocatedStorageGiB,
      backupRetention: Duration.days(props.config.backupRetentionDays),
      deleteAutomatedBackups: false,
      copyTagsToSnapshot: true,
      autoMinorVersionUpgrade: true,
      deletionProtection: props.config.deletionProtection,
      removalPolicy: props.config.removalPolicy,
    });
  }

  /** The RDS-managed master secret: `rds!db-…`, rotated by RDS every 7 days. */
  get secretArn(): string {
    const secret = this.instance.secret;
    if (!secret) throw new Error('the database has no managed master secret');
    return secret.secretArn;
  }
}
