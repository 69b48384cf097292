/**
 * The CDK stacks, asserted on the synthesised CloudFormation (no AWS account needed). Values are
 * read back from the templates — the service's environment and the systemd unit from the launch
 * template's user data — so a change in one place that breaks an invariant fails here.
 */

import { readFileSync } from 'node:fs';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { POSTGRES_AUTH_FAILURE_PATTERN } from '../infra/lib/alarms';
import { defineStacks } from '../infra/lib/defineStacks';
import type { MocksBookingStack } from '../infra/lib/mocksBookingStack';
import { NODE_FLAGS } from '../infra/lib/serviceRuntime';
import { systemdUnit } from '../infra/lib/systemdUnit';

// --- synthesised once per file: the app as infra/bin/app.ts defines it, and one with context
const defaults = defineStacks(new App());
const scraperGroup = 'sg-0123456789abcdef0';
const existingVpc = {
  vpcId: 'vpc-0a1b2c3d4e5f60718',
  availabilityZones: ['ca-central-1a', 'ca-central-1b'],
  publicSubnetIds: ['subnet-0000000000000000a', 'subnet-0000000000000000b'],
  privateSubnetIds: ['subnet-0000000000000001a', 'subnet-0000000000000001b'],
  isolatedSubnetIds: ['subnet-0000000000000002a', 'subnet-0000000000000002b'],
};
const withContext = defineStacks(
  new App({
    context: {
      'production.vpc': JSON.stringify(existingVpc),
      'production.metricsScraperSecurityGroupId': scraperGroup,
    },
  }),
);

const templates = new Map<MocksBookingStack, Template>();
const templateOf = (stack: MocksBookingStack) => {
  let t = templates.get(stack);
  if (!t) {
    t = Template.fromStack(stack);
    templates.set(stack, t);
  }
  return t;
};
const both = [
  ['staging', defaults.staging],
  ['production', defaults.production],
] as const;

// --- reading values back out of the template
type Json = unknown;
const logicalId = (c: IConstruct) => Stack.of(c).getLogicalId(c.node.defaultChild as CfnElement);

/** CloudFormation value → text, with references as {Ref:X} / {GetAtt:X.Attr} placeholders. */
function flatten(v: Json): string {
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  const o = v as Record<string, Json>;
  if (o && 'Fn::Join' in o) {
    const [sep, parts] = o['Fn::Join'] as [string, Json[]];
    return parts.map(flatten).join(sep);
  }
  if (o && 'Ref' in o) return `{Ref:${String(o.Ref)}}`;
  if (o && 'Fn::GetAtt' in o) return `{GetAtt:${(o['Fn::GetAtt'] as string[]).join('.')}}`;
  if (o && 'Fn::Base64' in o) return flatten(o['Fn::Base64']);
  throw new Error(`cannot flatten ${JSON.stringify(v)}`);
}

// CloudFormation properties are untyped JSON; the assertions below state their shape.
const resourcesOf = (t: Template, type: string) =>
  // biome-ignore lint/suspicious/noExplicitAny: resource properties are arbitrary CloudFormation JSON
  Object.entries(t.findResources(type)) as Array<[string, { Properties: Record<string, any>; [k: string]: any }]>;
const onlyResource = (t: Template, type: string) => {
  const all = resourcesOf(t, type);
  expect(all, `exactly one ${type}`).toHaveLength(1);
  return all[0]!;
};

function userData(t: Template): string {
  const [, lt] = onlyResource(t, 'AWS::EC2::LaunchTemplate');
  return flatten(lt.Properties.LaunchTemplateData.UserData);
}

/** The body of `cat > <path> <<'DELIM'` … `DELIM` in the user data script. */
function fileWritten(script: string, path: string): string {
  const match = new RegExp(
    `^cat > ${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} <<'(\\w+)'\\n([\\s\\S]*?)\\n\\1$`,
    'm',
  ).exec(script);
  if (!match) throw new Error(`user data writes no ${path}`);
  return `${match[2]!}\n`;
}

function serviceEnv(t: Template): Map<string, string> {
  const unit = fileWritten(userData(t), '/etc/systemd/system/mocks-booking.service');
  const envPath = /^EnvironmentFile=(\S+)$/m.exec(unit)?.[1];
  expect(envPath, 'the unit loads an EnvironmentFile').toBeTruthy();
  const body = fileWritten(userData(t), envPath!);
  return new Map(
    body
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as [string, string]),
  );
}

const envNumber = (t: Template, name: string) => {
  const raw = serviceEnv(t).get(name);
  expect(raw, `${name} in the service environment`).toMatch(/^\d+$/);
  return Number(raw);
};

function unitOf(t: Template): string {
  return fileWritten(userData(t), '/etc/systemd/system/mocks-booking.service');
}

// --- security groups as readable rules: "<group> <- <peer> tcp/<port>" and "<group> -> <peer> tcp/<port>"
function securityGroupRules(stack: MocksBookingStack) {
  const t = templateOf(stack);
  const n = stack.network;
  const names = new Map<string, string>([
    [logicalId(n.albSecurityGroup), 'alb'],
    [logicalId(n.appSecurityGroup), 'app'],
    [logicalId(n.databaseSecurityGroup), 'database'],
    [logicalId(n.redisSecurityGroup), 'redis'],
  ]);
  const group = (v: Json) => {
    const ref = v as { 'Fn::GetAtt'?: string[] } | string;
    if (typeof ref === 'string') return ref;
    const id = ref['Fn::GetAtt']?.[0];
    return (id && names.get(id)) ?? JSON.stringify(v);
  };
  const port = (r: Record<string, Json>) =>
    `${String(r.IpProtocol)}/${r.FromPort === r.ToPort ? String(r.FromPort) : `${String(r.FromPort)}-${String(r.ToPort)}`}`;
  const isDenyAllPlaceholder = (r: Record<string, Json>) =>
    r.CidrIp === '255.255.255.255/32' && r.IpProtocol === 'icmp';
  const ingress: string[] = [];
  const egress: string[] = [];
  for (const [id, sg] of resourcesOf(t, 'AWS::EC2::SecurityGroup')) {
    const name = names.get(id) ?? id;
    for (const r of sg.Properties.SecurityGroupIngress ?? [])
      ingress.push(`${name} <- ${r.CidrIp ?? r.CidrIpv6 ?? group(r.SourceSecurityGroupId)} ${port(r)}`);
    for (const r of sg.Properties.SecurityGroupEgress ?? [])
      if (!isDenyAllPlaceholder(r))
        egress.push(`${name} -> ${r.CidrIp ?? r.CidrIpv6 ?? group(r.DestinationSecurityGroupId)} ${port(r)}`);
  }
  for (const [, r] of resourcesOf(t, 'AWS::EC2::SecurityGroupIngress')) {
    ingress.push(
      `${group(r.Properties.GroupId)} <- ${r.Properties.CidrIp ?? r.Properties.CidrIpv6 ?? group(r.Properties.SourceSecurityGroupId)} ${port(r.Properties)}`,
    );
  }
  for (const [, r] of resourcesOf(t, 'AWS::EC2::SecurityGroupEgress')) {
    egress.push(
      `${group(r.Properties.GroupId)} -> ${r.Properties.CidrIp ?? r.Properties.CidrIpv6 ?? group(r.Properties.DestinationSecurityGroupId)} ${port(r.Properties)}`,
    );
  }
  return { ingress: ingress.sort(), egress: egress.sort() };
}

const EXPECTED_INGRESS = [
  'alb <- 0.0.0.0/0 tcp/443',
  'alb <- 0.0.0.0/0 tcp/80',
  'app <- alb tcp/3000',
  'database <- app tcp/5432',
  'redis <- app tcp/6379',
].sort();
const EXPECTED_EGRESS = [
  'alb -> app tcp/3000',
  'app -> 0.0.0.0/0 tcp/443',
  'app -> database tcp/5432',
  'app -> redis tcp/6379',
].sort();

// --- the instance role's policies
function instanceRole(stack: MocksBookingStack) {
  const t = templateOf(stack);
  const [, lt] = onlyResource(t, 'AWS::EC2::LaunchTemplate');
  const profileId = lt.Properties.LaunchTemplateData.IamInstanceProfile.Arn['Fn::GetAtt'][0] as string;
  const profile = t.toJSON().Resources[profileId];
  const roleId = profile.Properties.Roles[0].Ref as string;
  const role = t.toJSON().Resources[roleId];
  const statements = resourcesOf(t, 'AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties.Roles as Json[]).some((r) => (r as { Ref?: string }).Ref === roleId))
    .flatMap(
      ([, p]) =>
        p.Properties.PolicyDocument.Statement as Array<{
          Action: string | string[];
          Resource: Json | Json[];
          Effect: string;
        }>,
    );
  const managed = (role.Properties.ManagedPolicyArns as Json[]).map((a) =>
    flatten(a).replace(/^arn:\{Ref:AWS::Partition\}:iam::aws:policy\//, ''),
  );
  return { statements, managed, inline: role.Properties.Policies as Json[] | undefined };
}
const list = <T>(v: T | T[]) => (Array.isArray(v) ? v : [v]);

// ------------------------------------------------------------------------------------------------

describe.each(both)('%s stack', (name, stack) => {
  const t = templateOf(stack);

  it('is named MocksBooking-<env>, synthesises without errors or warnings, and needs no lookup', () => {
    expect(stack.stackName).toBe(`MocksBooking-${name}`);
    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
    expect(stack.resolve(stack.account)).toEqual({ Ref: 'AWS::AccountId' });
    expect(stack.resolve(stack.region)).toEqual({ Ref: 'AWS::Region' });
    expect(Object.keys(t.toJSON().Parameters)).toEqual(
      expect.arrayContaining(['CertificateArn', 'ArtefactBucket', 'ArtefactKey', 'AlarmEmail', 'FrontendUrl']),
    );
  });

  it('has exactly the listed security group rules: internet → ALB 443 (+80 redirect), ALB → app, app → RDS and Redis, app → 443', () => {
    const rules = securityGroupRules(stack);
    expect(rules.ingress).toEqual(EXPECTED_INGRESS);
    expect(rules.egress).toEqual(EXPECTED_EGRESS);
    expect(JSON.stringify(t.toJSON())).not.toMatch(/"IpProtocol":\s*"-1"/);
  });

  it('answers port 80 only with a redirect to HTTPS; 443 uses the certificate parameter and forwards to the service', () => {
    const listeners = resourcesOf(t, 'AWS::ElasticLoadBalancingV2::Listener').map(([, l]) => l.Properties);
    expect(listeners.map((l) => l.Port).sort()).toEqual([443, 80]);
    const http = listeners.find((l) => l.Port === 80)!;
    expect(http.DefaultActions).toEqual([
      { Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } },
    ]);
    const https = listeners.find((l) => l.Port === 443)!;
    expect(https.Protocol).toBe('HTTPS');
    expect(https.Certificates).toEqual([{ CertificateArn: { Ref: 'CertificateArn' } }]);
    expect(https.SslPolicy).toMatch(/^ELBSecurityPolicy-TLS13-1-2/);
    expect(https.DefaultActions).toEqual([
      { Type: 'forward', TargetGroupArn: { Ref: logicalId(stack.loadBalancer.targetGroup) } },
    ]);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internet-facing' });
  });

  it('health-checks /api/health on the service port, within the service health budget', () => {
    const env = serviceEnv(t);
    const [, tg] = onlyResource(t, 'AWS::ElasticLoadBalancingV2::TargetGroup');
    const p = tg.Properties;
    expect(p.HealthCheckPath).toBe('/api/health');
    expect(p.Matcher).toEqual({ HttpCode: '200' });
    expect(String(p.Port)).toBe(env.get('PORT'));
    expect(p.HealthCheckPort).toBe('traffic-port');
    expect(p.HealthyThresholdCount).toBeGreaterThanOrEqual(2);
    expect(p.UnhealthyThresholdCount).toBeGreaterThanOrEqual(2);
    expect(p.HealthCheckTimeoutSeconds * 1000).toBeGreaterThan(envNumber(t, 'HEALTH_TIMEOUT_MS'));
    expect(p.HealthCheckIntervalSeconds).toBeGreaterThan(p.HealthCheckTimeoutSeconds);
  });

  it('deregisters targets more slowly than the service drains, and drains until the ALB has seen it', () => {
    const [, tg] = onlyResource(t, 'AWS::ElasticLoadBalancingV2::TargetGroup');
    const attr = (tg.Properties.TargetGroupAttributes as Array<{ Key: string; Value: string }>).find(
      (a) => a.Key === 'deregistration_delay.timeout_seconds',
    );
    const deregistrationMs = Number(attr?.Value) * 1000;
    const drainMs = envNumber(t, 'SHUTDOWN_DRAIN_DELAY_MS');
    const shutdownMs = envNumber(t, 'SHUTDOWN_TIMEOUT_MS');
    expect(deregistrationMs).toBeGreaterThan(drainMs);
    expect(deregistrationMs).toBeGreaterThanOrEqual(drainMs + shutdownMs);
    expect(drainMs).toBeGreaterThanOrEqual(
      tg.Properties.HealthCheckIntervalSeconds * tg.Properties.UnhealthyThresholdCount * 1000,
    );
    // The service closes idle keep-alive connections after the ALB does.
    const [, alb] = onlyResource(t, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
    const idle = (alb.Properties.LoadBalancerAttributes as Array<{ Key: string; Value: string }>).find(
      (a) => a.Key === 'idle_timeout.timeout_seconds',
    );
    expect(envNumber(t, 'KEEP_ALIVE_TIMEOUT_MS')).toBeGreaterThan(Number(idle?.Value) * 1000);
  });

  it('gives a new instance its share of requests gradually while its JIT warms up (slow start, round robin)', () => {
    const [, tg] = onlyResource(t, 'AWS::ElasticLoadBalancingV2::TargetGroup');
    const attrs = new Map(
      (tg.Properties.TargetGroupAttributes as Array<{ Key: string; Value: string }>).map((a) => [a.Key, a.Value]),
    );
    const slowStart = Number(attrs.get('slow_start.duration_seconds'));
    // AWS accepts 30-900 s; the bench's cold pass settled within ~10 s of full load.
    expect(slowStart).toBeGreaterThanOrEqual(30);
    expect(slowStart).toBeLessThanOrEqual(900);
    // Slow start is refused with least-outstanding-requests routing.
    expect(attrs.get('load_balancing.algorithm.type') ?? 'round_robin').toBe('round_robin');
  });

  it('runs node dist/server/main.js directly under systemd, with TimeoutStopSec above drain + shutdown', () => {
    const unit = unitOf(t);
    const execStart = /^ExecStart=(.*)$/m.exec(unit)?.[1];
    // node itself, its V8 heap flags (serviceRuntime.ts NODE_FLAGS), then the compiled entry point.
    expect(execStart).toMatch(/^\/\S+\/node( --[a-z-]+=\d+)* dist\/server\/main\.js$/);
    expect(execStart).toContain(NODE_FLAGS.join(' '));
    expect(execStart).not.toMatch(/\b(npm|npx|tsx)\b/);
    expect(unit).toMatch(/^KillSignal=SIGTERM$/m);
    expect(unit).toMatch(/^Restart=on-failure$/m);
    const stopSeconds = Number(/^TimeoutStopSec=(\d+)$/m.exec(unit)?.[1]);
    expect(stopSeconds * 1000).toBeGreaterThan(
      envNumber(t, 'SHUTDOWN_DRAIN_DELAY_MS') + envNumber(t, 'SHUTDOWN_TIMEOUT_MS'),
    );
    expect(unit).toBe(systemdUnit());
  });

  it('gives the service its settings as values: NODE_ENV, TLS to RDS and Redis, secret ids, proxy, metrics port', () => {
    const env = serviceEnv(t);
    const db = logicalId(stack.database.instance);
    const redis = stack.resolve(stack.cache.replicationGroup.logicalId) as string;
    expect(Object.fromEntries(env)).toMatchObject({
      NODE_ENV: 'production',
      PORT: '3000',
      METRICS_PORT: '9464',
      TRUST_PROXY: '1',
      AWS_REGION: '{Ref:AWS::Region}',
      FRONTEND_URL: '{Ref:FrontendUrl}',
      DB_HOST: `{GetAtt:${db}.Endpoint.Address}`,
      DB_SECRET_ID: `{GetAtt:${db}.MasterUserSecret.SecretArn}`,
      DB_SSL_MODE: 'verify-full',
      REDIS_HOST: `{GetAtt:${redis}.PrimaryEndPoint.Address}`,
      REDIS_PORT: `{GetAtt:${redis}.PrimaryEndPoint.Port}`,
      REDIS_TLS: 'true',
      REDIS_SECRET_ID: `{Ref:${logicalId(stack.secrets.redisAuthToken)}}`,
      SESSION_SECRET_ID: `{Ref:${logicalId(stack.secrets.sessionSecret)}}`,
      HUBSPOT_TOKEN_SECRET_ID: `{Ref:${logicalId(stack.secrets.hubspotToken)}}`,
    });
    // Secret ids, never secret values: nothing resolves a secret into user data.
    expect(userData(t)).not.toContain('resolve:secretsmanager');
    // The CA bundle DB_SSL_CA names is the one user data installs.
    expect(userData(t)).toContain(`-o ${env.get('DB_SSL_CA')}\n`);
    expect(env.get('DB_SSL_CA')).toMatch(/global-bundle\.pem$/);
  });

  it('forces TLS on RDS through its parameter group and on Redis in transit, both encrypted at rest', () => {
    const [pgId, pg] = onlyResource(t, 'AWS::RDS::DBParameterGroup');
    expect(pg.Properties.Parameters['rds.force_ssl']).toBe('1');
    expect(pg.Properties.Family).toMatch(/^postgres1[67]$/);
    t.hasResourceProperties('AWS::RDS::DBInstance', {
      Engine: 'postgres',
      EngineVersion: Match.stringLikeRegexp('^1[67]'),
      DBParameterGroupName: { Ref: pgId },
      StorageEncrypted: true,
      EnableIAMDatabaseAuthentication: true,
      ManageMasterUserPassword: true,
      PubliclyAccessible: false,
      BackupRetentionPeriod: Match.anyValue(),
    });
    const [, db] = onlyResource(t, 'AWS::RDS::DBInstance');
    expect(db.Properties.BackupRetentionPeriod).toBeGreaterThanOrEqual(7);
    expect(db.Properties.MasterUserPassword).toBeUndefined();

    const [, rg] = onlyResource(t, 'AWS::ElastiCache::ReplicationGroup');
    expect(rg.Properties).toMatchObject({
      TransitEncryptionEnabled: true,
      TransitEncryptionMode: 'required',
      AtRestEncryptionEnabled: true,
      AutomaticFailoverEnabled: true,
      MultiAZEnabled: true,
      NumCacheClusters: 2,
    });
    // The AUTH token is the secret the service reads as REDIS_SECRET_ID.
    expect(flatten(rg.Properties.AuthToken)).toBe(
      `{{resolve:secretsmanager:{Ref:${logicalId(stack.secrets.redisAuthToken)}}:SecretString:::}}`,
    );
  });

  it('lets the instances read exactly the four service secrets (no wildcard) and nothing broader', () => {
    const { statements, managed, inline } = instanceRole(stack);
    expect(inline).toBeUndefined();
    expect(managed.sort()).toEqual(['AmazonSSMManagedInstanceCore', 'CloudWatchAgentServerPolicy']);
    const secretStatements = statements.filter((s) => list(s.Action).some((a) => a.startsWith('secretsmanager:')));
    expect(secretStatements).toHaveLength(1);
    expect(list(secretStatements[0]!.Action)).toEqual(['secretsmanager:GetSecretValue']);
    const db = logicalId(stack.database.instance);
    expect(list(secretStatements[0]!.Resource).map(flatten).sort()).toEqual(
      [
        `{GetAtt:${db}.MasterUserSecret.SecretArn}`,
        `{Ref:${logicalId(stack.secrets.redisAuthToken)}}`,
        `{Ref:${logicalId(stack.secrets.sessionSecret)}}`,
        `{Ref:${logicalId(stack.secrets.hubspotToken)}}`,
      ].sort(),
    );
    for (const s of statements) {
      expect(s.Effect).toBe('Allow');
      for (const r of list(s.Resource)) expect(flatten(r)).not.toMatch(/(^|:|\/)\*$/);
      for (const a of list(s.Action)) expect(a).not.toMatch(/\*/);
    }
    const connect = statements.find((s) => list(s.Action).includes('rds-db:connect'));
    expect(flatten(connect?.Resource)).toMatch(new RegExp(`:dbuser:\\{GetAtt:${db}\\.DbiResourceId\\}/mocks_booking$`));
    const artefact = statements.find((s) => list(s.Action).includes('s3:GetObject'));
    expect(list(artefact!.Action)).toEqual(['s3:GetObject']);
    expect(flatten(artefact!.Resource)).toBe('arn:{Ref:AWS::Partition}:s3:::{Ref:ArtefactBucket}/{Ref:ArtefactKey}');
  });

  it('names the secrets mocks-booking/<env>/… and uses the RDS-managed one for the database', () => {
    for (const secret of stack.secrets.all) {
      const resource = t.toJSON().Resources[logicalId(secret)];
      expect(resource.Properties.Name).toMatch(new RegExp(`^mocks-booking/${name}/[a-z-]+$`));
    }
    expect(resourcesOf(t, 'AWS::SecretsManager::Secret')).toHaveLength(3);
    expect(resourcesOf(t, 'AWS::SecretsManager::SecretTargetAttachment')).toHaveLength(0);
  });

  it('spreads the Auto Scaling group over two AZs and deploys by a rolling update gated on each instance signalling health', () => {
    const [, asg] = onlyResource(t, 'AWS::AutoScaling::AutoScalingGroup');
    const subnets = asg.Properties.VPCZoneIdentifier as Array<{ Ref: string }>;
    expect(subnets).toHaveLength(2);
    const azs = subnets.map((s) => JSON.stringify(t.toJSON().Resources[s.Ref].Properties.AvailabilityZone));
    expect(new Set(azs).size).toBe(2);
    const min = Number(asg.Properties.MinSize);
    expect(min).toBeGreaterThanOrEqual(2);
    expect(Number(asg.Properties.MaxSize)).toBeGreaterThan(min);
    expect(asg.Properties.HealthCheckType).toBe('EC2');
    expect(asg.UpdatePolicy.AutoScalingRollingUpdate).toMatchObject({
      MaxBatchSize: 1,
      MinInstancesInService: min,
      WaitOnResourceSignals: true,
    });
    expect(asg.CreationPolicy.ResourceSignal.Count).toBe(min);
    const script = userData(t);
    expect(script).toMatch(/cfn-signal .* -e \$exitCode/);
    expect(script).toMatch(/curl -fsS .*"http:\/\/127\.0\.0\.1:3000\/api\/health"/);
    // Node 24 LTS from nodejs.org, checked against the release checksums.
    expect(script).toMatch(/^NODE_VERSION='24\.\d+\.\d+'$/m);
    expect(script).toContain('https://nodejs.org/dist/v${NODE_VERSION}/${NODE_DIST}.tar.gz');
    expect(script).toMatch(/SHASUMS256\.txt \| sha256sum -c -/);
    t.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({ MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1 } }),
    });
  });

  it('ships the service log file to the environment log group the alarms read', () => {
    const script = userData(t);
    const agent = JSON.parse(fileWritten(script, '/opt/aws/amazon-cloudwatch-agent/etc/mocks-booking.json')) as {
      logs: { logs_collected: { files: { collect_list: Array<{ file_path: string; log_group_name: string }> } } };
    };
    const logFile = /^StandardOutput=append:(\S+)$/m.exec(unitOf(t))?.[1];
    const shipped = agent.logs.logs_collected.files.collect_list.find((f) => f.file_path === logFile);
    const logGroup = logicalId(stack.serviceLogGroup);
    expect(shipped?.log_group_name).toBe(`{Ref:${logGroup}}`);
    t.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: `/mocks-booking/${name}/service` });
    for (const [, filter] of resourcesOf(t, 'AWS::Logs::MetricFilter'))
      expect(filter.Properties.LogGroupName).toEqual({ Ref: logGroup });
  });

  it('alarms on 5xx rate, unhealthy hosts, p95 latency, RDS connections and CPU, Redis memory, Postgres auth failures, HubSpot sync lag and quota', () => {
    const alarms = resourcesOf(t, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    const byName = new Map(alarms.map((a) => [String(a.AlarmName).replace(`MocksBooking-${name}-`, ''), a]));
    for (const required of [
      'alb-5xx-rate',
      'unhealthy-hosts',
      'target-latency-p95',
      'rds-connections',
      'rds-cpu',
      'redis-memory',
      'postgres-auth-failures',
      'hubspot-sync-lag',
      'hubspot-quota-low',
    ]) {
      expect(byName.has(required), required).toBe(true);
    }
    const topic = { Ref: logicalId(stack.alarms.topic) };
    for (const a of alarms) expect(a.AlarmActions).toEqual([topic]);
    t.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: { Ref: 'AlarmEmail' },
      TopicArn: topic,
    });

    expect(byName.get('unhealthy-hosts')).toMatchObject({
      MetricName: 'UnHealthyHostCount',
      Namespace: 'AWS/ApplicationELB',
    });
    expect(byName.get('target-latency-p95')).toMatchObject({
      MetricName: 'TargetResponseTime',
      ExtendedStatistic: 'p95',
    });
    expect(byName.get('rds-connections')).toMatchObject({ MetricName: 'DatabaseConnections', Namespace: 'AWS/RDS' });
    expect(byName.get('rds-cpu')).toMatchObject({ MetricName: 'CPUUtilization', Namespace: 'AWS/RDS' });
    const redisMetrics = (
      byName.get('redis-memory')!.Metrics as Array<{
        MetricStat?: { Metric: { MetricName: string; Dimensions: Array<{ Value: string }> } };
      }>
    )
      .filter((m) => m.MetricStat)
      .map((m) => `${m.MetricStat!.Metric.MetricName}:${m.MetricStat!.Metric.Dimensions[0]!.Value}`);
    const rgId = onlyResource(t, 'AWS::ElastiCache::ReplicationGroup')[1].Properties.ReplicationGroupId as string;
    expect(redisMetrics.sort()).toEqual([
      `DatabaseMemoryUsagePercentage:${rgId}-001`,
      `DatabaseMemoryUsagePercentage:${rgId}-002`,
    ]);

    const filters = resourcesOf(t, 'AWS::Logs::MetricFilter').map(([, f]) => f.Properties);
    const auth = filters.find((f) => f.MetricTransformations[0].MetricName === 'PostgresAuthFailures')!;
    expect(auth.FilterPattern).toBe(POSTGRES_AUTH_FAILURE_PATTERN);
    expect(auth.FilterPattern).toContain('$.err.code = "28P01"');
    expect(auth.FilterPattern).toContain('$.err.code = "28000"');
    expect(byName.get('postgres-auth-failures')).toMatchObject({
      MetricName: 'PostgresAuthFailures',
      Namespace: auth.MetricTransformations[0].MetricNamespace,
    });
    const lag = filters.find((f) => f.MetricTransformations[0].MetricName === 'HubSpotSyncLagSeconds')!;
    expect(lag.MetricTransformations[0].MetricValue).toBe('$.hubspotSyncLagSeconds');
    expect(byName.get('hubspot-sync-lag')).toMatchObject({
      MetricName: 'HubSpotSyncLagSeconds',
      Namespace: lag.MetricTransformations[0].MetricNamespace,
    });
    // The field the service's limiter logs when it stops for the daily quota (server/sync/rateLimiter.ts).
    const quota = filters.find((f) => f.MetricTransformations[0].MetricName === 'HubSpotDailyQuotaRemaining')!;
    expect(quota.MetricTransformations[0].MetricValue).toBe('$.hubspotDailyQuotaRemaining');
    expect(byName.get('hubspot-quota-low')).toMatchObject({
      MetricName: 'HubSpotDailyQuotaRemaining',
      Statistic: 'SampleCount',
      Threshold: 1,
    });
  });

  it('never routes the metrics port through the ALB nor opens it without a scraper group', () => {
    const metricsPort = envNumber(t, 'METRICS_PORT');
    expect(metricsPort).not.toBe(envNumber(t, 'PORT'));
    for (const [, tg] of resourcesOf(t, 'AWS::ElasticLoadBalancingV2::TargetGroup')) {
      expect(tg.Properties.Port).not.toBe(metricsPort);
      expect(tg.Properties.HealthCheckPort).not.toBe(String(metricsPort));
    }
    const { ingress } = securityGroupRules(stack);
    expect(ingress.filter((r) => r.endsWith(`/${metricsPort}`))).toEqual([]);
  });
});

describe('production against staging', () => {
  const prod = templateOf(defaults.production);
  const staging = templateOf(defaults.staging);
  const db = (t: Template) => onlyResource(t, 'AWS::RDS::DBInstance')[1];

  it('production: Multi-AZ RDS with deletion protection, retained on stack deletion or replacement', () => {
    const p = db(prod);
    expect(p.Properties.MultiAZ).toBe(true);
    expect(p.Properties.DeletionProtection).toBe(true);
    expect(p.DeletionPolicy).toBe('Retain');
    expect(p.UpdateReplacePolicy).toBe('Retain');
    const [, alb] = onlyResource(prod, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
    expect(alb.Properties.LoadBalancerAttributes).toContainEqual({ Key: 'deletion_protection.enabled', Value: 'true' });
    for (const [, secret] of resourcesOf(prod, 'AWS::SecretsManager::Secret'))
      expect(secret.DeletionPolicy).toBe('Retain');
  });

  it('staging: the chosen smaller shape — single-AZ, deletable, a snapshot on deletion', () => {
    const s = db(staging);
    expect(s.Properties.MultiAZ).toBe(false);
    expect(s.Properties.DeletionProtection).toBe(false);
    expect(s.DeletionPolicy).toBe('Snapshot');
  });

  it('sizes production above staging', () => {
    const asg = (t: Template) => onlyResource(t, 'AWS::AutoScaling::AutoScalingGroup')[1].Properties;
    expect(Number(asg(prod).MaxSize)).toBeGreaterThan(Number(asg(staging).MaxSize));
    expect(db(prod).Properties.DBInstanceClass).not.toBe(db(staging).Properties.DBInstanceClass);
    expect(resourcesOf(prod, 'AWS::EC2::NatGateway').length).toBe(2);
  });
});

describe('context', () => {
  const stack = withContext.production;
  const t = templateOf(stack);

  it('imports an existing VPC by its ids, without a lookup and without creating one', () => {
    expect(resourcesOf(t, 'AWS::EC2::VPC')).toHaveLength(0);
    for (const [, sg] of resourcesOf(t, 'AWS::EC2::SecurityGroup')) expect(sg.Properties.VpcId).toBe(existingVpc.vpcId);
    const [, asg] = onlyResource(t, 'AWS::AutoScaling::AutoScalingGroup');
    expect(asg.Properties.VPCZoneIdentifier).toEqual(existingVpc.privateSubnetIds);
    const [, alb] = onlyResource(t, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
    expect(alb.Properties.Subnets).toEqual(existingVpc.publicSubnetIds);
    t.hasResourceProperties('AWS::RDS::DBSubnetGroup', { SubnetIds: existingVpc.isolatedSubnetIds });
    t.hasResourceProperties('AWS::ElastiCache::SubnetGroup', { SubnetIds: existingVpc.isolatedSubnetIds });
  });

  it('opens the metrics port to the given scraper group only, adding nothing else', () => {
    const { ingress, egress } = securityGroupRules(stack);
    expect(ingress).toEqual([...EXPECTED_INGRESS, `app <- ${scraperGroup} tcp/9464`].sort());
    expect(egress).toEqual(EXPECTED_EGRESS);
  });

  it('refuses an incomplete VPC description or a Node version other than 24', () => {
    const incomplete = { ...existingVpc, privateSubnetIds: ['subnet-0000000000000001a'] };
    expect(() => defineStacks(new App({ context: { 'staging.vpc': incomplete } }))).toThrow(/privateSubnetIds/);
    expect(() => defineStacks(new App({ context: { nodeVersion: '22.11.0' } }))).toThrow(/nodeVersion/);
  });
});

describe('the unit file operators read', () => {
  it('infra/mocks-booking.service and docs/OPERATIONS.md show the unit the instances install (npm run infra:unit rewrites the file)', () => {
    const unit = systemdUnit();
    expect(readFileSync(new URL('../infra/mocks-booking.service', import.meta.url), 'utf8')).toBe(unit);
    const operations = readFileSync(new URL('../docs/OPERATIONS.md', import.meta.url), 'utf8');
    const block = /```ini\n(# Mocks Booking: [\s\S]*?)```/.exec(operations)?.[1];
    expect(block).toBe(unit);
  });
});
