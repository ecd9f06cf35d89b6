import { randomUUID } from 'node:crypto';
import { DelayedError, UnrecoverableError, Worker } from 'bullmq';
import type { Job } from 'bullmq';
import { z } from 'zod';
import { NOTIFICATION_KINDS } from '../domain/restore-request';
import { toError } from '../errors';
import type { Logger } from '../logger';
import type { Metrics } from '../observability/metrics';
import { describeActiveSpan, inSpan } from '../observability/spans';
import type { NotificationJob } from '../queue/queues';
import type { DownloadLinks } from './download-links';
import { buildEmailData, downloadableIndexes } from './email-builder';
import { MailError } from './mailer';
import type { Mailer } from './mailer';
import type { NotificationState } from './notification-state';
import type { TemplateRenderer } from './template-renderer';

/**
 * What a `notifications` job carries when thaw's producer made it. Anything else (a job added by
 * hand on the board with a made-up kind or id) is dropped before it touches Redis or a metric label.
 */
const notificationJobSchema = z.object({
  requestId: z.string().regex(/^r_[A-Za-z0-9_-]{1,64}$/),
  kind: z.enum(NOTIFICATION_KINDS),
  snsMessageId: z.string().max(256).nullish(),
  eventTime: z.string().max(64).nullish(),
});

/** Header naming the notification (`<requestId>.<kind>`) in every email thaw sends. */
export const NOTIFICATION_HEADER = 'X-Thaw-Notification';

export interface NotificationDeps {
  /** Claims each notification and reads its request in the same step. */
  readonly state: NotificationState;
  readonly links: DownloadLinks;
  readonly renderer: TemplateRenderer;
  readonly mailer: Mailer;
  readonly from: string;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** A claim younger than this belongs to an attempt that may still be sending; later it is in doubt, ms. */
  readonly inDoubtMs: number;
  /** How long sending pauses after SES throttles us, ms. */
  readonly throttleBackoffMs: number;
  /** Called when the SES account cannot send at all (suspended, paused, domain unverified). */
  readonly onAccountProblem: (error: MailError) => Promise<void>;
  /** The worker, for BullMQ's rate-limit mechanism (set once the worker exists). */
  readonly worker: () => Worker | undefined;
}

/**
 * Sends one notification: at most one email per request and kind.
 *
 * 1. Nothing to do if the request is gone, cancelled, or the notification is already settled
 *    (all found by the claim, which also reads the request: one Redis step).
 *    Nothing is sent for a notification the store never decided (`undecided`): only correlation
 *    decides emails, so a hand-made job cannot tell a customer a healthy restore failed.
 * 2. A suppressed recipient (bounce, complaint) gets nothing: the notification is `suppressed`.
 * 3. Claim, render, send through SES, record the SES MessageId and time.
 * Throttling pauses the queue through BullMQ's rate limiter without spending an attempt;
 * 5xx and network errors retry with backoff; rejections fail the notification with the reason.
 */
export function createNotificationProcessor(deps: NotificationDeps) {
  return async (job: Job<NotificationJob, void, string>, jobToken?: string): Promise<void> => {
    const parsed = notificationJobSchema.safeParse(job.data);
    if (!parsed.success) {
      const fields = parsed.error.issues.map((issue) => issue.path.join('.'));
      deps.logger.warn(
        { jobId: job.id, fields },
        'notification job thaw did not make: dropped, nothing sent',
      );
      return;
    }
    const { requestId, kind, snsMessageId, eventTime } = parsed.data;
    const log = deps.logger.child({
      requestId,
      kind,
      jobId: job.id,
      ...(snsMessageId ? { snsMessageId } : {}),
    });
    const attempt = randomUUID();
    describeActiveSpan({ 'thaw.request.id': requestId, 'thaw.notification.kind': kind });
    const { outcome: claim, request } = await inSpan('notification.claim', {}, async () => {
      const claimed = await deps.state.claim(requestId, kind, attempt, deps.inDoubtMs);
      describeActiveSpan({ 'thaw.claim': claimed.outcome });
      return claimed;
    });
    if (claim === 'missing') {
      log.warn('notification for a request that no longer exists: nothing to send');
      return;
    }
    if (claim === 'busy') {
      // Another attempt holds the claim (or SES's answer to it is still in doubt): look later.
      await job.moveToDelayed(Date.now() + Math.max(1000, Math.floor(deps.inDoubtMs / 4)), jobToken);
      throw new DelayedError();
    }
    if (claim === 'undecided') {
      deps.metrics.emails.inc({ kind, outcome: 'undecided' });
      log.warn('notification the store never decided (a job added by hand?): dropped, nothing sent');
      return;
    }
    if (claim === 'suppressed') {
      deps.metrics.emails.inc({ kind, outcome: 'suppressed' });
      log.info('recipient is suppressed (bounce or complaint): not sending');
      return;
    }
    if ((claim !== 'claimed' && claim !== 'retaken') || request === null) {
      log.info({ state: claim }, 'notification already settled');
      return;
    }
    if (claim === 'retaken') log.warn('previous attempt ended without a recorded outcome; sending again');

    let rendered;
    try {
      const now = Date.now();
      const links = await deps.links.linksFor(request, downloadableIndexes(request, kind), now);
      const statusPageUrl = await deps.links.statusPageUrl(request);
      rendered = await inSpan('email.render', {}, async () =>
        deps.renderer.render(buildEmailData(request, kind, links, statusPageUrl, now)),
      );
    } catch (error) {
      await deps.state.release(requestId, kind, attempt);
      throw error;
    }

    const stop = deps.metrics.emailSendDuration.startTimer();
    try {
      const sent = await deps.mailer.send({
        from: deps.from,
        to: request.recipient.email,
        ...rendered,
        tags: { 'thaw-request': requestId, 'thaw-kind': kind },
        // Names the notification in the message itself, for support staff and for matching
        // SES events to it when their tags are not available.
        headers: { [NOTIFICATION_HEADER]: `${requestId}.${kind}` },
      });
      stop({ outcome: 'sent' });
      await inSpan('notification.record_sent', { 'aws.ses.message_id': sent.messageId }, () =>
        deps.state.recordSent(requestId, kind, sent.messageId, new Date()),
      );
      deps.metrics.emails.inc({ kind, outcome: 'sent' });
      if (eventTime) observeLatency(deps.metrics, eventTime);
      log.info({ messageId: sent.messageId, to: redactAddress(request.recipient.email) }, 'email sent');
    } catch (thrown) {
      stop({ outcome: 'error' });
      await handleSendFailure(thrown, requestId, kind, attempt, log);
    }
  };

  async function handleSendFailure(
    thrown: unknown,
    requestId: string,
    kind: NotificationJob['kind'],
    attempt: string,
    log: Logger,
  ): Promise<never> {
    const error = toError(thrown);
    if (!(error instanceof MailError) || error.kind === 'transient') {
      await deps.state.release(requestId, kind, attempt);
      deps.metrics.emails.inc({ kind, outcome: 'retry' });
      throw error;
    }
    if (error.kind === 'throttled') {
      await deps.state.release(requestId, kind, attempt);
      deps.metrics.emails.inc({ kind, outcome: 'throttled' });
      log.warn({ code: error.code }, 'SES is throttling: pausing sends');
      const worker = deps.worker();
      if (worker) {
        await worker.rateLimit(deps.throttleBackoffMs);
        throw Worker.RateLimitError();
      }
      throw error;
    }
    await deps.state.fail(requestId, kind, attempt, `${error.code}: ${error.message}`);
    deps.metrics.emails.inc({ kind, outcome: 'failed' });
    if (error.kind === 'account') {
      log.error(
        { code: error.code, err: error },
        'SES account cannot send: pausing all sending; a human must act',
      );
      await deps.onAccountProblem(error);
    } else {
      log.warn({ code: error.code, err: error }, 'SES refused the email: not retrying');
    }
    throw new UnrecoverableError(`${error.code}: ${error.message}`);
  }
}

/**
 * From S3's time of the event that decided the email (carried by the job: the request is read
 * without its events) to SES accepting it.
 */
function observeLatency(metrics: Metrics, eventTime: string): void {
  const seconds = (Date.now() - Date.parse(eventTime)) / 1000;
  if (seconds >= 0) metrics.endToEndLatency.observe(seconds);
}

/** Logs keep the domain only: addresses are personal data. */
export function redactAddress(address: string): string {
  const at = address.lastIndexOf('@');
  return at > 0 ? `***${address.slice(at)}` : '***';
}
