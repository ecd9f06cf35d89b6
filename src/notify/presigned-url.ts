import { GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { withoutSpans } from '../observability/spans';
import type { ObjectRef } from '../domain/object-ref';
import type { RegionalS3 } from '../restore/regional-s3';
import { toS3Error } from '../restore/s3-error';

/** SigV4 presigned URLs live at most 7 days (AWS CLI `s3 presign --expires-in`: "Maximum is 604800 seconds"). */
export const MAX_PRESIGNED_URL_SECONDS = 604_800;

/**
 * A whole number of seconds S3 accepts as X-Amz-Expires: 1..604800. Fractions are cut, and NaN
 * becomes 1, the shortest life, so a bad input never mints a long-lived link.
 */
export function clampExpiresInSeconds(seconds: number): number {
  if (Number.isNaN(seconds)) return 1;
  return Math.min(MAX_PRESIGNED_URL_SECONDS, Math.max(1, Math.floor(seconds)));
}

/** Mints a presigned GET URL for one object version (or the current one when versionId is null). */
export type Presigner = (object: ObjectRef, expiresInSeconds: number) => Promise<string>;

/**
 * Signing is local (no request to S3). The URL stops working when the signing credentials
 * expire, even before X-Amz-Expires: with a container or instance role that can be well under
 * the asked lifetime (S3 User Guide, "Sharing objects with presigned URLs": a URL made with
 * temporary credentials expires with them), so mint links at click time rather than ahead.
 */
export function createPresigner(options: { readonly s3: RegionalS3 }): Presigner {
  return async (object, expiresInSeconds) => {
    // Signed for the bucket's own region: S3 refuses a URL whose credential names another
    // (AuthorizationQueryParametersError), and nothing would correct it before the customer clicks.
    const client = await options.s3.clientFor(object.bucket);
    const command = new GetObjectCommand({
      Bucket: object.bucket,
      Key: object.key,
      // S3's literal version "null" is a real version id and is signed like any other.
      ...(object.versionId === null ? {} : { VersionId: object.versionId }),
    });
    try {
      return await withoutSpans(() =>
        getSignedUrl(client, command, { expiresIn: clampExpiresInSeconds(expiresInSeconds) }),
      );
    } catch (thrown) {
      // Signing fails only when credentials cannot be loaded.
      throw toS3Error(thrown, 'PresignGetObject', object);
    }
  };
}
