import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { loadConfig } from '../../src/config';
import { queuePrefix } from '../../src/keys';
import { CHILDREN, sleep, startChild } from './children';
import { thawEnv } from './context';
import { startCpuMeter } from './cpu-meter';
import type { CpuReading } from './cpu-meter';
import type { BenchContext } from './context';

/**
 * The pipeline baseline (bench/children/bullmq-pipeline.js): `jobs` no-op jobs added here with
 * 50 in flight, each passing through queue A into queue B with thaw's concurrencies and limiter.
 * The clock runs from the first add to the last completion in B.
 */
export async function runBullmqCeiling(
  context: BenchContext,
  prefix: string,
  jobs: number,
): Promise<{ jobsPerSecond: number; seconds: number; cpu: CpuReading }> {
  // thaw's own defaults, read through its config schema, so the baseline follows them.
  const config = loadConfig(thawEnv(context, prefix, 0));
  const child = await startChild(
    {
      name: 'BullMQ two-queue baseline',
      script: join(CHILDREN, 'bullmq-pipeline.js'),
      env: {
        PATH: process.env.PATH ?? '',
        REDIS_URL: context.redisUrl,
        THAW_PREFIX: prefix,
        A_CONCURRENCY: String(config.requests.correlationConcurrency),
        B_CONCURRENCY: String(config.mail.concurrency),
        B_RATE: String(Math.floor(config.mail.maxSendRate)),
      },
      ready: { ipc: true },
      logFile: join(context.workDir, 'pipeline-bullmq-ceiling.log'),
    },
    context.resources,
  );
  let completed = 0;
  let lastAt = 0;
  child.onMessage((message) => {
    if (message.type !== 'sent') return;
    completed = Number(message.sent);
    lastAt = Number(message.lastSentAt);
  });
  const connection = new Redis(context.redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue('bench-events', { connection, prefix: queuePrefix(prefix, 'bench-events') });
  try {
    // About the size of a thaw restore-event job (the normalised event and where it came from).
    const data = (index: number) => ({
      requestId: `r${index}`,
      event: {
        kind: 'completed',
        bucket: 'acme-media-archive-prod',
        key: `projects/2025/bullmq/raw-footage/day-01/camera-A/A${index}_C007_0612XY_001.mov`,
        versionId: 'Zq8MvCgD1kAa3HQyRmJtbN0VwXsEuP7c',
        eventTime: new Date().toISOString(),
        sequencer: '0062E99A88DC407460',
        source: 's3',
        restoreExpiryTime: new Date(Date.now() + 7 * 86400_000).toISOString(),
        storageClass: 'DEEP_ARCHIVE',
        size: 1_000_000 + index,
      },
      snsMessageId: `00000000-0000-0000-0000-${String(index).padStart(12, '0')}`,
      receivedAt: new Date().toISOString(),
    });
    const meter = startCpuMeter([child.pid, context.redisPid ?? -1]);
    const startedAt = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(50, jobs) }, async () => {
        while (next < jobs) {
          const index = next++;
          await queue.add('completed', data(index));
        }
      }),
    );
    const deadline = startedAt + context.sizes.pipelineTimeoutMs;
    while (completed < jobs) {
      if (Date.now() > deadline)
        throw new Error(`BullMQ baseline: only ${completed} of ${jobs} jobs completed`);
      await sleep(5);
    }
    const cpu = meter.stop();
    const seconds = Math.max((lastAt - startedAt) / 1000, 1e-3);
    return { jobsPerSecond: jobs / seconds, seconds, cpu };
  } finally {
    await queue.close();
    await connection.quit();
    await child.stop();
  }
}
