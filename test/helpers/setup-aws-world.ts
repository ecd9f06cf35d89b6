import { runSetup } from '../../src/cli/setup-command';
import { createSetupClients } from '../../src/setup/setup-clients';
import type { SetupClients } from '../../src/setup/setup-clients';
import { formParams, startAwsStandIn } from './aws-stand-in';
import type { RecordedRequest, StandInAnswer } from './aws-stand-in';
import { identify } from './setup-wire-check';
import { answerS3, answerSqs, callerIdentity } from './setup-world-answers';
import { answerSns } from './setup-world-sns';
import { queryResult, xml } from './setup-world-xml';
import type { WireCall } from './setup-wire-check';

/**
 * One small AWS account behind one loopback endpoint, as LocalStack is: `thaw setup`'s real SDK
 * clients (createSetupClients with `endpoint`) send SNS, SQS, STS and S3 requests to it, and it
 * answers each with the body the service documents, keeping state so a second run sees the first.
 * Response bodies follow each API reference's "Response Syntax" / "Response Elements":
 * - SNS and STS (query protocol): `<{Action}Response xmlns=...><{Action}Result>...</{Action}Result>
 *   <ResponseMetadata><RequestId/></ResponseMetadata></{Action}Response>`; attribute maps as
 *   `<entry><key/><value/></entry>`, lists as `<member>`; errors as `<ErrorResponse><Error><Type/>
 *   <Code/><Message/></Error><RequestId/></ErrorResponse>` (SNS API Reference, "Common Errors").
 * - SQS (JSON 1.0): a JSON object; errors `{"__type": "com.amazonaws.sqs#<Code>", "message"}` with
 *   `x-amzn-query-error: <legacy code>;Sender` (SQS API Reference, GetQueueUrl, Errors).
 * - S3 (REST-XML): GetBucketLocation `<LocationConstraint>`, empty for us-east-1;
 *   GetBucketNotificationConfiguration the configuration as put; errors `<Error><Code/><Message/>`.
 */

export const CALLER_ACCOUNT = '111122223333';
export const REGION = 'us-east-1';
export const BUCKET = 'acme-archive';

const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

export interface WorldSubscription {
  readonly arn: string;
  readonly topicArn: string;
  readonly protocol: string;
  readonly endpoint: string;
  confirmed: boolean;
  readonly attributes: Record<string, string>;
}

export interface SetupWorld {
  readonly clients: SetupClients;
  readonly endpoint: string;
  /** The clients' region, and the one in every ARN the world makes. */
  readonly region: string;
  /** The account STS names as the caller's, and where CreateTopic and CreateQueue put what they make. */
  account: string;
  /** The bucket's LocationConstraint ('' for us-east-1). */
  bucketLocation: string;
  /** The bucket's notification configuration XML as S3 stores it; undefined for none. */
  notificationXml: string | undefined;
  readonly topics: Map<string, Record<string, string>>;
  readonly subscriptions: WorldSubscription[];
  /** By queue name: the queue's attributes (QueueArn included). */
  readonly queues: Map<string, Record<string, string>>;
  /** How many of the next PutBucketNotificationConfiguration calls S3 refuses as not validated. */
  validationFailures: number;
  /** Topics per ListTopics page (SNS sends up to 100, then a NextToken). */
  topicsPerPage: number;
  /** Every request since start or the last clear, named, oldest first. */
  calls(): WireCall[];
  clear(): void;
  stop(): Promise<void>;
}

export async function startSetupWorld(): Promise<SetupWorld> {
  const world: WorldState = {
    region: REGION,
    account: CALLER_ACCOUNT,
    bucketLocation: '',
    notificationXml: undefined,
    topics: new Map(),
    subscriptions: [],
    queues: new Map(),
    validationFailures: 0,
    topicsPerPage: 100,
  };
  const started = await startAwsStandIn((request) => answer(request, world));
  const clients = createSetupClients({ region: REGION, endpoint: started.endpoint });
  return Object.assign(world, {
    clients,
    endpoint: started.endpoint,
    calls: () => started.requests.map(identify),
    clear: () => started.clear(),
    stop: async () => {
      for (const client of Object.values(clients)) (client as { destroy(): void }).destroy();
      await started.stop();
    },
  });
}

/** The account's state, as the answering functions read and change it. */
export type WorldState = Omit<SetupWorld, 'clients' | 'endpoint' | 'calls' | 'clear' | 'stop'>;

function answer(request: RecordedRequest, world: WorldState): StandInAnswer {
  const call = identify(request);
  switch (call.service) {
    case 'sns':
      return answerSns(call.operation, formParams(request.body), world);
    case 'sts':
      return xml(200, queryResult(STS_NS, 'GetCallerIdentity', callerIdentity(world.account)));
    case 'sqs':
      // A queue's URL names the endpoint that answered, as SQS's and LocalStack's do.
      return answerSqs(
        call.operation,
        JSON.parse(request.body) as Record<string, unknown>,
        world,
        `http://${request.headers.host}`,
      );
    case 's3':
      return answerS3(call.operation, request, world);
  }
}

export interface SetupRun {
  readonly code: number;
  readonly output: string;
  /** The waits setup asked for between attempts at a bucket configuration S3 did not validate. */
  readonly waitedMs: number[];
}

/** Runs `thaw setup` with these arguments against the world, without real waits. */
export async function runSetupIn(world: SetupWorld, argv: readonly string[]): Promise<SetupRun> {
  const lines: string[] = [];
  const waitedMs: number[] = [];
  const validationRetry = {
    delaysMs: [1_000, 2_000, 4_000, 8_000],
    sleep: (ms: number) => {
      waitedMs.push(ms);
      return Promise.resolve();
    },
  };
  const code = await runSetup([...argv], { out: (line) => lines.push(line) }, world.clients, {
    validationRetry,
  });
  return { code, output: lines.join('\n'), waitedMs };
}
