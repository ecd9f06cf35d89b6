import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SetupError } from './setup-error';

/** The three clients setup uses; all in one region, since S3 publishes only to a topic in its own. */
export interface SetupClients {
  readonly sns: SNSClient;
  readonly s3: S3Client;
  readonly sqs: SQSClient;
}

export interface SetupClientOptions {
  /** AWS region; when undefined the SDK's own chain decides (AWS_REGION, the profile's region). */
  readonly region?: string;
}

/** Builds the clients from the SDK's default credential chain (AWS_PROFILE, environment, SSO, role). */
export function createSetupClients(options: SetupClientOptions = {}): SetupClients {
  const config = options.region === undefined ? {} : { region: options.region };
  return {
    sns: new SNSClient(config),
    // GetBucketLocation must answer for a bucket in any region, so setup can say which one to use.
    s3: new S3Client({ ...config, followRegionRedirects: true }),
    sqs: new SQSClient(config),
  };
}

export function destroySetupClients(clients: SetupClients): void {
  clients.sns.destroy();
  clients.s3.destroy();
  clients.sqs.destroy();
}

/** The region the clients resolved (AWS_REGION, the profile's), for ARNs and the bucket-region check. */
export async function clientRegion(clients: SetupClients): Promise<string> {
  try {
    return await clients.sns.config.region();
  } catch (cause) {
    throw new SetupError('setup_invalid', 'no AWS region configured: pass --region or set AWS_REGION', cause);
  }
}
