import { queueArnFor } from './arn';
import { mergeStatement, snsDeadLetterStatement } from './policy-document';
import { SetupError } from './setup-error';
import type { QueueState, SetupStateReader } from './state-reader';
import type { PartialPlan } from './subscription-plan';

/** The longest SQS keeps a message (14 days): time for someone to notice and replay what SNS gave up on. */
export const DLQ_RETENTION_SECONDS = 1_209_600;

/** The AWS managed key for SQS, as an alias or an alias ARN (`arn:aws:kms:<region>:<account>:alias/aws/sqs`). */
const AWS_MANAGED_SQS_KEY = /(^|:)alias\/aws\/sqs$/;

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
    // CreateQueue makes the queue in the caller's account, which is not the topic's when
    // --topic-arn names a topic of another account. SNS wants the dead-letter queue in the
    // subscription's account and Region (SNS Developer Guide, "Amazon SNS dead-letter queues"),
    // and Subscribe, made with the same credentials, puts the subscription there too.
    const queueArn = queueArnFor(input.region, await reader.callerAccount(), input.queueName);
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
  checkEncryption(input.queueName, queue, plan);
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

/**
 * SNS can move a message into an SSE-KMS queue only when the key's policy lets sns.amazonaws.com
 * use it (SNS Developer Guide, "Amazon SNS dead-letter queues"), and the policy of the AWS managed
 * key alias/aws/sqs cannot be changed (SQS Developer Guide, "Amazon SQS Key management"): SNS
 * could never write to such a queue, and would drop what it gives up on. A customer managed key
 * may be right; setup cannot read its policy (that needs KMS permissions), so it says what to check.
 */
function checkEncryption(queueName: string, queue: QueueState, plan: PartialPlan): void {
  const key = queue.kmsMasterKeyId;
  if (key === undefined || key === '') return;
  if (AWS_MANAGED_SQS_KEY.test(key)) {
    throw new SetupError(
      'setup_conflict',
      `queue ${queueName} is encrypted with the AWS managed key ${key}, whose key policy cannot let ` +
        'SNS use it: SNS could not move any message into this dead-letter queue. Switch the queue to ' +
        'SSE-SQS (SqsManagedSseEnabled=true) or to a customer managed KMS key whose key policy lets ' +
        'sns.amazonaws.com use kms:GenerateDataKey* and kms:Decrypt, or name a new queue with --dlq-name; ' +
        'then run setup again',
    );
  }
  plan.warnings.push(
    `queue ${queueName} is encrypted with KMS key ${key}: its key policy must let sns.amazonaws.com use ` +
      'kms:GenerateDataKey* and kms:Decrypt, or SNS cannot move messages into it (setup does not read key policies)',
  );
}
