import type { Logger } from '../logger';
import type { Metrics } from './metrics';

/**
 * AWS refused a request as thaw built it: S3's MalformedXML, InvalidRequest or InvalidArgument on
 * RestoreObject, SES's BadRequestException on SendEmail. Not the customer's input (that was
 * validated, and HeadObject runs first), not throttling or an outage: a bug in thaw, or AWS
 * changing a rule. It must be loud, because sending it again gets the same answer.
 */
export interface AwsRejection {
  readonly service: 's3' | 'ses';
  /** The API operation, e.g. RestoreObject, SendEmail. */
  readonly operation: string;
  /** AWS's error code, e.g. MalformedXML. */
  readonly code: string;
  readonly message: string;
}

/** Told by an AWS adapter about each rejection; the composition root decides what that means. */
export type AwsRejectionObserver = (rejection: AwsRejection) => void;

/** Counts each rejection (`thaw_aws_request_rejected_total`) and logs it at error level. */
export function createAwsRejectionReporter(metrics: Metrics, logger: Logger): AwsRejectionObserver {
  return (rejection) => {
    metrics.awsRequestsRejected.inc({
      service: rejection.service,
      operation: rejection.operation,
      code: rejection.code,
    });
    logger.error(
      { aws: rejection },
      `AWS refused thaw's own ${rejection.service} ${rejection.operation} request (${rejection.code}): a thaw bug, not the caller's`,
    );
  };
}
