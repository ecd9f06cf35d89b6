import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every Prometheus metric thaw exports, on one registry per process (tests build their own, so
 * nothing leaks between them). Names follow Prometheus conventions: `_total` counters, base units.
 */
export interface Metrics {
  readonly registry: Registry;
  /** SNS messages by `type` and `outcome` (queued, duplicate, ignored, confirmed, refused, invalid, unavailable...). */
  readonly snsMessages: Counter<'type' | 'outcome'>;
  /** SNS messages refused at verification, by reason (topic_not_allowed, signature_invalid...). */
  readonly snsVerificationFailures: Counter<'reason'>;
  /** SNS signing-certificate downloads, by outcome (ok, refused: 403 to SNS, unavailable: 503). */
  readonly snsCertificateDownloads: Counter<'outcome'>;
  /** Certificates not downloaded, by reason (budget_spent, failed_recently, busy); each is a 403 or 503. */
  readonly snsCertificateRefusals: Counter<'reason'>;
  /** S3/EventBridge events seen in notifications, by kind or ignored event name, and outcome. */
  readonly s3Events: Counter<'event' | 'outcome'>;
  /** Time to make events durable in Redis (BullMQ add), seconds. */
  readonly enqueueDuration: Histogram<'outcome'>;
  /** Restore requests registered, by whether thaw started the restore. */
  readonly requestsRegistered: Counter<'initiate'>;
  /** What each restore event did to each request it matched (applied, updated, late, duplicate), or unmatched. */
  readonly correlationOutcomes: Counter<'outcome'>;
  /** Events that matched no request and were dropped when their waiting window ended. */
  readonly unmatchedEventsDropped: Counter;
  /** Notifications handed to the notifications queue, by kind. */
  readonly notificationsQueued: Counter<'kind'>;
  /** Reconciliation findings, by result (completed, expired, initiated, delayed, failed, running, error...). */
  readonly reconcileChecks: Counter<'result'>;
  /** Emails by kind and outcome (sent, failed, suppressed, throttled, retry, undecided). */
  readonly emails: Counter<'kind' | 'outcome'>;
  /** Time SES took to accept (or refuse) an email, seconds. */
  readonly emailSendDuration: Histogram<'outcome'>;
  /** From S3's event time to SES accepting the email it caused, seconds. */
  readonly endToEndLatency: Histogram;
  /** 1 while sending is paused (the SES account cannot send, or `thaw sending pause`). */
  readonly sendingPaused: Gauge;
  /**
   * Makes `thaw_sending_paused` read the pause state at each scrape (one Redis read): pausing and
   * resuming happen in other processes (`thaw sending`), so a value set once goes stale.
   */
  readSendingPausedFrom(read: () => Promise<boolean>): void;
  /** SES bounce/complaint feedback, by outcome (suppressed, sent, ignored). */
  readonly sesFeedback: Counter<'outcome'>;
  /**
   * SES feedback events by what SES reported (hard_bounce, soft_bounce, complaint, send, other):
   * with `thaw_emails_total{outcome="sent"}`, the bounce and complaint rates SES reviews accounts by.
   */
  readonly sesFeedbackEvents: Counter<'event'>;
  /** 1: every Redis primary has maxmemory-policy noeviction; 0: one has another; -1: unreadable. */
  readonly redisNoeviction: Gauge;
  /** Makes `thaw_redis_noeviction` read the policy at each scrape (it may change after start). */
  readEvictionPolicyFrom(read: () => Promise<number>): void;
  /** AWS refused a request thaw built (MalformedXML, InvalidArgument...): a thaw bug, by service, operation, AWS code. */
  readonly awsRequestsRejected: Counter<'service' | 'operation' | 'code'>;
}

/**
 * prom-client's gauges that end in `_total`, which Prometheus keeps for counters (`promtool check
 * metrics` refuses them). Each is the sum over `type` of the gauge of the same name without
 * `_total` (`thaw_nodejs_active_handles{type}`...), which stays.
 */
const GAUGES_NAMED_TOTAL = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/** prom-client's default process and Node.js metrics, prefixed `thaw_`, less GAUGES_NAMED_TOTAL. */
function collectDefaults(registry: Registry): void {
  const prefix = 'thaw_';
  collectDefaultMetrics({ register: registry, prefix });
  for (const name of GAUGES_NAMED_TOTAL) registry.removeSingleMetric(prefix + name);
}

export function createMetrics(options: { collectDefaults?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.collectDefaults ?? true) collectDefaults(registry);
  let readSendingPaused: (() => Promise<boolean>) | undefined;
  let readEvictionPolicy: (() => Promise<number>) | undefined;
  return {
    registry,
    readSendingPausedFrom(read) {
      readSendingPaused = read;
    },
    readEvictionPolicyFrom(read) {
      readEvictionPolicy = read;
    },
    snsMessages: new Counter({
      name: 'thaw_sns_messages_total',
      help: 'SNS messages received at the SNS endpoint, by message type and outcome.',
      labelNames: ['type', 'outcome'],
      registers: [registry],
    }),
    snsVerificationFailures: new Counter({
      name: 'thaw_sns_verification_failures_total',
      help: 'SNS messages refused by signature verification, by reason.',
      labelNames: ['reason'],
      registers: [registry],
    }),
    snsCertificateDownloads: new Counter({
      name: 'thaw_sns_certificate_downloads_total',
      help: 'SNS signing-certificate downloads, by outcome (ok, refused, unavailable).',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    snsCertificateRefusals: new Counter({
      name: 'thaw_sns_certificate_refusals_total',
      help: 'SNS signing certificates not downloaded, by reason (budget_spent, failed_recently, busy).',
      labelNames: ['reason'],
      registers: [registry],
    }),
    s3Events: new Counter({
      name: 'thaw_s3_events_total',
      help: 'S3 events found in SNS notifications, by event kind (or ignored event name) and outcome.',
      labelNames: ['event', 'outcome'],
      registers: [registry],
    }),
    enqueueDuration: new Histogram({
      name: 'thaw_enqueue_duration_seconds',
      help: 'Time to make restore events durable in the restore-events queue.',
      labelNames: ['outcome'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    requestsRegistered: new Counter({
      name: 'thaw_requests_registered_total',
      help: 'Restore requests registered, by whether thaw started the restore.',
      labelNames: ['initiate'],
      registers: [registry],
    }),
    correlationOutcomes: new Counter({
      name: 'thaw_correlation_outcomes_total',
      help: 'What restore events did to the requests they matched, or unmatched.',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    unmatchedEventsDropped: new Counter({
      name: 'thaw_events_unmatched_total',
      help: 'Restore events that matched no request within the early-event window.',
      registers: [registry],
    }),
    notificationsQueued: new Counter({
      name: 'thaw_notifications_queued_total',
      help: 'Notifications handed to the notifications queue, by kind.',
      labelNames: ['kind'],
      registers: [registry],
    }),
    reconcileChecks: new Counter({
      name: 'thaw_reconcile_checks_total',
      help: 'Reconciliation findings for overdue or expiring requests, by result.',
      labelNames: ['result'],
      registers: [registry],
    }),
    emails: new Counter({
      name: 'thaw_emails_total',
      help: 'Emails by notification kind and outcome (sent, failed, suppressed, throttled, retry, undecided: a job the store never decided, dropped).',
      labelNames: ['kind', 'outcome'],
      registers: [registry],
    }),
    emailSendDuration: new Histogram({
      name: 'thaw_email_send_duration_seconds',
      help: 'Time SES took to answer SendEmail.',
      labelNames: ['outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    endToEndLatency: new Histogram({
      name: 'thaw_end_to_end_latency_seconds',
      help: "From the S3 event's time to SES accepting the email it caused.",
      buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600],
      registers: [registry],
    }),
    sendingPaused: new Gauge({
      name: 'thaw_sending_paused',
      help: '1 while sending is paused because the SES account cannot send (suspended, paused, unverified).',
      registers: [registry],
      async collect() {
        if (readSendingPaused) this.set((await readSendingPaused()) ? 1 : 0);
      },
    }),
    sesFeedback: new Counter({
      name: 'thaw_ses_feedback_total',
      help: 'SES feedback notifications, by outcome (suppressed, sent, ignored).',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    sesFeedbackEvents: new Counter({
      name: 'thaw_ses_feedback_events_total',
      help: 'SES feedback events received, by event (hard_bounce, soft_bounce, complaint, send, other).',
      labelNames: ['event'],
      registers: [registry],
    }),
    redisNoeviction: new Gauge({
      name: 'thaw_redis_noeviction',
      help: 'Redis maxmemory-policy: 1 noeviction on every primary, 0 another policy somewhere (Redis may evict jobs), -1 unreadable.',
      registers: [registry],
      async collect() {
        if (readEvictionPolicy) this.set(await readEvictionPolicy());
      },
    }),
    awsRequestsRejected: new Counter({
      name: 'thaw_aws_request_rejected_total',
      help: 'Requests thaw built that AWS refused as malformed or invalid (a thaw bug), by service, operation and AWS error code.',
      labelNames: ['service', 'operation', 'code'],
      registers: [registry],
    }),
  };
}
