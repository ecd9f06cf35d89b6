import { UnavailableError, toError } from '../errors';
import type { SnsConfirmation } from './sns-message';
import { checkSubscribeUrl } from './sns-url';
import type { SnsUrlPolicy } from './sns-url';

export interface SubscriptionConfirmerOptions extends SnsUrlPolicy {
  readonly timeoutMs: number;
}

export type ConfirmSubscription = (message: SnsConfirmation) => Promise<void>;

/**
 * Confirms a subscription by GETting its SubscribeURL — called only for messages that were
 * verified and come from an allowed topic, and only after the URL passes the same host rules as
 * certificate URLs (fetching an unchecked SubscribeURL is a known SSRF). No redirects are followed.
 * A failure is worth a retry: SNS re-sends the confirmation when we answer 503.
 */
export function createSubscriptionConfirmer(options: SubscriptionConfirmerOptions): ConfirmSubscription {
  return async (message) => {
    const url = checkSubscribeUrl(message.SubscribeURL, message.TopicArn, options);
    let response: Response;
    try {
      response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(options.timeoutMs) });
      await response.body?.cancel();
    } catch (cause) {
      throw new UnavailableError(
        'subscription_confirm_failed',
        `confirming failed: ${toError(cause).message}`,
        cause,
      );
    }
    if (response.status !== 200) {
      throw new UnavailableError(
        'subscription_confirm_failed',
        `SNS answered ${response.status} to the confirmation`,
      );
    }
  };
}
