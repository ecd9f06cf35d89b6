import type { SetupChange, SubscriptionStatus } from './changes';
import { includesJson, isRecord, parseJsonAttribute } from './json-compare';
import { subscriptionDeliveryPolicy } from './delivery-policy';
import { SetupError } from './setup-error';
import { PENDING_CONFIRMATION } from './state-reader';
import type { SetupStateReader } from './state-reader';

/** A part of the plan; the planner concatenates them in the order they must be applied. */
export interface PartialPlan {
  readonly changes: SetupChange[];
  readonly unchanged: string[];
  readonly warnings: string[];
}

export interface SubscriptionPlanInput {
  readonly topicArn: string;
  /** False in a dry run for a topic not created yet: it has no subscriptions to list. */
  readonly topicExists: boolean;
  readonly endpoint: string;
  readonly protocol: 'https' | 'http';
  readonly region: string;
  /** --subscription-arn: configure this subscription instead of finding one by endpoint. */
  readonly subscriptionArn?: string;
  /** The dead-letter queue's ARN, with --dlq. */
  readonly deadLetterArn?: string;
}

/**
 * Subscribes thaw's endpoint once: an existing subscription for the same endpoint is kept (a second
 * Subscribe would re-send the confirmation, and fails when attributes differ). A new one gets its
 * DeliveryPolicy and RedrivePolicy in the Subscribe call itself, since a pending subscription's
 * attributes cannot be set afterwards. RawMessageDelivery stays off: thaw verifies the signed
 * envelope, which raw delivery strips. An existing subscription loses a FilterPolicy that would
 * drop S3's events.
 */
export async function planSubscription(
  input: SubscriptionPlanInput,
  reader: SetupStateReader,
): Promise<PartialPlan & { readonly status: SubscriptionStatus }> {
  const plan = { changes: [] as SetupChange[], unchanged: [] as string[], warnings: [] as string[] };
  const deliveryPolicy = subscriptionDeliveryPolicy();
  const redrivePolicy =
    input.deadLetterArn === undefined ? undefined : { deadLetterTargetArn: input.deadLetterArn };
  const name = `subscription ${input.protocol} ${input.endpoint}`;

  let arn = input.subscriptionArn;
  if (arn === undefined) {
    const existing = input.topicExists ? await reader.subscriptions(input.topicArn) : [];
    const match = existing.find(
      (item) => item.endpoint === input.endpoint && item.protocol === input.protocol,
    );
    if (match === undefined) {
      const attributes: Record<string, string> = { DeliveryPolicy: JSON.stringify(deliveryPolicy) };
      if (redrivePolicy !== undefined) attributes['RedrivePolicy'] = JSON.stringify(redrivePolicy);
      plan.changes.push({
        service: 'sns',
        action: 'Subscribe',
        input: {
          TopicArn: input.topicArn,
          Protocol: input.protocol,
          Endpoint: input.endpoint,
          Attributes: attributes,
          ReturnSubscriptionArn: true,
        },
      });
      return { ...plan, status: { state: 'new' } };
    }
    if (match.arn === PENDING_CONFIRMATION) return pending(plan, name, input, redrivePolicy);
    arn = match.arn;
  }

  const attributes = await reader.subscriptionAttributes(arn);
  if (attributes['TopicArn'] !== undefined && attributes['TopicArn'] !== input.topicArn) {
    throw new SetupError(
      'setup_conflict',
      `subscription ${arn} belongs to topic ${attributes['TopicArn']}, not ${input.topicArn}`,
    );
  }
  if (attributes['PendingConfirmation'] === 'true') return pending(plan, name, input, redrivePolicy);

  const set = (attributeName: string, value: string): void => {
    plan.changes.push({
      service: 'sns',
      action: 'SetSubscriptionAttributes',
      input: { SubscriptionArn: arn, AttributeName: attributeName, AttributeValue: value },
    });
  };
  plan.unchanged.push(`${name} exists and is confirmed (${arn})`);
  if (includesJson(parseJsonAttribute(attributes['DeliveryPolicy']), deliveryPolicy)) {
    plan.unchanged.push(`${name} has thaw's DeliveryPolicy`);
  } else set('DeliveryPolicy', JSON.stringify(deliveryPolicy));
  if (attributes['RawMessageDelivery'] === 'true') {
    // Raw delivery strips the signature thaw verifies: every message would be refused.
    set('RawMessageDelivery', 'false');
  }
  planFilterPolicy(attributes, name, set, plan);
  if (redrivePolicy !== undefined) {
    if (includesJson(parseJsonAttribute(attributes['RedrivePolicy']), redrivePolicy)) {
      plan.unchanged.push(`${name} sends what SNS gives up on to ${redrivePolicy.deadLetterTargetArn}`);
    } else set('RedrivePolicy', JSON.stringify(redrivePolicy));
  }
  return { ...plan, status: { state: 'confirmed', arn } };
}

/**
 * S3 publishes its events with no message attributes, so a filter policy on the attributes (the
 * default scope) matches none of them and SNS delivers nothing to thaw. Setup removes it the way
 * SNS documents, by writing an empty policy `{}`. A filter on the message body may be meant
 * (SNS matches it against the S3 event JSON); setup keeps it, and says thaw needs every restore event.
 */
function planFilterPolicy(
  attributes: Readonly<Record<string, string>>,
  name: string,
  set: (attributeName: string, value: string) => void,
  plan: PartialPlan,
): void {
  const filter = parseJsonAttribute(attributes['FilterPolicy']);
  if (filter === undefined || (isRecord(filter) && Object.keys(filter).length === 0)) return;
  if (attributes['FilterPolicyScope'] === 'MessageBody') {
    plan.warnings.push(
      `${name} has a FilterPolicy on the message body: thaw needs every s3:ObjectRestore event of the bucket, ` +
        'so check that the policy lets them all through',
    );
    return;
  }
  set('FilterPolicy', '{}');
  plan.warnings.push(
    `${name} has a FilterPolicy on message attributes, which S3 events do not carry, so it drops every ` +
      'event: setup removes it (SNS may take up to 15 minutes to apply the change)',
  );
}

function pending(
  plan: PartialPlan,
  name: string,
  input: SubscriptionPlanInput,
  redrivePolicy: { readonly deadLetterTargetArn: string } | undefined,
): PartialPlan & { readonly status: SubscriptionStatus } {
  plan.unchanged.push(`${name} exists and is pending confirmation (the topic's DeliveryPolicy covers it)`);
  if (redrivePolicy !== undefined) {
    plan.warnings.push(
      `the RedrivePolicy of a pending subscription cannot be set: once thaw has confirmed it, run this ` +
        `setup again, or: aws sns set-subscription-attributes --region ${input.region} ` +
        `--subscription-arn "$(aws sns list-subscriptions-by-topic --region ${input.region} ` +
        `--topic-arn ${input.topicArn} --query "Subscriptions[?Endpoint=='${input.endpoint}'].SubscriptionArn" ` +
        `--output text)" --attribute-name RedrivePolicy --attribute-value '${JSON.stringify(redrivePolicy)}'`,
    );
  }
  return { ...plan, status: { state: 'pending' } };
}
