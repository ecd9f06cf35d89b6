import {
  retryPolicyProblems,
  retryTimeSeconds,
  SNS_HTTP_MAX_RETRY_SECONDS,
  subscriptionDeliveryPolicy,
  THAW_RETRY_POLICY,
  topicDeliveryPolicy,
} from '../../src/setup/delivery-policy';
import type { HealthyRetryPolicy } from '../../src/setup/delivery-policy';
import { includesJson } from '../../src/setup/json-compare';

describe('THAW_RETRY_POLICY', () => {
  it('uses all 100 retries SNS allows and stays within 3,600 s even if every backoff retry waits the max delay', () => {
    const time = retryTimeSeconds(THAW_RETRY_POLICY);

    expect(THAW_RETRY_POLICY.numRetries).toBe(100);
    expect(time.backoffRetries).toBe(10); // 100 - 3 immediate - 2 at min - 85 at max
    expect(time.longestSeconds).toBe(2 * 1 + 10 * 36 + 85 * 36); // 3,422 s
    expect(time.shortestSeconds).toBe(2 * 1 + 10 * 1 + 85 * 36); // 3,072 s: thaw may be down ~51 min
    expect(time.longestSeconds).toBeLessThanOrEqual(SNS_HTTP_MAX_RETRY_SECONDS);
    expect(retryPolicyProblems(THAW_RETRY_POLICY)).toEqual([]);
  });
});

describe('retryPolicyProblems', () => {
  it('flags a policy whose worst case exceeds the hour (AWS example shape stretched to 100 retries)', () => {
    const stretched: HealthyRetryPolicy = {
      ...THAW_RETRY_POLICY,
      maxDelayTarget: 60,
      numMaxDelayRetries: 35,
    };

    expect(retryTimeSeconds(stretched)).toEqual({
      backoffRetries: 60,
      shortestSeconds: 2162,
      longestSeconds: 5702,
    });
    expect(retryPolicyProblems(stretched)).toEqual(["total retry time may reach 5702 s, over SNS's 3600 s"]);
  });

  it("accepts AWS's own example policy (50 attempts)", () => {
    const aws: HealthyRetryPolicy = {
      numRetries: 50,
      numNoDelayRetries: 3,
      minDelayTarget: 1,
      maxDelayTarget: 60,
      numMinDelayRetries: 2,
      numMaxDelayRetries: 35,
      backoffFunction: 'exponential',
    };

    expect(retryTimeSeconds(aws).longestSeconds).toBe(2 + 10 * 60 + 35 * 60);
    expect(retryPolicyProblems(aws)).toEqual([]);
  });

  it('flags what SNS refuses', () => {
    expect(retryPolicyProblems({ ...THAW_RETRY_POLICY, numRetries: 101 })).toContain(
      'numRetries must be ≤ 100',
    );
    expect(retryPolicyProblems({ ...THAW_RETRY_POLICY, minDelayTarget: 0 })).toContain(
      'minDelayTarget must be a whole number of seconds ≥ 1',
    );
    expect(retryPolicyProblems({ ...THAW_RETRY_POLICY, maxDelayTarget: 0.5 })).toContain(
      'maxDelayTarget must be a whole number of seconds ≥ minDelayTarget',
    );
    expect(retryPolicyProblems({ ...THAW_RETRY_POLICY, numRetries: 50 })).toContain(
      'the phases hold more retries than numRetries',
    );
  });
});

describe('delivery policy documents', () => {
  it('gives the subscription attribute the documented shape', () => {
    expect(subscriptionDeliveryPolicy()).toEqual({
      healthyRetryPolicy: THAW_RETRY_POLICY,
      throttlePolicy: { maxReceivesPerSecond: 50 },
      requestPolicy: { headerContentType: 'text/plain; charset=UTF-8' },
    });
  });

  it('replaces the HTTP defaults of a topic policy and keeps its other keys', () => {
    const existing = {
      http: {
        defaultHealthyRetryPolicy: { numRetries: 3, minDelayTarget: 20, maxDelayTarget: 20 },
        disableSubscriptionOverrides: true,
      },
    };

    expect(topicDeliveryPolicy(existing)).toEqual({
      http: {
        defaultHealthyRetryPolicy: THAW_RETRY_POLICY,
        defaultThrottlePolicy: { maxReceivesPerSecond: 50 },
        defaultRequestPolicy: { headerContentType: 'text/plain; charset=UTF-8' },
        disableSubscriptionOverrides: true,
      },
    });
  });

  it('counts a stored policy with the defaults SNS adds as already set', () => {
    const stored = {
      http: { ...(topicDeliveryPolicy(undefined)['http'] as object), disableSubscriptionOverrides: false },
    };

    expect(includesJson(stored, topicDeliveryPolicy(stored))).toBe(true);
    expect(
      includesJson(
        { http: { defaultHealthyRetryPolicy: THAW_RETRY_POLICY } },
        topicDeliveryPolicy(undefined),
      ),
    ).toBe(false);
  });
});
