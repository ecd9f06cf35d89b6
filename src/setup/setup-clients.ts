import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';
import { SetupError } from './setup-error';

/** The clients setup uses; all in one region, since S3 publishes only to a topic in its own. */
export interface SetupClients {
  readonly sns: SNSClient;
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  /** GetCallerIdentity only: the account a new queue is created in. */
  readonly sts: STSClient;
}

export interface SetupClientOptions {
  /** AWS region; when undefined the SDK's own chain decides (AWS_REGION, the profile's region). */
  readonly region?: string;
  /**
   * One endpoint for every service instead of AWS's own (LocalStack's `http://localhost:4566`, a
   * test's loopback stand-in). S3 then puts the bucket in the path, since such an endpoint has no
   * per-bucket host names. Default: AWS's endpoints.
   */
  readonly endpoint?: string;
}

/** Builds the clients from the SDK's default credential chain (AWS_PROFILE, environment, SSO, role). */
export function createSetupClients(options: SetupClientOptions = {}): SetupClients {
  const config = {
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
  };
  return {
    sns: new SNSClient(config),
    // GetBucketLocation must answer for a bucket in any region, so setup can say which one to use.
    s3: new S3Client({
      ...config,
      followRegionRedirects: true,
      ...(options.endpoint === undefined ? {} : { forcePathStyle: true }),
    }),
    sqs: new SQSClient(config),
    sts: new STSClient(config),
  };
}

export function destroySetupClients(clients: SetupClients): void {
  clients.sns.destroy();
  clients.s3.destroy();
  clients.sqs.destroy();
  clients.sts.destroy();
}

/** The region the clients resolved (AWS_REGION, the profile's), for ARNs and the bucket-region check. */
export async function clientRegion(clients: SetupClients): Promise<string> {
  try {
    return await clients.sns.config.region();
  } catch (cause) {
    throw new SetupError('setup_invalid', 'no AWS region configured: pass --region or set AWS_REGION', cause);
  }
}
