import { parseArn } from './arn';
import type { SetupPlan } from './changes';
import type { SetupOptions } from './setup-options';

/** The plan as printed: one JSON object, the same with and without --dry-run. */
export function planJson(plan: SetupPlan): string {
  return JSON.stringify(
    { changes: plan.changes, unchanged: plan.unchanged, warnings: plan.warnings },
    null,
    2,
  );
}

/**
 * What the operator has to know after setup ran: the topic to allow in thaw's configuration and,
 * above all, that SNS delivers nothing until the subscription is confirmed — by thaw itself.
 */
export function summaryLines(
  plan: SetupPlan,
  options: SetupOptions,
  applied: number,
  subscriptionArn: string | undefined,
): string[] {
  const region = parseArn(plan.topicArn)?.region ?? '<region>';
  const lines = [
    applied === 0
      ? `Nothing to change: the account is already set up (${plan.unchanged.length} checks).`
      : `Done: ${applied} change${applied === 1 ? '' : 's'} applied, ${plan.unchanged.length} already in place.`,
    `Topic: ${plan.topicArn} — thaw accepts it only if it is in SNS_TOPIC_ARNS.`,
  ];
  if (plan.subscription.state === 'confirmed') {
    lines.push(`Subscription: confirmed (${plan.subscription.arn}).`);
  } else {
    const arn = subscriptionArn === undefined ? '' : ` (${subscriptionArn})`;
    // SNS API Reference, Subscribe: "Confirmation tokens are valid for two days." (Older SDK docs
    // said three days.)
    lines.push(
      `Subscription: ${options.endpoint} is PendingConfirmation${arn}. SNS has sent it a SubscriptionConfirmation; ` +
        'thaw confirms it itself on receipt when the topic is in SNS_TOPIC_ARNS and thaw answers at that URL. ' +
        'Until then SNS delivers nothing. SNS retries the confirmation under the delivery policy; its ' +
        'token stays valid for two days.',
      `Check: aws sns list-subscriptions-by-topic --region ${region} --topic-arn ${plan.topicArn}`,
    );
  }
  for (const warning of plan.warnings) lines.push(`Warning: ${warning}`);
  return lines;
}
