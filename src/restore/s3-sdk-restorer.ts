import { setTimeout as sleep } from 'node:timers/promises';
import { HeadObjectCommand, RestoreObjectCommand } from '@aws-sdk/client-s3';
import type { RestoreObjectCommandInput } from '@aws-sdk/client-s3';
import type { ObjectRef } from '../domain/object-ref';
import { archiveFamily } from '../domain/restore-times';
import { toError } from '../errors';
import type { AwsRejectionObserver } from '../observability/aws-rejections';
import type { RegionalS3 } from './regional-s3';
import { s3ErrorCode, toS3Error } from './s3-error';
import type { S3Error } from './s3-error';
import type { ObjectRestoreState, RestoreCommand, RestoreOutcome, S3Restorer } from './s3-restorer';
import type { RestoreTier } from '../domain/restore-tier';
import { parseXAmzRestore } from './x-amz-restore';

export interface ExpeditedRetryOptions {
  /** Attempts in all, the first included; at least 1. Default 3. */
  readonly attempts: number;
  /** Wait before the second attempt, in milliseconds, doubled before each later one. Default 500. */
  readonly baseDelayMs: number;
}

export interface S3SdkRestorerOptions {
  /** S3 clients per bucket region. */
  readonly s3: RegionalS3;
  /** Told when S3 refuses a request thaw built as malformed (`upstream_rejected`). */
  readonly onRejected?: AwsRejectionObserver;
  /** How often to re-ask when S3 has no Expedited capacity (503 GlacierExpeditedRetrievalNotAvailable). */
  readonly expeditedRetry?: ExpeditedRetryOptions;
}

const DEFAULT_EXPEDITED_RETRY: ExpeditedRetryOptions = { attempts: 3, baseDelayMs: 500 };

/**
 * RestoreObject on a STANDARD (or other never-archived) object answers
 * `403 InvalidObjectState: Restore is not allowed for the object's current storage class`
 * (observed; s3tools/s3cmd PR #1375). InvalidObjectState has other meanings, so the message decides.
 */
function isNotRestorableClass(error: unknown): boolean {
  const { message } = toError(error);
  return /not allowed/i.test(message) && /storage class/i.test(message);
}

/** S3's refusals that are answers, not failures; null for a real error. */
function refusalOutcome(error: unknown): RestoreOutcome | null {
  switch (s3ErrorCode(error)) {
    case 'RestoreAlreadyInProgress': // 409: S3 restores one request per object at a time; join it.
      return 'in-progress';
    case 'ObjectAlreadyInActiveTierError': // AWS's pages disagree on 403 or 400: match the code only.
      return 'not-archived';
    case 'InvalidObjectState':
      return isNotRestorableClass(error) ? 'not-archived' : null;
    case 'GlacierExpeditedRetrievalNotAvailable': // 503, Expedited only: no capacity right now.
      return 'expedited-unavailable';
    default:
      return null;
  }
}

/** S3's literal version id "null" (objects written before versioning) is a real VersionId to send. */
function versionOf(object: ObjectRef): { VersionId?: string } {
  return object.versionId === null ? {} : { VersionId: object.versionId };
}

/**
 * The RestoreObject input of a regular (non-SELECT) restore. S3 API Reference, "RestoreObject",
 * Request Syntax and "RestoreRequest": the tier goes in `GlacierJobParameters.Tier`; the
 * top-level `Tier` belongs to SELECT requests, and S3 answers a regular restore that carries it
 * with 400 MalformedXML. `Days` "is required for regular restores" of archive classes and must be
 * absent for Intelligent-Tiering (400 InvalidArgument), hence left out rather than sent empty.
 * Pinned on the wire by test/wire/s3-restore.test.ts.
 */
export function restoreInput(object: ObjectRef, command: RestoreCommand): RestoreObjectCommandInput {
  return {
    Bucket: object.bucket,
    Key: object.key,
    ...versionOf(object),
    RestoreRequest: {
      ...(command.days === null ? {} : { Days: command.days }),
      GlacierJobParameters: { Tier: command.tier },
    },
  };
}

/** The S3Restorer over AWS SDK v3; every SDK error leaves it as an S3Error or a RestoreOutcome. */
export function createS3SdkRestorer(options: S3SdkRestorerOptions): S3Restorer {
  const { s3 } = options;
  const retry = options.expeditedRetry ?? DEFAULT_EXPEDITED_RETRY;
  if (!Number.isInteger(retry.attempts) || retry.attempts < 1 || retry.baseDelayMs < 0) {
    throw new RangeError(
      `expeditedRetry needs attempts >= 1 and baseDelayMs >= 0, got ${JSON.stringify(retry)}`,
    );
  }

  function observed(error: S3Error): S3Error {
    if (error.code === 'upstream_rejected') {
      options.onRejected?.({
        service: 's3',
        operation: error.operation,
        code: error.s3Code,
        message: error.message,
      });
    }
    return error;
  }

  return {
    async head(object) {
      try {
        const output = await s3.send(object.bucket, (client) =>
          client.send(
            new HeadObjectCommand({ Bucket: object.bucket, Key: object.key, ...versionOf(object) }),
          ),
        );
        return {
          // S3 sends no x-amz-storage-class header for STANDARD objects.
          storageClass: output.StorageClass ?? 'STANDARD',
          archiveStatus: output.ArchiveStatus ?? null,
          restore: parseXAmzRestore(output.Restore),
          size: output.ContentLength ?? null,
        };
      } catch (thrown) {
        throw observed(toS3Error(thrown, 'HeadObject', object));
      }
    },

    async restore(object, command) {
      const input = restoreInput(object, command);
      for (let attempt = 1; ; attempt += 1) {
        try {
          const output = await s3.send(object.bucket, (client) =>
            client.send(new RestoreObjectCommand(input)),
          );
          // 200: a restored copy existed and S3 only extended its life (probably without a new
          // ObjectRestore:Post; not documented either way); 202: a new restore began. Any other 2xx is taken
          // as started, the safer reading: the restore events will settle it.
          return output.$metadata.httpStatusCode === 200 ? 'already-restored' : 'started';
        } catch (thrown) {
          const outcome = refusalOutcome(thrown);
          // Without provisioned capacity S3 refuses Expedited "during periods of high demand"
          // (docs/EVENTS.md#restore-tiers-and-times), which may pass within seconds: a few short
          // waits are worth it before answering
          // 'expedited-unavailable' (the caller may then fall back to Standard). This is the one
          // retry outside the job's policy, because it ends in an answer rather than an error.
          // The SDK has already retried each 503 itself (the client's maxAttempts), so the
          // requests sent are up to attempts × maxAttempts.
          if (outcome === 'expedited-unavailable' && attempt < retry.attempts) {
            await sleep(retry.baseDelayMs * 2 ** (attempt - 1));
            continue;
          }
          if (outcome !== null) return outcome;
          throw observed(toS3Error(thrown, 'RestoreObject', object));
        }
      }
    },
  };
}

/**
 * The RestoreObject parameters S3 will accept for this object:
 * - Intelligent-Tiering objects go back to the Frequent Access tier, with no temporary copy and so
 *   no expiry: S3 refuses any `Days` with 400 InvalidArgument, so days becomes null.
 * - Deep Archive and Intelligent-Tiering Deep Archive Access have no Expedited tier (S3 User Guide,
 *   "Understanding archive retrieval options"); Standard is the fastest they offer, so Expedited is downgraded to it.
 */
export function restoreCommandFor(
  state: ObjectRestoreState,
  tier: RestoreTier,
  days: number,
): RestoreCommand {
  const deep = archiveFamily(state.storageClass, state.archiveStatus) === 'deep';
  return {
    tier: deep && tier === 'Expedited' ? 'Standard' : tier,
    days: state.storageClass === 'INTELLIGENT_TIERING' ? null : days,
  };
}
