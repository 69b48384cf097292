import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from './environments';

export interface AlarmsProps {
  config: EnvironmentConfig;
  alarmEmail: string;
  alb: elbv2.ApplicationLoadBalancer;
  targetGroup: elbv2.ApplicationTargetGroup;
  database: rds.DatabaseInstance;
  redisMemberClusterIds: string[];
  serviceLogGroup: logs.ILogGroup;
  /** Namespace of the metrics derived from the service's logs. */
  logMetricsNamespace: string;
}

/**
 * Metric filters on the service's JSON log lines (pino). Postgres authentication failures are
 * SQLSTATE 28P01 (wrong password: seed 003's outage) and 28000 (no pg_hba rule, e.g. no TLS): pino
 * writes a pg error's `code` at `$.err.code`; when the error is wrapped, only the message survives
 * (`$.err.message` with "caused by" text, or the health report's `$.health.database.error`).
 */
export const POSTGRES_AUTH_FAILURE_PATTERN =
  '{ ($.err.code = "28P01") || ($.err.code = "28000") || ($.err.message = "*password authentication failed*") || ' +
  '($.err.message = "*no pg_hba.conf entry*") || ($.err.message = "*PAM authentication failed*") || ' +
  '($.health.database.error = "*password authentication failed*") || ($.health.database.error = "*no pg_hba.conf entry*") }';

/**
 * The HubSpot sync (not built yet) logs its lag once per run as a number of seconds:
 * `{"msg":"hubspot sync lag","hubspotSyncLagSeconds":42,…}`. The metric filter turns that field
 * into the HubSpotSyncLagSeconds metric; nothing else is needed from the service.
 */
export const HUBSPOT_SYNC_LAG_FIELD = 'hubspotSyncLagSeconds';
export const HUBSPOT_SYNC_LAG_ALARM_SECONDS = 1800;
/**
 * Logged (as an error) when the HubSpot sync stops because fewer than HUBSPOT_DAILY_QUOTA_RESERVE of
 * the day's calls are left: `{"msg":"hubspot daily quota low…","hubspotDailyQuotaRemaining":24990,…}`.
 */
export const HUBSPOT_QUOTA_FIELD = 'hubspotDailyQuotaRemaining';

/** Alarms to an SNS topic with an e-mail subscription; ALARM and OK both notify. */
export class Alarms extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    const env = props.config.name;
    this.topic = new sns.Topic(this, 'Topic', { displayName: `Mocks Booking ${env} alarms` });
    this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));

    const add = (
      name: string,
      description: string,
      metric: cloudwatch.IMetric,
      options: Omit<cloudwatch.CreateAlarmOptions, 'alarmName' | 'alarmDescription'>,
    ) => {
      const alarm = new cloudwatch.Alarm(this, name, {
        metric,
        alarmName: `MocksBooking-${env}-${name}`,
        alarmDescription: description,
        ...options,
      });
      alarm.addAlarmAction(new actions.SnsAction(this.topic));
      alarm.addOkAction(new actions.SnsAction(this.topic));
      this.alarms.push(alarm);
      return alarm;
    };
    const fiveMinutes = Duration.minutes(5);
    const oneMinute = Duration.minutes(1);

    // --- ALB and targets
    add(
      'alb-5xx-rate',
      '5xx answers (ALB and targets) above 5 % of requests, with at least 20 requests in 5 minutes',
      new cloudwatch.MathExpression({
        label: '5xx % of requests',
        expression: 'IF(requests >= 20, 100 * (FILL(elb5xx, 0) + FILL(target5xx, 0)) / requests, 0)',
        usingMetrics: {
          requests: props.alb.metrics.requestCount({ period: fiveMinutes, statistic: 'Sum' }),
          elb5xx: props.alb.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, {
            period: fiveMinutes,
            statistic: 'Sum',
          }),
          target5xx: props.alb.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, {
            period: fiveMinutes,
            statistic: 'Sum',
          }),
        },
        period: fiveMinutes,
      }),
      {
        threshold: 5,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      },
    );
    add(
      'unhealthy-hosts',
      'A target failed /api/health (503: draining or Postgres unreachable) for 3 minutes',
      props.targetGroup.metrics.unhealthyHostCount({ period: oneMinute, statistic: 'Maximum' }),
      {
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 3,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      },
    );
    add(
      'target-latency-p95',
      `p95 target response time above ${props.config.latencyP95AlarmSeconds} s for 15 minutes`,
      props.targetGroup.metrics.targetResponseTime({ period: fiveMinutes, statistic: 'p95' }),
      {
        threshold: props.config.latencyP95AlarmSeconds,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      },
    );

    // --- RDS
    add(
      'rds-connections',
      'DatabaseConnections above 70 % of max_connections (docs/OPERATIONS.md §3)',
      props.database.metricDatabaseConnections({ period: fiveMinutes, statistic: 'Maximum' }),
      {
        threshold: props.config.database.connectionsAlarmThreshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 2,
      },
    );
    add(
      'rds-cpu',
      'RDS CPU above 80 % for 15 minutes',
      props.database.metricCPUUtilization({ period: fiveMinutes, statistic: 'Average' }),
      { threshold: 80, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD, evaluationPeriods: 3 },
    );
    add(
      'rds-free-storage',
      'Less than 10 GiB of RDS storage left (storage autoscaling may be at its maximum)',
      props.database.metricFreeStorageSpace({ period: fiveMinutes, statistic: 'Minimum' }),
      {
        threshold: 10 * 1024 ** 3,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 2,
      },
    );

    // --- Redis: the fuller of the two nodes (the primary moves on failover)
    const memory = Object.fromEntries(
      props.redisMemberClusterIds.map((clusterId, i) => [
        `node${i}`,
        new cloudwatch.Metric({
          namespace: 'AWS/ElastiCache',
          metricName: 'DatabaseMemoryUsagePercentage',
          dimensionsMap: { CacheClusterId: clusterId },
          period: fiveMinutes,
          statistic: 'Maximum',
        }),
      ]),
    );
    add(
      'redis-memory',
      'Redis memory above 80 % of maxmemory on a node',
      new cloudwatch.MathExpression({
        label: 'Redis memory %',
        expression: `MAX([${Object.keys(memory).join(', ')}])`,
        usingMetrics: memory,
        period: fiveMinutes,
      }),
      { threshold: 80, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD, evaluationPeriods: 2 },
    );

    // --- from the service's logs
    const authFailures = new logs.MetricFilter(this, 'PostgresAuthFailures', {
      logGroup: props.serviceLogGroup,
      filterPattern: logs.FilterPattern.literal(POSTGRES_AUTH_FAILURE_PATTERN),
      metricNamespace: props.logMetricsNamespace,
      metricName: 'PostgresAuthFailures',
      metricValue: '1',
      defaultValue: 0,
    });
    add(
      'postgres-auth-failures',
      'Postgres refused the service (28P01 password / 28000 pg_hba or TLS): check the secret, then npm run doctor',
      authFailures.metric({ period: fiveMinutes, statistic: 'Sum' }),
      {
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      },
    );
    const syncLag = new logs.MetricFilter(this, 'HubspotSyncLag', {
      logGroup: props.serviceLogGroup,
      filterPattern: logs.FilterPattern.numberValue(`$.${HUBSPOT_SYNC_LAG_FIELD}`, '>=', 0),
      metricNamespace: props.logMetricsNamespace,
      metricName: 'HubSpotSyncLagSeconds',
      metricValue: `$.${HUBSPOT_SYNC_LAG_FIELD}`,
      unit: cloudwatch.Unit.SECONDS,
    });
    add(
      'hubspot-sync-lag',
      `HubSpot sync more than ${HUBSPOT_SYNC_LAG_ALARM_SECONDS / 60} minutes behind for 10 minutes`,
      syncLag.metric({ period: fiveMinutes, statistic: 'Maximum' }),
      // Missing data is not an alarm while the sync does not exist yet; make it BREACHING once it ships.
      {
        threshold: HUBSPOT_SYNC_LAG_ALARM_SECONDS,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 2,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      },
    );

    const quota = new logs.MetricFilter(this, 'HubspotQuotaLow', {
      logGroup: props.serviceLogGroup,
      filterPattern: logs.FilterPattern.numberValue(`$.${HUBSPOT_QUOTA_FIELD}`, '>=', -1_000_000_000),
      metricNamespace: props.logMetricsNamespace,
      metricName: 'HubSpotDailyQuotaRemaining',
      metricValue: `$.${HUBSPOT_QUOTA_FIELD}`,
      unit: cloudwatch.Unit.COUNT,
    });
    add(
      'hubspot-quota-low',
      'HubSpot sync stopped: the daily API quota is down to its reserve (docs/OPERATIONS.md, HubSpot)',
      quota.metric({ period: fiveMinutes, statistic: 'SampleCount' }),
      // The line is only written when the quota runs low: any sample is the alarm.
      {
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      },
    );
  }
}
