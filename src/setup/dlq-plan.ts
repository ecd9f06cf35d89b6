import { parseArn, queueArnFor, UNKNOWN_ACCOUNT } from './arn';
import { mergeStatement, snsDeadLetterStatement } from './policy-document';
import type { SetupStateReader } from './state-reader';
import type { PartialPlan } from './subscription-plan';

/** The longest SQS keeps a message (14 days): time for someone to notice and replay what SNS gave up on. */
export const DLQ_RETENTION_SECONDS = 1_209_600;

export interface DeadLetterPlanInput {
  readonly queueName: string;
  readonly topicArn: string;
  readonly region: string;
}

/**
 * Creates or reuses the standard SQS queue SNS moves undeliverable messages to, and lets the topic
 * (only it) send there. The queue's other policy statements are kept.
 */
export async function planDeadLetterQueue(
  input: DeadLetterPlanInput,
  reader: SetupStateReader,
): Promise<PartialPlan & { readonly queueArn: string }> {
  const plan: PartialPlan = { changes: [], unchanged: [], warnings: [] };
  const queue = await reader.queue(input.queueName);
  if (queue === undefined) {
    // CreateQueue makes the queue in the caller's account: the topic's, when setup found or
    // created the topic with the same credentials.
    const account = parseArn(input.topicArn)?.account ?? UNKNOWN_ACCOUNT;
    const queueArn = queueArnFor(input.region, account, input.queueName);
    const statement = snsDeadLetterStatement(queueArn, input.topicArn);
    plan.changes.push({
      service: 'sqs',
      action: 'CreateQueue',
      input: {
        QueueName: input.queueName,
        Attributes: {
          Policy: mergeStatement(undefined, statement, `queue ${input.queueName}`).policy,
          MessageRetentionPeriod: String(DLQ_RETENTION_SECONDS),
        },
      },
    });
    return { ...plan, queueArn };
  }
  const merged = mergeStatement(
    queue.policy,
    snsDeadLetterStatement(queue.arn, input.topicArn),
    `queue ${input.queueName}`,
  );
  if (merged.changed) {
    plan.changes.push({
      service: 'sqs',
      action: 'SetQueueAttributes',
      input: { QueueUrl: queue.url, Attributes: { Policy: merged.policy } },
    });
  } else plan.unchanged.push(`queue ${input.queueName} exists and lets the topic send to it`);
  return { ...plan, queueArn: queue.arn };
}
