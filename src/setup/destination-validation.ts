import { toError } from '../errors';
import { s3ErrorCode } from '../restore/s3-error';

/**
 * S3 checks every destination of a notification configuration while it is put, by publishing an
 * s3:TestEvent to it, and refuses the whole configuration when one fails: 400 InvalidArgument,
 * "Unable to validate the following destination configurations". Setup puts the configuration
 * right after writing the topic policy that allows S3, and SNS, like IAM, applies a policy change
 * eventually, not at once: the first validation can fail on a policy that is right. Setup tries
 * again a few times, waiting longer each time, and only then reports the policy (or another
 * destination) as the cause. Nothing else is retried: any other answer is final.
 */

export interface ValidationRetry {
  /** How long to wait before each new attempt, ms; as many retries as entries. */
  readonly delaysMs: readonly number[];
  /** Waits `ms`; tests pass one that returns at once. */
  readonly sleep: (ms: number) => Promise<void>;
}

/** Four retries over 15 s in all (1, 2, 4 and 8 s). */
export const DEFAULT_VALIDATION_RETRY: ValidationRetry = {
  delaysMs: [1_000, 2_000, 4_000, 8_000],
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

const VALIDATION_MESSAGE = /unable to validate the following destination configurations/i;

/** True for S3's refusal of a destination it could not publish its test event to. */
export function isDestinationValidationFailure(thrown: unknown): boolean {
  return s3ErrorCode(thrown) === 'InvalidArgument' && VALIDATION_MESSAGE.test(toError(thrown).message);
}

/** Runs `put`, again after each delay while S3 refuses a destination; the last error is thrown as is. */
export async function withValidationRetry<T>(put: () => Promise<T>, retry: ValidationRetry): Promise<T> {
  for (const delayMs of retry.delaysMs) {
    try {
      return await put();
    } catch (thrown) {
      if (!isDestinationValidationFailure(thrown)) throw thrown;
      await retry.sleep(delayMs);
    }
  }
  return put();
}
