'use strict';
/**
 * The pipeline baseline: BullMQ's own throughput through two queues wired like thaw's worker side,
 * with nothing else. `node bullmq-pipeline.js` with REDIS_URL, THAW_PREFIX, A_CONCURRENCY,
 * B_CONCURRENCY and B_RATE (jobs/s) in the environment.
 *
 * Queue A ("events") takes the jobs the bench adds; its no-op processor adds one job to queue B
 * ("notifications") with a deterministic id, as thaw's correlation worker queues an email. Queue
 * B's processor does nothing. Both use thaw's own default job options (dist/queue/queues), one
 * shared connection (as thaw's worker side), the same concurrencies and B's rate limiter, and
 * thaw's key layout (a hash tag per queue, dist/keys).
 *
 * IPC: { type: 'ready' }; then { type: 'sent', sent, lastSentAt } (completions of B, at most every
 * 50 ms) — the same messages thaw-process.js sends for emails, so the bench waits on both alike.
 */
const path = require('node:path');
const { Queue, Worker } = require('bullmq');
const { Redis } = require('ioredis');
const { NOTIFICATION_JOB_OPTIONS, RESTORE_EVENT_JOB_OPTIONS } = require(
  path.join(__dirname, '..', '..', 'dist', 'queue', 'queues'),
);
const { queuePrefix } = require(path.join(__dirname, '..', '..', 'dist', 'keys'));

async function main() {
  const prefix = process.env.THAW_PREFIX;
  // Each queue under a hash tag of its own, as thaw's (dist/keys: `{<prefix>:<queue>}:<queue>:...`).
  const prefixA = queuePrefix(prefix, 'bench-events');
  const prefixB = queuePrefix(prefix, 'bench-notifications');
  const connection = new Redis(process.env.REDIS_URL, { maxRetriesPerRequest: null });
  const queueA = new Queue('bench-events', {
    connection,
    prefix: prefixA,
    defaultJobOptions: RESTORE_EVENT_JOB_OPTIONS,
  });
  const queueB = new Queue('bench-notifications', {
    connection,
    prefix: prefixB,
    defaultJobOptions: NOTIFICATION_JOB_OPTIONS,
  });
  const workerA = new Worker(
    'bench-events',
    async (job) => {
      await queueB.add('completed', { requestId: job.data.requestId }, { jobId: `${job.data.requestId}-n` });
    },
    { connection, prefix: prefixA, concurrency: Number(process.env.A_CONCURRENCY) },
  );

  let sent = 0;
  let lastSentAt = 0;
  let reportScheduled = false;
  const workerB = new Worker('bench-notifications', async () => undefined, {
    connection,
    prefix: prefixB,
    concurrency: Number(process.env.B_CONCURRENCY),
    limiter: { max: Number(process.env.B_RATE), duration: 1000 },
  });
  workerB.on('completed', () => {
    sent += 1;
    lastSentAt = Date.now();
    if (reportScheduled) return;
    reportScheduled = true;
    setTimeout(() => {
      reportScheduled = false;
      process.send?.({ type: 'sent', sent, lastSentAt });
    }, 50).unref();
  });
  for (const emitter of [queueA, queueB, workerA, workerB]) {
    emitter.on('error', (error) => console.error(`bullmq-pipeline: ${error.message}`));
  }
  await Promise.all([workerA.waitUntilReady(), workerB.waitUntilReady()]);
  process.send?.({ type: 'ready' });

  let stopping = false;
  const stop = async () => {
    if (stopping) process.exit(1);
    stopping = true;
    await Promise.all([workerA.close(), workerB.close()]);
    await Promise.all([queueA.close(), queueB.close()]);
    await connection.quit();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error) => {
  console.error(`bullmq-pipeline: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
