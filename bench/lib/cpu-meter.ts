import { readFileSync } from 'node:fs';

/**
 * CPU time actually used, from /proc (Linux): per process (utime + stime) and for the whole
 * machine. CPU per request is much steadier than requests per second on a machine that other
 * work shares, and machine-wide busy time shows when a figure is simply out of cores.
 * Elsewhere every reading is undefined and the report says n/a.
 */
const TICKS_PER_SECOND = 100; // USER_HZ, what /proc reports in on Linux

export interface CpuReading {
  /** CPU seconds of each watched process during the stretch (undefined: not readable). */
  readonly seconds: readonly (number | undefined)[];
  /** Share of all cores that was busy during the stretch, 0..1. */
  readonly machineBusy: number | undefined;
}

export interface CpuMeter {
  stop(): CpuReading;
}

export function startCpuMeter(pids: readonly number[]): CpuMeter {
  const before = pids.map(processTicks);
  const machineBefore = machineTicks();
  return {
    stop() {
      const machineAfter = machineTicks();
      return {
        seconds: pids.map((pid, index) => {
          const start = before[index];
          const end = processTicks(pid);
          return start === undefined || end === undefined ? undefined : (end - start) / TICKS_PER_SECOND;
        }),
        machineBusy:
          machineBefore && machineAfter && machineAfter.total > machineBefore.total
            ? (machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)
            : undefined,
      };
    },
  };
}

/** Sum of the readings, or undefined if any is missing. */
export function totalSeconds(seconds: readonly (number | undefined)[]): number | undefined {
  return seconds.some((value) => value === undefined)
    ? undefined
    : seconds.reduce<number>((sum, value) => sum + (value ?? 0), 0);
}

function processTicks(pid: number): number | undefined {
  try {
    // The command name (field 2) may hold spaces; fields after its closing parenthesis are fixed.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime, stime
  } catch {
    return undefined;
  }
}

function machineTicks(): { busy: number; total: number } | undefined {
  try {
    const [, ...values] = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/);
    const ticks = values.map(Number);
    const total = ticks.reduce((sum, value) => sum + value, 0);
    const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0); // idle + iowait
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/** The local Redis server's pid (from INFO server), if it runs on this machine. */
export function localRedisPid(processId: string | undefined): number | undefined {
  const pid = Number(processId);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('redis') ? pid : undefined;
  } catch {
    return undefined;
  }
}
