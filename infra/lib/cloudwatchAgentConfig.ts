import { PATHS } from './serviceRuntime';

/**
 * CloudWatch agent configuration: ships the service's JSON log lines (the unit appends stdout and
 * stderr to one file) and the instance's bootstrap output to the environment's log group, one
 * stream per instance, plus memory and disk use (the service's RSS matters on small instances).
 */
export function cloudwatchAgentConfig(opts: { logGroupName: string; metricsNamespace: string }): string {
  const config = {
    agent: { metrics_collection_interval: 60 },
    logs: {
      logs_collected: {
        files: {
          collect_list: [
            {
              file_path: PATHS.logFile,
              log_group_name: opts.logGroupName,
              log_stream_name: '{instance_id}',
              timezone: 'UTC',
            },
            {
              file_path: '/var/log/cloud-init-output.log',
              log_group_name: opts.logGroupName,
              log_stream_name: '{instance_id}/bootstrap',
              timezone: 'UTC',
            },
          ],
        },
      },
    },
    metrics: {
      namespace: opts.metricsNamespace,
      append_dimensions: { AutoScalingGroupName: '${aws:AutoScalingGroupName}', InstanceId: '${aws:InstanceId}' },
      aggregation_dimensions: [['AutoScalingGroupName']],
      metrics_collected: {
        mem: { measurement: ['mem_used_percent'] },
        disk: { measurement: ['used_percent'], resources: ['/'] },
      },
    },
  };
  return JSON.stringify(config, null, 2);
}
