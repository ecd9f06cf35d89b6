import { Redis } from 'ioredis';
import { prefixTag } from './redis-tools';

/** Commands seen for one prefix, by name: those clients sent, and those Lua scripts ran. */
export interface Census {
  readonly sent: Map<string, number>;
  readonly inScripts: Map<string, number>;
}

export interface CensusTaker {
  /** What was counted since the start or the previous snapshot; counting goes on. */
  snapshot(): Census;
  stop(): Promise<void>;
}

/**
 * Counts the Redis commands touching one key prefix with MONITOR. Unlike INFO commandstats, it
 * tells commands a client sent from those a Lua script ran (MONITOR marks them `lua`), and it
 * ignores other users of a shared Redis: every command of thaw and BullMQ names a key under the
 * prefix, in one of its hash tags (commands without keys, such as PING or INFO, are not counted). MONITOR slows Redis
 * down, so it is used in an untimed run only.
 */
export async function takeCensus(redisUrl: string, prefix: string): Promise<CensusTaker> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: 1, connectionName: 'thaw-bench-census' });
  const monitor = await connection.monitor();
  let sent = new Map<string, number>();
  let inScripts = new Map<string, number>();
  // thaw's keys are `{<prefix>}:...`, each queue's `{<prefix>:<queue>}:...` (src/keys.ts).
  const needle = prefixTag(prefix, 'anywhere');
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    const [name] = args;
    if (name === undefined || !args.some((arg) => needle.test(arg))) return;
    const counts = source === 'lua' ? inScripts : sent;
    const command = name.toLowerCase();
    counts.set(command, (counts.get(command) ?? 0) + 1);
  });
  return {
    snapshot() {
      const census = { sent, inScripts };
      sent = new Map();
      inScripts = new Map();
      return census;
    },
    async stop() {
      monitor.disconnect();
      connection.disconnect();
    },
  };
}

export function total(counts: Map<string, number>): number {
  return [...counts.values()].reduce((sum, value) => sum + value, 0);
}

/** `evalsha 4.0, bzpopmin 1.2, …` per unit, most frequent first. */
export function perUnit(counts: Map<string, number>, units: number, top = 6): string {
  return [...counts]
    .filter(([, value]) => value / units >= 0.05)
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, value]) => `${name} ${(value / units).toFixed(1)}`)
    .join(', ');
}
