import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, redisAnswers } from '../../src/demo/local-redis';

/**
 * A private redis-server for fault injection: its own port and directory, append-only file on,
 * so a SHUTDOWN and a start on the same AOF is a real Redis restart.
 */
export interface RedisProcess {
  readonly url: string;
  readonly port: number;
  /** SHUTDOWN (Redis writes the AOF and exits), then waits for the process to end. */
  shutdown(): Promise<void>;
  /**
   * SIGKILL, as an OOM kill or crash would: no SHUTDOWN, no final AOF rewrite, clients cut off
   * mid-command. Waits for the process to end; start() then brings it back on the same AOF.
   */
  kill9(): Promise<void>;
  /** Starts redis-server again on the same port and files. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface RedisProcessOptions {
  /**
   * Default everysec, as in production. Redis write()s the AOF before it replies, so a kill9()
   * alone loses no acknowledged write under either setting (the kernel's page cache outlives the
   * process); they differ only on an OS crash or power loss, which no test here can cause. What
   * `always` changes under kill9 is latency: one fsync per event-loop turn.
   */
  appendfsync?: 'always' | 'everysec';
}

export async function startRedisProcess(options: RedisProcessOptions = {}): Promise<RedisProcess> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'thaw-chaos-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  async function start(): Promise<void> {
    child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        options.appendfsync ?? 'everysec',
        '--save',
        '',
        '--maxmemory-policy',
        'noeviction',
      ],
      { stdio: 'ignore' },
    );
    for (let attempt = 0; attempt < 100; attempt += 1) {
      if (await redisAnswers(url)) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`redis-server did not start on port ${port}`);
  }

  async function exited(): Promise<void> {
    const current = child;
    if (!current || current.exitCode !== null || current.signalCode !== null) return;
    await new Promise((resolve) => current.once('exit', resolve));
  }

  await start();
  return {
    url,
    port,
    async shutdown() {
      const client = new Redis(url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
      client.on('error', () => undefined);
      await client.call('SHUTDOWN').catch(() => undefined);
      client.disconnect();
      await exited();
    },
    async kill9() {
      child?.kill('SIGKILL');
      await exited();
    },
    start,
    async stop() {
      child?.kill('SIGKILL');
      await exited();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
