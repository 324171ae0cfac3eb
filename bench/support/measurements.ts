import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import os from 'node:os';
import type { BenchDatabase } from './database.js';

/**
 * Memory and CPU of processes, read from Linux's /proc (elsewhere they read as 0
 * or null), and a description of the machine for the reports.
 */

const CLOCK_TICKS = 100; // USER_HZ on Linux

export interface RssSampler {
  current: () => number;
  /** Highest resident memory since the start: our samples and the kernel's high-water mark (VmHWM). */
  peak: () => number;
  /** Starts a window whose highest sampled RSS `windowPeak` gives (VmHWM cannot be reset). */
  startWindow: () => void;
  windowPeak: () => number;
  stop: () => void;
}

/** Samples a process's resident memory every `everyMs`. */
export function sampleRss(pid: number, everyMs: number): RssSampler {
  let peak = 0;
  let window = 0;
  const read = (): { rss: number; hwm: number } => {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
      return { rss: kb('VmRSS') * 1024, hwm: kb('VmHWM') * 1024 };
    } catch {
      return { rss: 0, hwm: 0 };
    }
  };
  const sample = () => {
    const { rss, hwm } = read();
    peak = Math.max(peak, rss, hwm);
    window = Math.max(window, rss);
  };
  sample();
  const timer = setInterval(sample, everyMs);
  timer.unref();
  return {
    current: () => read().rss,
    peak: () => {
      sample();
      return peak;
    },
    startWindow: () => {
      window = read().rss;
    },
    windowPeak: () => {
      sample();
      return window;
    },
    stop: () => clearInterval(timer),
  };
}

export interface CpuSnapshot {
  /** Date.now() when taken. */
  at: number;
  /** CPU seconds of each given process. */
  processes: number[];
  /** CPU seconds of PostgreSQL's processes (embedded server only). */
  postgres: number | null;
  /** CPU seconds of this benchmark process. */
  self: number;
  /** CPU seconds the whole machine spent busy (all processes), from /proc/stat. */
  machine: number | null;
}

/**
 * CPU seconds used so far by the given processes, PostgreSQL (the postmaster and its children;
 * unless `exitedBackends` is false, also the children it has reaped, such as the backends of
 * closed connections), this process and the machine.
 */
export async function cpuSnapshot(
  pids: number[],
  database: BenchDatabase,
  options = { exitedBackends: true },
): Promise<CpuSnapshot> {
  const postmaster = await database.postmasterPid();
  let postgres: number | null = null;
  if (postmaster !== null) {
    postgres = 0;
    for (const entry of await readdir('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = procStat(Number(entry));
      if (stat?.pid === postmaster) postgres += stat.cpu + (options.exitedBackends ? stat.reapedChildren : 0);
      else if (stat?.ppid === postmaster) postgres += stat.cpu;
    }
  }
  const usage = process.cpuUsage();
  return {
    at: Date.now(),
    processes: pids.map((pid) => procStat(pid)?.cpu ?? 0),
    postgres,
    self: (usage.user + usage.system) / 1e6,
    machine: machineBusy(),
  };
}

/** CPU seconds between two snapshots; `others` is what the rest of the machine used (other work running at the same time). */
export function cpuBetween(
  before: CpuSnapshot,
  after: CpuSnapshot,
): { processes: number[]; postgres: number | null; others: number | null } {
  const processes = after.processes.map((value, i) => value - before.processes[i]);
  const postgres = after.postgres !== null && before.postgres !== null ? after.postgres - before.postgres : null;
  const machine = after.machine !== null && before.machine !== null ? after.machine - before.machine : null;
  const ours = processes.reduce((a, b) => a + b, 0) + (postgres ?? 0) + (after.self - before.self);
  return { processes, postgres, others: machine === null || postgres === null ? null : Math.max(0, machine - ours) };
}

function machineBusy(): number | null {
  try {
    // cpu  user nice system idle iowait irq softirq steal ...
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
    const idle = fields[3] + fields[4];
    return (fields.reduce((a, b) => a + b, 0) - idle) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

function procStat(pid: number): { pid: number; ppid: number; cpu: number; reapedChildren: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (in parentheses, may contain spaces): state ppid ... utime(14) stime(15) cutime(16) cstime(17), counted from 3.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return {
      pid,
      ppid: Number(fields[1]),
      cpu: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS,
      reapedChildren: (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS,
    };
  } catch {
    return null;
  }
}

export interface Machine {
  /** CPUs this process may use (nproc). */
  cpus: number;
  cpuModel: string;
  ramBytes: number;
  kernel: string;
}

export function machine(): Machine {
  let model = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  try {
    model = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1].trim() ?? model;
  } catch {
    // not Linux
  }
  return {
    cpus: os.availableParallelism(),
    cpuModel: model,
    ramBytes: os.totalmem(),
    kernel: `${os.type()} ${os.release()}`,
  };
}
