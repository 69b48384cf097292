import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { METRICS_PORT } from './serviceRuntime';

/** An existing VPC, described in full so that nothing is looked up at synth time. */
export interface ExistingVpc {
  vpcId: string;
  availabilityZones: string[];
  /** For the internet-facing ALB (routes to an internet gateway). */
  publicSubnetIds: string[];
  /** For the instances (routes to a NAT gateway: AWS APIs, HubSpot). */
  privateSubnetIds: string[];
  /** For RDS and Redis; the private subnets when omitted. */
  isolatedSubnetIds?: string[];
}

export interface NetworkProps {
  existingVpc?: ExistingVpc;
  natGateways: number;
  /** A Prometheus scraper's security group inside the VPC, allowed to reach METRICS_PORT. */
  metricsScraperSecurityGroupId?: string;
}

export const POSTGRES_PORT = 5432;
export const REDIS_PORT = 6379;

/**
 * The VPC and the four security groups. Every group denies all outbound traffic except what is
 * listed here; the complete set of rules is:
 *   internet → ALB 443 (HTTPS) and 80 (only a redirect to 443, see below)
 *   ALB → app APP_PORT (added when the target group registers the Auto Scaling group)
 *   app → RDS 5432, app → Redis 6379
 *   app → 0.0.0.0/0 443: AWS APIs (Secrets Manager, S3, CloudWatch Logs, SSM, CloudFormation) and
 *     HubSpot through the NAT gateway; at boot also nodejs.org, the RDS trust store and dnf (S3)
 *   [optional] metrics scraper → app METRICS_PORT
 * DNS, NTP and instance metadata use link-local addresses that security groups do not filter.
 */
export class Network extends Construct {
  readonly vpc: ec2.IVpc;
  readonly albSubnets: ec2.SubnetSelection;
  readonly appSubnets: ec2.SubnetSelection;
  readonly dataSubnets: ec2.SubnetSelection;
  readonly albSecurityGroup: ec2.SecurityGroup;
  readonly appSecurityGroup: ec2.SecurityGroup;
  readonly databaseSecurityGroup: ec2.SecurityGroup;
  readonly redisSecurityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);

    if (props.existingVpc) {
      const v = props.existingVpc;
      this.vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
        vpcId: v.vpcId,
        availabilityZones: v.availabilityZones,
        publicSubnetIds: v.publicSubnetIds,
        privateSubnetIds: v.privateSubnetIds,
        ...(v.isolatedSubnetIds?.length ? { isolatedSubnetIds: v.isolatedSubnetIds } : {}),
      });
      this.dataSubnets = {
        subnetType: v.isolatedSubnetIds?.length ? ec2.SubnetType.PRIVATE_ISOLATED : ec2.SubnetType.PRIVATE_WITH_EGRESS,
      };
    } else {
      this.vpc = new ec2.Vpc(this, 'Vpc', {
        ipAddresses: ec2.IpAddresses.cidr('10.40.0.0/16'),
        maxAzs: 2,
        natGateways: props.natGateways,
        subnetConfiguration: [
          { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
          { name: 'app', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
          { name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
        ],
      });
      this.dataSubnets = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
    }
    this.albSubnets = { subnetType: ec2.SubnetType.PUBLIC };
    this.appSubnets = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };

    const group = (gid: string, description: string) =>
      new ec2.SecurityGroup(this, gid, { vpc: this.vpc, description, allowAllOutbound: false });
    this.albSecurityGroup = group('AlbSecurityGroup', 'Mocks Booking ALB: HTTPS from the internet');
    this.appSecurityGroup = group('AppSecurityGroup', 'Mocks Booking instances');
    this.databaseSecurityGroup = group('DatabaseSecurityGroup', 'Mocks Booking RDS PostgreSQL');
    this.redisSecurityGroup = group('RedisSecurityGroup', 'Mocks Booking ElastiCache Redis');

    this.albSecurityGroup.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS from the internet');
    // The issue asks for "internet → ALB 443 only" and for an HTTP→HTTPS redirect; the redirect needs
    // port 80 open. The port-80 listener has a single redirect action and no route to any target.
    this.albSecurityGroup.addIngressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(80),
      'HTTP, answered only with a redirect to HTTPS',
    );

    this.databaseSecurityGroup.connections.allowFrom(
      this.appSecurityGroup,
      ec2.Port.tcp(POSTGRES_PORT),
      'PostgreSQL from the service',
    );
    this.redisSecurityGroup.connections.allowFrom(
      this.appSecurityGroup,
      ec2.Port.tcp(REDIS_PORT),
      'Redis from the service',
    );
    this.appSecurityGroup.addEgressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(443),
      'HTTPS to AWS APIs and HubSpot (through NAT)',
    );

    if (props.metricsScraperSecurityGroupId) {
      const scraper = ec2.SecurityGroup.fromSecurityGroupId(
        this,
        'MetricsScraper',
        props.metricsScraperSecurityGroupId,
        { mutable: false },
      );
      this.appSecurityGroup.addIngressRule(
        scraper,
        ec2.Port.tcp(METRICS_PORT),
        'Prometheus scrape of /metrics from inside the VPC',
      );
    }
  }
}
