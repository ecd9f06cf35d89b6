import { isRecord } from './json-compare';

/**
 * How patiently SNS retries a delivery thaw did not acknowledge (thaw down, deploying, Redis
 * unreachable → 503). SNS's HTTP/S default is 3 retries 20 s apart: a one-minute outage loses
 * events. SNS caps an HTTP/S policy at 100 retries and 3,600 s of total retry time, a hard limit
 * (SNS Developer Guide, "Amazon SNS message delivery retries"), so thaw asks for as close to the
 * whole hour as can be shown to stay under it.
 *
 * The phases, in order: `numNoDelayRetries` immediately; `numMinDelayRetries` at `minDelayTarget`;
 * the backoff phase (`numRetries` minus the other three) growing from min to max delay along
 * `backoffFunction`; `numMaxDelayRetries` at `maxDelayTarget`. SNS does not document the exact
 * backoff curve, only that it runs from min to max, so the total is bounded by counting every
 * backoff retry at the max delay: a policy inside that bound is inside the limit whatever the curve.
 */

export type BackoffFunction = 'linear' | 'arithmetic' | 'geometric' | 'exponential';

/** SNS's `healthyRetryPolicy` (subscription) / `defaultHealthyRetryPolicy` (topic). Delays in seconds. */
export interface HealthyRetryPolicy {
  readonly numRetries: number;
  readonly numNoDelayRetries: number;
  readonly minDelayTarget: number;
  readonly maxDelayTarget: number;
  readonly numMinDelayRetries: number;
  readonly numMaxDelayRetries: number;
  readonly backoffFunction: BackoffFunction;
}

/** SNS's hard limits for an HTTP/S delivery policy. */
export const SNS_HTTP_MAX_RETRIES = 100;
export const SNS_HTTP_MAX_RETRY_SECONDS = 3_600;

/**
 * 100 retries: 3 at once (a blip), 2 at 1 s, 10 growing from 1 s to 36 s, then 85 at 36 s.
 * Total retry time 3,072–3,422 s (see retryTimeSeconds): a thaw outage of up to ~51 minutes loses
 * nothing, and no gap between attempts exceeds 36 s, so thaw catches up soon after it is back.
 * (A 60 s max delay with 35 retries at it, AWS's example shape stretched to 100 retries, would
 * count up to 5,702 s under the bound and may be refused.)
 */
export const THAW_RETRY_POLICY: HealthyRetryPolicy = {
  numRetries: 100,
  numNoDelayRetries: 3,
  minDelayTarget: 1,
  maxDelayTarget: 36,
  numMinDelayRetries: 2,
  numMaxDelayRetries: 85,
  backoffFunction: 'exponential',
};

/** At most this many deliveries per second to thaw; a backlog drains at this rate after an outage. */
export const THAW_MAX_RECEIVES_PER_SECOND = 50;

/** thaw's route reads the body as text; SNS's own default content type for HTTP/S is the same. */
export const THAW_HEADER_CONTENT_TYPE = 'text/plain; charset=UTF-8';

export interface RetryTime {
  /** Retries in the backoff phase: what the other phases leave of `numRetries`. */
  readonly backoffRetries: number;
  /** Total retry time if every backoff retry waited the min delay, seconds. */
  readonly shortestSeconds: number;
  /** Total retry time if every backoff retry waited the max delay: the bound checked, seconds. */
  readonly longestSeconds: number;
}

export function retryTimeSeconds(policy: HealthyRetryPolicy): RetryTime {
  const backoffRetries =
    policy.numRetries - policy.numNoDelayRetries - policy.numMinDelayRetries - policy.numMaxDelayRetries;
  const fixed =
    policy.numMinDelayRetries * policy.minDelayTarget + policy.numMaxDelayRetries * policy.maxDelayTarget;
  return {
    backoffRetries,
    shortestSeconds: fixed + backoffRetries * policy.minDelayTarget,
    longestSeconds: fixed + backoffRetries * policy.maxDelayTarget,
  };
}

/** Everything about `policy` SNS would refuse for HTTP/S, or that could exceed its time limit; empty when fine. */
export function retryPolicyProblems(policy: HealthyRetryPolicy): string[] {
  const problems: string[] = [];
  const counts = ['numRetries', 'numNoDelayRetries', 'numMinDelayRetries', 'numMaxDelayRetries'] as const;
  for (const name of counts) {
    if (!Number.isInteger(policy[name]) || policy[name] < 0)
      problems.push(`${name} must be a whole number ≥ 0`);
  }
  if (policy.numRetries > SNS_HTTP_MAX_RETRIES) problems.push(`numRetries must be ≤ ${SNS_HTTP_MAX_RETRIES}`);
  if (!Number.isInteger(policy.minDelayTarget) || policy.minDelayTarget < 1) {
    problems.push('minDelayTarget must be a whole number of seconds ≥ 1');
  }
  if (!Number.isInteger(policy.maxDelayTarget) || policy.maxDelayTarget < policy.minDelayTarget) {
    problems.push('maxDelayTarget must be a whole number of seconds ≥ minDelayTarget');
  }
  if (policy.maxDelayTarget > SNS_HTTP_MAX_RETRY_SECONDS) {
    problems.push(`maxDelayTarget must be ≤ ${SNS_HTTP_MAX_RETRY_SECONDS}`);
  }
  const time = retryTimeSeconds(policy);
  if (time.backoffRetries < 0) problems.push('the phases hold more retries than numRetries');
  if (time.longestSeconds > SNS_HTTP_MAX_RETRY_SECONDS) {
    problems.push(
      `total retry time may reach ${time.longestSeconds} s, over SNS's ${SNS_HTTP_MAX_RETRY_SECONDS} s`,
    );
  }
  return problems;
}

/** The subscription attribute `DeliveryPolicy`. */
export function subscriptionDeliveryPolicy(
  policy: HealthyRetryPolicy = THAW_RETRY_POLICY,
): Record<string, unknown> {
  return {
    healthyRetryPolicy: { ...policy },
    throttlePolicy: { maxReceivesPerSecond: THAW_MAX_RECEIVES_PER_SECOND },
    requestPolicy: { headerContentType: THAW_HEADER_CONTENT_TYPE },
  };
}

/**
 * The topic attribute `DeliveryPolicy`: the default for the topic's HTTP/S subscriptions. A new
 * subscription's own attributes cannot be changed while it is pending confirmation, so the topic
 * default is what covers a subscription created outside setup, from its very first delivery.
 * Other keys of an existing policy (e.g. `disableSubscriptionOverrides`) are kept.
 */
export function topicDeliveryPolicy(
  existing: unknown,
  policy: HealthyRetryPolicy = THAW_RETRY_POLICY,
): Record<string, unknown> {
  const current = isRecord(existing) ? existing : {};
  const http = isRecord(current['http']) ? current['http'] : {};
  return {
    ...current,
    http: {
      ...http,
      defaultHealthyRetryPolicy: { ...policy },
      defaultThrottlePolicy: { maxReceivesPerSecond: THAW_MAX_RECEIVES_PER_SECOND },
      defaultRequestPolicy: { headerContentType: THAW_HEADER_CONTENT_TYPE },
    },
  };
}
