import { toError } from '../errors';
import { applyChange } from '../setup/applier';
import type { ApplyOptions } from '../setup/applier';
import { describeChange } from '../setup/changes';
import { planSetup, preflight, resolveTopic } from '../setup/planner';
import type { ResolvedTopic } from '../setup/planner';
import { clientRegion, createSetupClients, destroySetupClients } from '../setup/setup-clients';
import type { SetupClients } from '../setup/setup-clients';
import { SetupError } from '../setup/setup-error';
import { DEFAULT_TOPIC_NAME, parseSetupArgs } from '../setup/setup-options';
import { planJson, summaryLines } from '../setup/setup-summary';
import { createAwsStateReader } from '../setup/state-reader';

/**
 * `thaw setup`: wires an S3 bucket's restore events to thaw — SNS topic, its access policy and
 * delivery policy, the bucket's notification configuration, thaw's HTTPS subscription, and
 * optionally a dead-letter queue. It plans from what it reads, prints the plan, then applies it;
 * everything it owns is found by a fixed name, so running it twice changes nothing the second time.
 * Exit codes: 0 done (or planned, with --dry-run), 1 AWS refused or a conflict stopped it, 2 wrong usage.
 */

export const SETUP_SUMMARY = "wire an S3 bucket's restore events to thaw (SNS topic, policies, subscription)";

export const SETUP_USAGE = [
  'Usage: thaw setup --bucket NAME --endpoint URL [--topic-name NAME | --topic-arn ARN] [--region R]',
  '                  [--account-id ID] [--dlq [--dlq-name NAME]] [--subscription-arn ARN]',
  '                  [--signature-version 1|2] [--dry-run] [--help]',
  '',
  "Creates or reuses a standard SNS topic, lets S3 publish the bucket's events to it, adds an",
  's3:ObjectRestore:* configuration to the bucket (keeping every other one), and subscribes thaw.',
  'Prints the plan as JSON ({"changes": [...]}), applies it, then says what is left to do.',
  '',
  '  --bucket NAME            the bucket whose restores thaw reports (required)',
  "  --endpoint URL           thaw's SNS route, e.g. https://thaw.example.com/sns (required)",
  `  --topic-name NAME        topic to create or reuse (default: ${DEFAULT_TOPIC_NAME})`,
  '  --topic-arn ARN          use this existing topic instead',
  "  --region R               the bucket's region (default: the topic ARN's, else AWS_REGION / profile)",
  "  --account-id ID          the bucket owner's account id (default: the topic's account)",
  '  --dlq                    add an SQS dead-letter queue for messages SNS gives up on',
  '  --dlq-name NAME          its name (default: <topic-name>-dlq; implies --dlq)',
  '  --subscription-arn ARN   configure this confirmed subscription (default: found by endpoint)',
  "  --signature-version V    2 = SHA256, AWS's recommendation (default), or 1 (SHA1)",
  '  --dry-run                read only: print the changes setup would make, and make none',
  '  --help                   show this help',
  '',
  'thaw confirms the subscription itself when the SubscriptionConfirmation arrives, if the topic is',
  'in SNS_TOPIC_ARNS. The IAM permissions needed are listed in docs/AWS-SETUP.md.',
].join('\n');

/**
 * Runs `thaw setup`. `clients` (built with createSetupClients, e.g. with an `endpoint`) replaces the
 * default ones, and the caller then destroys them; `apply` sets the retries of a bucket
 * configuration S3 could not validate yet (tests pass a sleep that returns at once).
 */
export async function runSetup(
  argv: string[],
  io: { out: (line: string) => void },
  clients?: SetupClients,
  apply: ApplyOptions = {},
): Promise<number> {
  const options = parseSetupArgs(argv);
  if (options === 'help') {
    io.out(SETUP_USAGE);
    return 0;
  }
  if (typeof options === 'string') {
    io.out(`thaw setup: ${options}`);
    io.out(SETUP_USAGE);
    return 2;
  }
  const aws = clients ?? createSetupClients(options.region === undefined ? {} : { region: options.region });
  let applied = 0;
  try {
    const region = options.region ?? (await clientRegion(aws));
    const reader = createAwsStateReader(aws);
    const checked = await preflight(options, region, reader);

    let topic: ResolvedTopic = checked.topic;
    const createTopic = topic.create;
    if (createTopic !== undefined && !options.dryRun) {
      // Every later change names the topic's ARN, which only CreateTopic tells for sure.
      const { topicArn } = await applyChange(createTopic, aws, apply);
      applied += 1;
      io.out(`applied: ${describeChange(createTopic)} → ${topicArn ?? '?'}`);
      topic = await resolveTopic(
        { ...options, ...(topicArn === undefined ? {} : { topicArn }) },
        region,
        reader,
      );
    }
    const plan = await planSetup(options, { topic, notification: checked.notification }, region, reader);
    const printed = createTopic === undefined ? plan : { ...plan, changes: [createTopic, ...plan.changes] };
    io.out(planJson(printed));
    if (options.dryRun) return 0;

    let subscriptionArn: string | undefined;
    for (const change of plan.changes) {
      const result = await applyChange(change, aws, apply);
      applied += 1;
      subscriptionArn = result.subscriptionArn ?? subscriptionArn;
      io.out(`applied: ${describeChange(change)}`);
    }
    for (const line of summaryLines(plan, options, applied, subscriptionArn)) io.out(line);
    return 0;
  } catch (thrown) {
    const error = toError(thrown);
    io.out(`thaw setup: ${error instanceof SetupError ? '' : 'failed: '}${error.message}`);
    if (applied > 0) {
      io.out(
        `${applied} change(s) were applied before this; setup is idempotent: fix the cause and run it again.`,
      );
    }
    return 1;
  } finally {
    if (clients === undefined) destroySetupClients(aws);
  }
}
