import { jsonProblems, list, map, oneOf, optional, required, string, structure } from './request-syntax';

/**
 * The JSON documents `thaw setup` and the LocalStack init script send as attribute values (topic
 * and queue policies, delivery and redrive policies, filter policies), and the values other
 * attributes allow, each written from the public reference named above it.
 */

const SQS_ARN = string(undefined, /^arn:aws[a-z-]*:sqs:/);

const STRINGS = oneOf(string(), list(string(), 1));

/**
 * IAM User Guide, "IAM JSON policy elements reference" and "Grammar of the IAM JSON policy
 * language": Version, Id, Statement (one or a list); each statement Sid, Effect, Principal or
 * NotPrincipal, Action or NotAction, Resource or NotResource, Condition {operator: {key: values}}.
 */
const STATEMENT = structure({
  Sid: optional(string()),
  Effect: required(string(['Allow', 'Deny'])),
  Principal: optional(oneOf(string(['*']), map(STRINGS, ['AWS', 'Service', 'Federated', 'CanonicalUser']))),
  NotPrincipal: optional(map(STRINGS, ['AWS', 'Service', 'Federated', 'CanonicalUser'])),
  Action: optional(STRINGS),
  NotAction: optional(STRINGS),
  Resource: optional(STRINGS),
  NotResource: optional(STRINGS),
  Condition: optional(map(map(oneOf(STRINGS, { kind: 'boolean' })))),
});
export const POLICY_DOCUMENT = structure({
  Version: optional(string(['2012-10-17', '2008-10-17'])),
  Id: optional(string()),
  Statement: required(oneOf(STATEMENT, list(STATEMENT, 1))),
});

/** POLICY_DOCUMENT plus what a resource policy (a topic's, a queue's) needs in every statement. */
export function resourcePolicyProblems(value: unknown): string[] {
  const problems = jsonProblems(value, POLICY_DOCUMENT);
  const statement = (value as { Statement?: unknown } | undefined)?.Statement;
  const statements = (Array.isArray(statement) ? statement : [statement]) as Record<string, unknown>[];
  statements.forEach((item, index) => {
    const has = (name: string): boolean => item?.[name] !== undefined;
    if (has('Action') === has('NotAction'))
      problems.push(`Statement[${index}]: exactly one of Action, NotAction`);
    if (has('Principal') === has('NotPrincipal'))
      problems.push(`Statement[${index}]: a resource policy names exactly one of Principal, NotPrincipal`);
  });
  return problems;
}

/** SNS Developer Guide, "Creating an HTTP/S delivery policy": the retry phases, delays in seconds. */
const RETRY_POLICY = structure({
  minDelayTarget: required({ kind: 'number', min: 1 }),
  maxDelayTarget: required({ kind: 'number', min: 1, max: 3_600 }),
  numRetries: required({ kind: 'number', min: 0, max: 100 }),
  numNoDelayRetries: optional({ kind: 'number', min: 0 }),
  numMinDelayRetries: optional({ kind: 'number', min: 0 }),
  numMaxDelayRetries: optional({ kind: 'number', min: 0 }),
  backoffFunction: optional(string(['linear', 'arithmetic', 'geometric', 'exponential'])),
});
const THROTTLE_POLICY = structure({ maxReceivesPerSecond: required({ kind: 'number', min: 1 }) });
const REQUEST_POLICY = structure({
  headerContentType: required(
    string(undefined, /^(text\/plain|application\/json|application\/xml)(; ?charset=UTF-8)?$/i),
  ),
});

/** Same page: a subscription's DeliveryPolicy. */
export const SUBSCRIPTION_DELIVERY_POLICY = structure({
  healthyRetryPolicy: optional(RETRY_POLICY),
  throttlePolicy: optional(THROTTLE_POLICY),
  requestPolicy: optional(REQUEST_POLICY),
});

/** Same page: a topic's DeliveryPolicy, the defaults of its HTTP/S subscriptions under `http`. */
export const TOPIC_DELIVERY_POLICY = structure({
  http: required(
    structure({
      defaultHealthyRetryPolicy: optional(RETRY_POLICY),
      disableSubscriptionOverrides: optional({ kind: 'boolean' }),
      defaultThrottlePolicy: optional(THROTTLE_POLICY),
      defaultRequestPolicy: optional(REQUEST_POLICY),
    }),
  ),
});

/** SNS API Reference, SetSubscriptionAttributes, Request Parameters, RedrivePolicy. */
export const SNS_REDRIVE_POLICY = structure({ deadLetterTargetArn: required(SQS_ARN) });

/**
 * Problems with one attribute value, by owner and name: JSON documents against their shapes, the
 * rest against the values their reference allows (SNS API Reference, SetTopicAttributes and
 * SetSubscriptionAttributes, Request Parameters; SQS API Reference, SetQueueAttributes, Request
 * Parameters: MessageRetentionPeriod "from 60 seconds (1 minute) to 1,209,600 seconds (14 days)").
 */
export function attributeProblems(
  owner: 'topic' | 'subscription' | 'queue',
  name: string,
  value: string,
): string[] {
  const at = `${owner} attribute ${name}`;
  const json = (check: (parsed: unknown) => string[]): string[] => {
    try {
      return check(JSON.parse(value)).map((problem) => `${at}: ${problem}`);
    } catch {
      return [`${at}: not JSON`];
    }
  };
  switch (`${owner}.${name}`) {
    case 'topic.Policy':
    case 'queue.Policy':
      return json(resourcePolicyProblems);
    case 'topic.DeliveryPolicy':
      return json((parsed) => jsonProblems(parsed, TOPIC_DELIVERY_POLICY));
    case 'subscription.DeliveryPolicy':
      return json((parsed) => jsonProblems(parsed, SUBSCRIPTION_DELIVERY_POLICY));
    case 'subscription.RedrivePolicy':
      return json((parsed) => jsonProblems(parsed, SNS_REDRIVE_POLICY));
    case 'subscription.FilterPolicy':
      // SNS Developer Guide, "Amazon SNS subscription filter policies": a JSON object; `{}` removes it.
      return json((parsed) =>
        typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? [] : ['not a JSON object'],
      );
    case 'topic.SignatureVersion':
      return ['1', '2'].includes(value) ? [] : [`${at}: "${value}" is not 1 or 2`];
    case 'subscription.RawMessageDelivery':
      return ['true', 'false'].includes(value) ? [] : [`${at}: "${value}" is not true or false`];
    case 'subscription.FilterPolicyScope':
      return ['MessageAttributes', 'MessageBody'].includes(value) ? [] : [`${at}: "${value}" is not a scope`];
    case 'queue.MessageRetentionPeriod': {
      const seconds = /^\d+$/.test(value) ? Number(value) : NaN;
      return seconds >= 60 && seconds <= 1_209_600 ? [] : [`${at}: "${value}" is not 60..1209600 seconds`];
    }
    default:
      return [];
  }
}
