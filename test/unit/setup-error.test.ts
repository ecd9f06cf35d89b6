import { S3ServiceException } from '@aws-sdk/client-s3';
import {
  AuthorizationErrorException,
  InvalidParameterException,
  ThrottledException,
} from '@aws-sdk/client-sns';
import { STSServiceException } from '@aws-sdk/client-sts';
import { toSetupError } from '../../src/setup/setup-error';

const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });

describe('toSetupError', () => {
  it('names the IAM action when S3 denies, with the notification permission names IAM uses', () => {
    const error = toSetupError(
      new S3ServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        message: 'Access Denied',
        ...meta(403),
      }),
      { service: 's3', operation: 'GetBucketNotificationConfiguration', resource: 'acme' },
    );

    expect(error.code).toBe('setup_access_denied');
    expect(error.message).toContain('"s3:GetBucketNotification"');
    expect(error.retryable).toBe(false);
  });

  it('names the IAM action when SNS denies', () => {
    const error = toSetupError(new AuthorizationErrorException({ message: 'no', ...meta(403) }), {
      service: 'sns',
      operation: 'SetTopicAttributes',
      resource: 'arn:aws:sns:us-east-1:111122223333:t',
    });

    expect(error.message).toBe(
      'sns SetTopicAttributes on arn:aws:sns:us-east-1:111122223333:t was refused: the credentials need the IAM ' +
        'permission "sns:SetTopicAttributes" on it (AuthorizationErrorException (HTTP 403): no)',
    );
  });

  it('passes on what SNS found invalid', () => {
    const error = toSetupError(
      new InvalidParameterException({ message: 'Invalid parameter: DeliveryPolicy', ...meta(400) }),
      { service: 'sns', operation: 'SetTopicAttributes', resource: 't' },
    );

    expect(error.code).toBe('setup_invalid');
    expect(error.message).toContain('Invalid parameter: DeliveryPolicy');
  });

  it('marks throttling and missing answers as worth running again', () => {
    const call = { service: 'sns', operation: 'ListTopics', resource: 'the account' } as const;

    expect(toSetupError(new ThrottledException({ message: 'slow down', ...meta(400) }), call).code).toBe(
      'setup_unavailable',
    );
    expect(
      toSetupError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), call).retryable,
    ).toBe(true);
  });

  it('says how to give credentials when there are none', () => {
    const missing = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });

    expect(
      toSetupError(missing, { service: 'sns', operation: 'ListTopics', resource: 'x' }).message,
    ).toContain('set AWS_PROFILE');
  });

  it('blames the credentials, not a permission, when STS refuses them', () => {
    const expired = new STSServiceException({
      name: 'ExpiredToken',
      $fault: 'client',
      message: 'The security token included in the request is expired',
      ...meta(403),
    });

    const error = toSetupError(expired, {
      service: 'sts',
      operation: 'GetCallerIdentity',
      resource: 'the credentials',
    });

    expect(error.code).toBe('setup_access_denied');
    expect(error.message).toContain('refresh them');
    expect(error.message).not.toContain('IAM permission');
  });
});
