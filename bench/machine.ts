import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

/** The machine a benchmark ran on, printed with every figure. */
export interface Machine {
  /** CPU model name from /proc/cpuinfo (or os.cpus() where there is none) */
  cpu: string;
  /** logical cores the OS reports */
  cores: number;
  node: string;
  /** ISO time the figure was taken */
  date: string;
  /** 1-minute load average when the case started: other work on a shared machine shows here */
  load1: number;
}

/** Reads the machine description; never throws. */
export function machine(): Machine {
  let cpu = cpus()[0]?.model ?? 'unknown';
  let cores = cpus().length;
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const model = /^model name\s*:\s*(.+)$/m.exec(info);
    if (model) cpu = model[1].trim();
    const processors = info.match(/^processor\s*:/gm)?.length ?? 0;
    if (processors > 0) cores = processors;
  } catch {
    // no /proc (not Linux): os.cpus() figures stand
  }
  return { cpu, cores, node: process.version, date: new Date().toISOString(), load1: Math.round(loadavg()[0] * 100) / 100 };
}

function statusField(name: 'VmHWM' | 'VmRSS'): number | null {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const m = new RegExp(`^${name}:\\s*(\\d+)\\s*kB`, 'm').exec(status);
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Peak resident memory of this process so far (VmHWM), bytes; null where /proc is missing. */
export function peakRssBytes(): number | null {
  return statusField('VmHWM');
}

/** Current resident memory of this process (VmRSS), bytes; null where /proc is missing. */
export function rssBytes(): number | null {
  return statusField('VmRSS');
}

/** Clock ticks per second of /proc/stat (USER_HZ, 100 on Linux on every common architecture). */
const USER_HZ = 100;

/**
 * CPU seconds every core of the machine has spent busy since boot (user, nice, system, irq,
 * softirq, steal from the first line of /proc/stat), for all processes; null where /proc is
 * missing. The difference over an interval, minus this process's CPU, is other work's share.
 */
export function machineBusyS(): number | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
    const [user, nice, system, _idle, _iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    return (user + nice + system + irq + softirq + (steal ?? 0)) / USER_HZ;
  } catch {
    return null;
  }
}

/** One line: "AMD EPYC, 2 cores, node v20.20.2, 2026-11-26T11:30:00.000Z, load 1.20". */
export function describeMachine(m: Machine): string {
  return `${m.cpu}, ${m.cores} cores, node ${m.node}, ${m.date}, load ${m.load1.toFixed(2)} (machine shared with other work)`;
}
