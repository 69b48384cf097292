import { Aws, Duration } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from './environments';
import { type BootstrapOptions, bootstrapUserData } from './userData';

export interface FleetProps {
  config: EnvironmentConfig;
  vpc: ec2.IVpc;
  subnets: ec2.SubnetSelection;
  securityGroup: ec2.ISecurityGroup;
  bootstrap: BootstrapOptions;
  /** Exactly the secrets the service reads: database, Redis AUTH, session, HubSpot token. */
  secretArns: string[];
  /** Grants `rds-db:connect` for IAM database authentication. */
  grantDatabaseConnect: (grantee: iam.IGrantable) => void;
}

/** How long an instance may take from launch to a healthy /api/health (Node install, artefact, migrations). */
const BOOT_TIMEOUT = Duration.minutes(15);

/**
 * The instances: Amazon Linux 2023 (arm64 or x86_64 following the instance type, AMI from the
 * public SSM parameter, resolved by CloudFormation at deploy time), a launch template whose user
 * data installs Node 24 and the release, an Auto Scaling group over the private subnets of two AZs.
 *
 * Deploys: a new ArtefactKey (or AMI) makes a new launch template version; CloudFormation's
 * rolling update replaces one instance at a time, keeping the minimum in service, and waits for
 * each new instance's signal, which user data sends only after /api/health answered 200. A
 * release that never gets healthy fails the update and CloudFormation rolls back.
 */
export class Fleet extends Construct {
  readonly role: iam.Role;
  readonly launchTemplate: ec2.LaunchTemplate;
  readonly autoScalingGroup: autoscaling.AutoScalingGroup;

  constructor(scope: Construct, id: string, props: FleetProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'InstanceRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: 'Mocks Booking instances: read the service secrets and the release artefact, ship logs',
      managedPolicies: [
        // Session Manager (shell and `mocks-booking-doctor` without SSH or an open port).
        iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore'),
        // The CloudWatch agent: log streams and host metrics.
        iam.ManagedPolicy.fromAwsManagedPolicyName('CloudWatchAgentServerPolicy'),
      ],
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadServiceSecrets',
        actions: ['secretsmanager:GetSecretValue'],
        resources: props.secretArns,
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadReleaseArtefact',
        actions: ['s3:GetObject'],
        resources: [`arn:${Aws.PARTITION}:s3:::${props.bootstrap.artefactBucket}/${props.bootstrap.artefactKey}`],
      }),
    );
    props.grantDatabaseConnect(this.role);

    const instanceType = new ec2.InstanceType(props.config.instanceType);
    const userData = bootstrapUserData(props.bootstrap);
    this.launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      instanceType,
      machineImage: ec2.MachineImage.latestAmazonLinux2023({
        cpuType:
          instanceType.architecture === ec2.InstanceArchitecture.ARM_64
            ? ec2.AmazonLinuxCpuType.ARM_64
            : ec2.AmazonLinuxCpuType.X86_64,
      }),
      userData,
      role: this.role,
      securityGroup: props.securityGroup,
      requireImdsv2: true,
      httpPutResponseHopLimit: 1,
      blockDevices: [
        {
          deviceName: '/dev/xvda',
          volume: ec2.BlockDeviceVolume.ebs(20, { volumeType: ec2.EbsDeviceVolumeType.GP3, encrypted: true }),
        },
      ],
    });

    this.autoScalingGroup = new autoscaling.AutoScalingGroup(this, 'Group', {
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      launchTemplate: this.launchTemplate,
      minCapacity: props.config.minInstances,
      maxCapacity: props.config.maxInstances,
      // EC2 health, not ELB (docs/OPERATIONS.md §4): when RDS is down every target fails its health
      // check at once, and replacing instances for it would only churn. Boot health is checked by
      // user data before the instance signals.
      healthChecks: autoscaling.HealthChecks.ec2({ gracePeriod: BOOT_TIMEOUT }),
      signals: autoscaling.Signals.waitForMinCapacity({ timeout: BOOT_TIMEOUT }),
      updatePolicy: autoscaling.UpdatePolicy.rollingUpdate({
        maxBatchSize: 1,
        minInstancesInService: props.config.minInstances,
        pauseTime: BOOT_TIMEOUT,
      }),
      defaultInstanceWarmup: Duration.minutes(2),
    });
    // cfn-signal with the script's exit status, whatever way it exits (this also grants the role
    // cloudformation:SignalResource on this stack).
    userData.addSignalOnExitCommand(this.autoScalingGroup);

    this.autoScalingGroup.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 60 });
  }
}
