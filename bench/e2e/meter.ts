import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** A measured process: a row of the report. `pids` may name several (a store with helpers). */
export interface MeteredProcess {
  label: string;
  pids(): number[];
}

/** The benchmark's own process: the load generator, fake Stripe, SMTP sink and webhook receiver. */
export const LOAD_GENERATOR_LABEL = 'load generator';

export interface ProcessUsage {
  label: string;
  cpuMs: number;
  /** Highest VmRSS seen while sampling during the phase. */
  peakRssMb: number;
  /** VmHWM at the end of the phase: the process's peak since it started. */
  hwmMb: number;
}

/** Clock ticks per second of /proc/<pid>/stat times (almost always 100). */
const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of a process in milliseconds; 0 once it is gone. */
function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** A `Vm...` line of /proc/<pid>/status in MB; 0 once the process is gone. */
function statusMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
      readFileSync(`/proc/${pid}/status`, 'utf8'),
    );
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/**
 * CPU time and memory of every process for one phase: CPU is read at start and stop (utime +
 * stime from /proc, process.cpuUsage() for this process), VmRSS is sampled every 200 ms in
 * between and its maximum kept.
 */
export class PhaseMeter {
  private readonly cpuAtStart = new Map<string, number>();
  private readonly peakRss = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly processes: readonly MeteredProcess[]) {}

  private cpuNow(): Map<string, number> {
    const out = new Map<string, number>();
    for (const proc of this.processes) out.set(proc.label, sum(proc.pids().map(cpuMsOf)));
    const self = process.cpuUsage();
    out.set(LOAD_GENERATOR_LABEL, (self.user + self.system) / 1000);
    return out;
  }

  private sampleRss(): void {
    const rows: Array<[string, number]> = this.processes.map((p) => [
      p.label,
      sum(p.pids().map((pid) => statusMb(pid, 'VmRSS'))),
    ]);
    rows.push([LOAD_GENERATOR_LABEL, statusMb(process.pid, 'VmRSS')]);
    for (const [label, mb] of rows) this.peakRss.set(label, Math.max(this.peakRss.get(label) ?? 0, mb));
  }

  start(): void {
    for (const [label, ms] of this.cpuNow()) this.cpuAtStart.set(label, ms);
    this.sampleRss();
    this.timer = setInterval(() => this.sampleRss(), 200);
  }

  stop(): ProcessUsage[] {
    clearInterval(this.timer);
    this.sampleRss();
    const hwm = (pids: number[]) => sum(pids.map((pid) => statusMb(pid, 'VmHWM')));
    const hwmOf = new Map(this.processes.map((p) => [p.label, hwm(p.pids())]));
    hwmOf.set(LOAD_GENERATOR_LABEL, hwm([process.pid]));
    return [...this.cpuNow()].map(([label, ms]) => ({
      label,
      cpuMs: Math.max(0, ms - (this.cpuAtStart.get(label) ?? 0)),
      peakRssMb: this.peakRss.get(label) ?? 0,
      hwmMb: hwmOf.get(label) ?? 0,
    }));
  }
}
