import { readFileSync } from 'node:fs';
import { round1 } from './measure';
import { RSS_SAMPLE_MS } from './settings';

export function procStatusKb(pid: number | 'self', field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

export interface Resources {
  peakRssMiB: Record<string, number>;
  cpuSeconds: Record<string, number>;
  /** Share of all cores' time the machine was busy (every process, PostgreSQL and Redis included). */
  machineCpuBusyPercent: number | undefined;
}

/** User + system CPU seconds a process has used so far (from /proc/<pid>/stat; `self` via Node). */
export function cpuSeconds(pid: number | 'self'): number | undefined {
  if (pid === 'self') {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1e6;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15 (clock ticks, 100/s on Linux).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** Busy and total jiffies of the whole machine (first line of /proc/stat). */
export function machineJiffies(): { busy: number; total: number } | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/** Per phase: max VmRSS (MiB) per process sampled every 100 ms, CPU seconds per process, machine CPU load. */
export class ResourceSampler {
  private peaks = new Map<string, number>();
  private cpuAtStart = new Map<string, number>();
  private machineAtStart: { busy: number; total: number } | undefined;
  private timer: NodeJS.Timeout | undefined;
  constructor(private readonly targets: () => Array<{ name: string; pid: number | 'self' }>) {}
  /** A sampler over these processes and `extra` (a ceiling's own server). */
  alsoWatching(extra: Array<{ name: string; pid: number }>): ResourceSampler {
    return new ResourceSampler(() => [...this.targets(), ...extra]);
  }
  start(): void {
    this.peaks.clear();
    this.cpuAtStart.clear();
    this.machineAtStart = machineJiffies();
    for (const { name, pid } of this.targets()) {
      const cpu = cpuSeconds(pid);
      if (cpu !== undefined) this.cpuAtStart.set(name, cpu);
    }
    this.sample();
    this.timer = setInterval(() => this.sample(), RSS_SAMPLE_MS);
  }
  stop(): Resources {
    if (this.timer) clearInterval(this.timer);
    this.sample();
    const cpu: Record<string, number> = {};
    for (const { name, pid } of this.targets()) {
      const now = cpuSeconds(pid);
      const before = this.cpuAtStart.get(name);
      if (now !== undefined && before !== undefined) cpu[name] = Math.round((now - before) * 100) / 100;
    }
    const machine = machineJiffies();
    const start = this.machineAtStart;
    const machineCpuBusyPercent =
      machine && start && machine.total > start.total
        ? Math.round((100 * (machine.busy - start.busy)) / (machine.total - start.total))
        : undefined;
    return { peakRssMiB: Object.fromEntries(this.peaks), cpuSeconds: cpu, machineCpuBusyPercent };
  }
  private sample(): void {
    for (const { name, pid } of this.targets()) {
      const kb = procStatusKb(pid, 'VmRSS');
      if (kb !== undefined) this.peaks.set(name, Math.max(this.peaks.get(name) ?? 0, round1(kb / 1024)));
    }
  }
}
