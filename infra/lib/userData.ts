import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { cloudwatchAgentConfig } from './cloudwatchAgentConfig';
import { renderEnvironmentFile, type ServiceEndpoints, serviceEnvironment } from './serviceEnvironment';
import { APP_PORT, ENTRY_POINT, HEALTH_PATH, PATHS, SERVICE_NAME, SERVICE_USER } from './serviceRuntime';
import { systemdUnit } from './systemdUnit';

/** Official RDS CA bundle (all regions); DB_SSL_CA points at its copy. */
const RDS_GLOBAL_BUNDLE_URL = 'https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem';

export interface BootstrapOptions {
  /** Exact Node.js 24 LTS release, e.g. 24.21.0: the tarball from nodejs.org, checked against its SHASUMS256.txt. */
  nodeVersion: string;
  artefactBucket: string;
  artefactKey: string;
  endpoints: ServiceEndpoints;
  logGroupName: string;
  metricsNamespace: string;
}

/** A heredoc whose body the shell never expands (quoted delimiter): values land in files as written. */
function writeFile(path: string, body: string, delimiter: string, mode: string): string[] {
  if (body.split('\n').includes(delimiter))
    throw new Error(`heredoc delimiter ${delimiter} occurs in the body of ${path}`);
  return [`cat > ${path} <<'${delimiter}'`, body.replace(/\n$/, ''), delimiter, `chmod ${mode} ${path}`];
}

/**
 * Amazon Linux 2023 bootstrap, run once per instance by cloud-init: Node 24, the release artefact,
 * the service's environment and unit, log shipping; then start and wait for /api/health. The
 * script's exit status becomes the instance's CloudFormation signal (addSignalOnExitCommand), so a
 * release that never gets healthy fails the deploy and rolls it back.
 */
export function bootstrapCommands(o: BootstrapOptions): string[] {
  const envFile = renderEnvironmentFile(serviceEnvironment(o.endpoints));
  return [
    'set -euo pipefail',
    '',
    '# --- packages: CloudWatch agent, cfn-signal, logrotate',
    'dnf install -y amazon-cloudwatch-agent aws-cfn-bootstrap awscli-2 logrotate tar gzip',
    '',
    '# --- Node.js 24 LTS, official tarball from nodejs.org, verified against the release checksums',
    `NODE_VERSION='${o.nodeVersion}'`,
    'case "$(uname -m)" in aarch64) NODE_ARCH=arm64 ;; x86_64) NODE_ARCH=x64 ;; *) echo "unsupported CPU $(uname -m)"; exit 1 ;; esac',
    'NODE_DIST="node-v${NODE_VERSION}-linux-${NODE_ARCH}"',
    'cd /tmp',
    'curl -fsSLO "https://nodejs.org/dist/v${NODE_VERSION}/${NODE_DIST}.tar.gz"',
    'curl -fsSLO "https://nodejs.org/dist/v${NODE_VERSION}/SHASUMS256.txt"',
    'grep " ${NODE_DIST}.tar.gz\\$" SHASUMS256.txt | sha256sum -c -',
    'tar -xzf "${NODE_DIST}.tar.gz" -C /opt',
    'ln -sfn "/opt/${NODE_DIST}" /opt/node',
    `ln -sf /opt/node/bin/node ${PATHS.node}`,
    `ln -sf /opt/node/bin/npm ${PATHS.npm}`,
    `${PATHS.node} --version | grep -q '^v24\\.'`,
    '',
    '# --- service user and directories; the code stays root-owned and read-only to the service',
    `id -u ${SERVICE_USER} >/dev/null 2>&1 || useradd --system --home-dir ${PATHS.installDir} --no-create-home --shell /sbin/nologin ${SERVICE_USER}`,
    `install -d -m 0755 ${PATHS.installDir} ${PATHS.releasesDir} $(dirname ${PATHS.caBundle}) ${PATHS.logDir}`,
    `install -d -m 0755 $(dirname ${PATHS.envFile})`,
    '',
    '# --- RDS CA bundle for DB_SSL_MODE=verify-full (fetched while the instance is built, never by the service)',
    `curl -fsSL ${RDS_GLOBAL_BUNDLE_URL} -o ${PATHS.caBundle}`,
    `grep -q 'BEGIN CERTIFICATE' ${PATHS.caBundle}`,
    `chmod 0644 ${PATHS.caBundle}`,
    '',
    '# --- release artefact: a self-contained tarball (package.json, dist/, production node_modules/)',
    `RELEASE_DIR="${PATHS.releasesDir}/$(date -u +%Y%m%dT%H%M%SZ)"`,
    'install -d -m 0755 "$RELEASE_DIR"',
    `aws s3 cp "s3://${o.artefactBucket}/${o.artefactKey}" /tmp/release.tgz --region "${o.endpoints.region}" --only-show-errors`,
    'tar -xzf /tmp/release.tgz -C "$RELEASE_DIR" --no-same-owner',
    `test -f "$RELEASE_DIR/${ENTRY_POINT}" || { echo "artefact has no ${ENTRY_POINT}"; exit 1; }`,
    'test -d "$RELEASE_DIR/node_modules" || { echo "artefact has no node_modules (build it with npm ci --omit=dev)"; exit 1; }',
    'chmod -R u=rwX,go=rX "$RELEASE_DIR"',
    `ln -sfn "$RELEASE_DIR" ${PATHS.currentRelease}`,
    '',
    '# --- the service: environment (secret ids, never secrets), unit, log rotation',
    ...writeFile(PATHS.envFile, envFile, 'MOCKS_BOOKING_ENV', '0600'),
    ...writeFile(PATHS.unitFile, systemdUnit(), 'MOCKS_BOOKING_UNIT', '0644'),
    ...writeFile(
      '/etc/logrotate.d/mocks-booking',
      `${PATHS.logFile} {\n  daily\n  maxsize 100M\n  rotate 7\n  compress\n  missingok\n  notifempty\n  copytruncate\n}\n`,
      'MOCKS_BOOKING_LOGROTATE',
      '0644',
    ),
    '',
    '# --- npm run doctor with exactly the service environment, user and directory (docs/OPERATIONS.md)',
    ...writeFile(
      '/usr/local/bin/mocks-booking-doctor',
      [
        '#!/bin/bash',
        `exec systemd-run --quiet --wait --pipe --collect --uid=${SERVICE_USER} --gid=${SERVICE_USER} \\`,
        `  -p EnvironmentFile=${PATHS.envFile} -p WorkingDirectory=${PATHS.currentRelease} -p PrivateTmp=yes \\`,
        '  --setenv=npm_config_cache=/tmp/npm-cache --setenv=npm_config_update_notifier=false \\',
        `  ${PATHS.npm} run doctor -- "$@"`,
      ].join('\n'),
      'MOCKS_BOOKING_DOCTOR',
      '0755',
    ),
    '',
    '# --- CloudWatch agent: the service log file and this bootstrap output to the log group',
    ...writeFile(
      PATHS.cloudwatchAgentConfig,
      cloudwatchAgentConfig({ logGroupName: o.logGroupName, metricsNamespace: o.metricsNamespace }),
      'MOCKS_BOOKING_CWAGENT',
      '0644',
    ),
    `/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:${PATHS.cloudwatchAgentConfig}`,
    '',
    '# --- start, then report success only once the service answers its health check',
    'systemctl daemon-reload',
    `systemctl enable --now ${SERVICE_NAME}.service`,
    'for attempt in $(seq 1 120); do',
    `  if curl -fsS -o /dev/null --max-time 5 "http://127.0.0.1:${APP_PORT}${HEALTH_PATH}"; then echo "${SERVICE_NAME} is healthy"; exit 0; fi`,
    '  sleep 5',
    'done',
    `echo "${SERVICE_NAME} not healthy after 10 minutes"`,
    `systemctl status ${SERVICE_NAME}.service --no-pager || true`,
    `tail -n 100 ${PATHS.logFile} || true`,
    'exit 1',
  ];
}

export function bootstrapUserData(o: BootstrapOptions): ec2.UserData {
  const userData = ec2.UserData.forLinux();
  userData.addCommands(...bootstrapCommands(o));
  return userData;
}
