import { ThawError } from '../errors';

/** Why an SNS message was refused; each reason is a label of the verification-failure metric. */
export type SnsVerificationReason =
  | 'signature_missing'
  | 'signature_version_unsupported'
  | 'signature_version_too_low'
  | 'signature_invalid'
  | 'topic_not_allowed'
  | 'cert_url_untrusted'
  | 'cert_refused'
  | 'cert_not_valid_at_timestamp'
  | 'timestamp_invalid'
  | 'message_too_old';

/** The message is not provably from SNS for one of our topics: 403, and SNS will not retry. */
export class SnsVerificationError extends ThawError {
  constructor(
    readonly reason: SnsVerificationReason,
    message: string,
    cause?: unknown,
  ) {
    super(reason, message, { retryable: false, httpStatus: 403, cause });
    this.name = 'SnsVerificationError';
  }
}
