import os from 'node:os';
import type { Redis } from 'ioredis';
import { info } from './redis-tools';

/** What the numbers were measured on; printed above the table. */
export async function describeMachine(redis: Redis): Promise<string[]> {
  const server = await info(redis, 'server');
  const persistence = await info(redis, 'persistence');
  const save = ((await redis.config('GET', 'save')) as string[])[1];
  const aof = persistence.aof_enabled === '1' ? 'AOF on' : 'AOF off';
  const rdb = save ? `RDB save "${save}"` : 'RDB off';
  const gigabytes = (os.totalmem() / 2 ** 30).toFixed(0);
  return [
    `CPU: ${os.cpus()[0]?.model ?? 'unknown'}, ${os.availableParallelism()} cores, ${gigabytes} GB RAM, ${os.type()} ${os.release()}`,
    `Node ${process.version}; Redis ${server.redis_version ?? '?'} (${aof}, ${rdb}); all processes on this machine, over loopback`,
  ];
}
