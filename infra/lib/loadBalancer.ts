import { Duration } from 'aws-cdk-lib';
import type * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { APP_PORT, HEALTH_CHECK, HEALTH_PATH, TIMINGS } from './serviceRuntime';

export interface LoadBalancerProps {
  vpc: ec2.IVpc;
  subnets: ec2.SubnetSelection;
  securityGroup: ec2.ISecurityGroup;
  certificateArn: string;
  targets: autoscaling.AutoScalingGroup;
  deletionProtection: boolean;
}

/**
 * Internet-facing ALB: HTTPS (TLS 1.2+) to the instances' APP_PORT, HTTP only redirected to HTTPS.
 * Health checks use /api/health, which answers 503 only while the instance drains or cannot reach
 * Postgres. /metrics is on another port that no listener or target group uses.
 */
export class LoadBalancer extends Construct {
  readonly alb: elbv2.ApplicationLoadBalancer;
  readonly targetGroup: elbv2.ApplicationTargetGroup;

  constructor(scope: Construct, id: string, props: LoadBalancerProps) {
    super(scope, id);
    this.alb = new elbv2.ApplicationLoadBalancer(this, 'Alb', {
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      internetFacing: true,
      securityGroup: props.securityGroup,
      idleTimeout: Duration.seconds(TIMINGS.albIdleTimeoutSeconds),
      dropInvalidHeaderFields: true,
      deletionProtection: props.deletionProtection,
    });

    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'Service', {
      vpc: props.vpc,
      port: APP_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.INSTANCE,
      targets: [props.targets],
      deregistrationDelay: Duration.seconds(TIMINGS.deregistrationDelaySeconds),
      slowStart: Duration.seconds(TIMINGS.slowStartSeconds),
      healthCheck: {
        path: HEALTH_PATH,
        protocol: elbv2.Protocol.HTTP,
        port: 'traffic-port',
        healthyHttpCodes: '200',
        interval: Duration.seconds(HEALTH_CHECK.intervalSeconds),
        timeout: Duration.seconds(HEALTH_CHECK.timeoutSeconds),
        healthyThresholdCount: HEALTH_CHECK.healthyThreshold,
        unhealthyThresholdCount: HEALTH_CHECK.unhealthyThreshold,
      },
    });

    // `open: false`: the security group's rules are set explicitly in Network.
    this.alb.addListener('Https', {
      port: 443,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificates: [elbv2.ListenerCertificate.fromArn(props.certificateArn)],
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
      open: false,
      defaultTargetGroups: [this.targetGroup],
    });
    this.alb.addListener('Http', {
      port: 80,
      protocol: elbv2.ApplicationProtocol.HTTP,
      open: false,
      defaultAction: elbv2.ListenerAction.redirect({ protocol: 'HTTPS', port: '443', permanent: true }),
    });
  }
}
