import { openCliQueues } from './open-queues';

export const SENDING_USAGE = `Usage: thaw sending status|pause|resume

thaw pauses all sending by itself when SES says the account cannot send (suspended, sending
paused, MAIL FROM domain not verified). Once the cause is fixed, resume it here. Emails waiting
in the queue are sent then; the one that hit the error is failed: retry it with thaw failed.

Reads REDIS_URL and THAW_PREFIX like the service.`;

export async function runSending(
  argv: string[],
  io: { out: (line: string) => void },
  env = process.env,
): Promise<number> {
  const [action] = argv;
  if (action === '--help') {
    io.out(SENDING_USAGE);
    return 0;
  }
  if (action !== 'status' && action !== 'pause' && action !== 'resume') {
    io.out(`thaw sending: say status, pause or resume\n\n${SENDING_USAGE}`);
    return 2;
  }
  const opened = await openCliQueues(env);
  const { queues } = opened;
  try {
    if (action === 'pause') await queues.notifications.pause();
    if (action === 'resume') await queues.notifications.resume();
    const paused = await queues.notifications.isPaused();
    const counts = await queues.notifications.getJobCounts('waiting', 'delayed', 'failed');
    io.out(
      `sending is ${paused ? 'PAUSED' : 'running'}; waiting ${counts.waiting ?? 0}, delayed ${counts.delayed ?? 0}, failed ${counts.failed ?? 0}`,
    );
    return 0;
  } finally {
    await opened.close();
  }
}
