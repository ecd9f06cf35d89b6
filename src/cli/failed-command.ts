import type { Job, Queue } from 'bullmq';
import { createRedisKeys } from '../keys';
import { createNotificationState } from '../notify/notification-state';
import { QUEUE_NAMES } from '../queue/queue-names';
import type { NotificationJob } from '../queue/queues';
import { parseFlags } from './cli-args';
import { openCliQueues } from './open-queues';

export const FAILED_USAGE = `Usage: thaw failed list|retry|drop [JOB_ID...] [--queue NAME] [--all] [--limit N]

Failed jobs stay in Redis for inspection (a week for events, two weeks for emails).

  list               show failed jobs: queue, id, attempts, when, and why
  retry JOB_ID...    run those jobs again (--all: every failed job of --queue); a failed
                     notification is put back to "queued" so it may be sent
  drop JOB_ID...     remove those jobs (--all: every failed job of --queue)
  --queue NAME       restore-events | notifications (default: both for list, required for --all)
  --limit N          list at most N jobs per queue (default 50)

Reads REDIS_URL and THAW_PREFIX like the service.`;

const FLAGS = { queue: 'string', all: 'boolean', limit: 'string', help: 'boolean' } as const;

export async function runFailed(
  argv: string[],
  io: { out: (line: string) => void },
  env = process.env,
): Promise<number> {
  const flags = parseFlags(argv, FLAGS);
  if (typeof flags === 'string' || flags.help) {
    io.out(typeof flags === 'string' ? `thaw failed: ${flags}\n\n${FAILED_USAGE}` : FAILED_USAGE);
    return typeof flags === 'string' ? 2 : 0;
  }
  const [action, ...ids] = flags._;
  const names = flags.queue ? [flags.queue] : [QUEUE_NAMES.restoreEvents, QUEUE_NAMES.notifications];
  if (!action || !['list', 'retry', 'drop'].includes(action))
    return usageError(io, 'say list, retry or drop');
  if (names.some((name) => name !== QUEUE_NAMES.restoreEvents && name !== QUEUE_NAMES.notifications)) {
    return usageError(io, '--queue must be restore-events or notifications');
  }
  if (action !== 'list' && ids.length === 0 && !flags.all)
    return usageError(io, `${action} needs job ids or --all`);
  if (flags.all && !flags.queue) return usageError(io, '--all needs --queue');

  const opened = await openCliQueues(env);
  const { queues } = opened;
  const state = createNotificationState(opened.redis, createRedisKeys(opened.prefix));
  try {
    const byName: Record<string, Queue> = {
      [QUEUE_NAMES.restoreEvents]: queues.restoreEvents,
      [QUEUE_NAMES.notifications]: queues.notifications,
    };
    let count = 0;
    for (const name of names) {
      const queue = byName[name]!;
      const jobs: (Job | undefined)[] =
        action === 'list' || flags.all
          ? await queue.getFailed(0, Number(flags.limit ?? (action === 'list' ? 50 : 100000)) - 1)
          : await Promise.all(ids.map((id) => queue.getJob(id)));
      for (const job of jobs) {
        if (!job) continue;
        if (action === 'list') {
          const when = job.finishedOn ? new Date(job.finishedOn).toISOString() : '-';
          io.out(`${name}\t${job.id}\tattempts=${job.attemptsMade}\t${when}\t${oneLine(job.failedReason)}`);
        } else if (action === 'retry') {
          if (name === QUEUE_NAMES.notifications) {
            const data = job.data as NotificationJob;
            await state.reset(data.requestId, data.kind);
          }
          await job.retry('failed');
          io.out(`retried ${name} ${job.id}`);
        } else {
          await job.remove();
          io.out(`dropped ${name} ${job.id}`);
        }
        count += 1;
      }
    }
    if (action === 'list' && count === 0) io.out('no failed jobs');
    return 0;
  } finally {
    await opened.close();
  }
}

function usageError(io: { out: (line: string) => void }, problem: string): number {
  io.out(`thaw failed: ${problem}\n\n${FAILED_USAGE}`);
  return 2;
}

function oneLine(text: string | undefined): string {
  return (text ?? '').replace(/\s+/g, ' ').slice(0, 300);
}
