import { XMLParser } from 'fast-xml-parser';
import { s3ErrorXml, startAwsStandIn } from './aws-stand-in';
import type { AwsStandIn, RecordedRequest, StandInAnswer } from './aws-stand-in';

/**
 * A loopback S3 that answers HeadObject, RestoreObject, HeadBucket and presigned GetObject the way
 * the S3 API Reference documents them, and refuses what S3 refuses. Only the parts thaw uses; path
 * style only (`forcePathStyle: true`), so the bucket is the first path segment.
 *
 * Sources of each rule (S3 API Reference, docs.aws.amazon.com/AmazonS3/latest/API/):
 * - RestoreObject, "Request Syntax": `POST /{Key+}?restore&versionId=VersionId`, body
 *   `<RestoreRequest xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` with `Days`,
 *   `GlacierJobParameters/Tier`, `Type`, `Tier`, `Description`, `SelectParameters`,
 *   `OutputLocation`. "Request Body": `Days` "is required for regular restores" and must be
 *   omitted for SELECT; the top-level `Tier` belongs to SELECT requests — on a regular restore S3
 *   answers 400 MalformedXML (aws/aws-sdk#246, aws/aws-sdk-go-v2#2582, aws/aws-sdk-net#3069).
 *   "Responses": 202 for a new restore, 200 when a restored copy existed, 409
 *   RestoreAlreadyInProgress. Intelligent-Tiering: "restore requests for S3 Intelligent-Tiering
 *   objects don't accept the days value" (User Guide, "Restoring an archived object"): 400
 *   InvalidArgument. A STANDARD object: 403 InvalidObjectState.
 * - HeadObject, "Request Syntax": `HEAD /{Key+}?versionId=VersionId`; "Response Syntax":
 *   `x-amz-storage-class` (absent for STANDARD), `x-amz-restore`, `x-amz-archive-status`.
 *   A HEAD error has no body.
 * - HeadBucket, "Response Syntax": `x-amz-bucket-region`, sent also with 301 and 403.
 * - A request signed for the wrong region (User Guide, "Making requests", and the
 *   AuthorizationHeaderMalformed / AuthorizationQueryParametersError rows of "Error Responses"):
 *   400 with `<Region>` naming the bucket's region and the `x-amz-bucket-region` header.
 * - Presigned URLs (S3 API Reference, "Authenticating Requests: Using Query Parameters"):
 *   `X-Amz-Algorithm=AWS4-HMAC-SHA256`, `X-Amz-Credential=<key>/<date>/<region>/s3/aws4_request`,
 *   `X-Amz-Date`, `X-Amz-Expires` 1..604800, `X-Amz-SignedHeaders`, `X-Amz-Signature`.
 *
 * The stand-in checks shapes, not signatures: thaw signs with the real SDK.
 */

export type StorageClass = 'STANDARD' | 'GLACIER' | 'DEEP_ARCHIVE' | 'INTELLIGENT_TIERING' | 'GLACIER_IR';

export interface StandInObject {
  readonly bucket: string;
  readonly key: string;
  /** Null: the current version (or an unversioned bucket). */
  readonly versionId?: string | null;
  readonly storageClass: StorageClass;
  /** For INTELLIGENT_TIERING in an archive tier. */
  readonly archiveStatus?: 'ARCHIVE_ACCESS' | 'DEEP_ARCHIVE_ACCESS';
  /** The restore state S3 reports in `x-amz-restore`. */
  restore?: { ongoing: true } | { ongoing: false; expiry: string };
  readonly size?: number;
}

/** One RestoreObject body as S3 parsed it. */
export interface ParsedRestoreRequest {
  readonly bucket: string;
  readonly key: string;
  readonly versionId: string | null;
  /** The body's root element name and namespace. */
  readonly root: string;
  readonly namespace: string | undefined;
  /** Every element under the root, in document order, with its children. */
  readonly elements: Readonly<Record<string, unknown>>;
}

export interface S3StandIn {
  readonly endpoint: string;
  readonly wire: AwsStandIn;
  /** Adds (or replaces) an object. */
  put(object: StandInObject): void;
  /**
   * Places a bucket in a region; a request signed for another region is refused as S3 does:
   * `wrong-region` (the request reached the bucket's region: 400 AuthorizationHeaderMalformed, or
   * AuthorizationQueryParametersError for a presigned URL) or `redirect` (it reached another
   * region's endpoint: 301 PermanentRedirect). Both name the region in `x-amz-bucket-region`.
   */
  placeBucket(bucket: string, region: string, refusal?: 'wrong-region' | 'redirect'): void;
  /**
   * Makes every later RestoreObject fail with this S3 error (after the body was read), as S3 would
   * if it changed a rule under thaw; null goes back to answering by the rules above.
   */
  refuseRestores(refusal: { status: number; code: string; message: string } | null): void;
  /** RestoreObject bodies S3 accepted, oldest first. */
  readonly restores: ParsedRestoreRequest[];
  stop(): Promise<void>;
}

const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';
const RESTORE_ELEMENTS = new Set([
  'Days',
  'GlacierJobParameters',
  'Type',
  'Tier',
  'Description',
  'SelectParameters',
  'OutputLocation',
]);
const TIERS = new Set(['Expedited', 'Standard', 'Bulk']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  preserveOrder: false,
});

function objectId(bucket: string, key: string, versionId: string | null): string {
  return `${bucket}\u0000${key}\u0000${versionId ?? ''}`;
}

/** The region a request was signed for: from the Authorization header or X-Amz-Credential. */
export function signedRegion(request: RecordedRequest): string | undefined {
  const credential =
    request.query['X-Amz-Credential'] ??
    /Credential=([^,\s]+)/.exec(String(request.headers.authorization ?? ''))?.[1];
  return credential?.split('/')[2];
}

function error(status: number, code: string, message: string, head: boolean): StandInAnswer {
  // HEAD answers carry no body (RFC 9110 §9.3.2); the SDK then names the error by its status.
  return head
    ? { status }
    : { status, headers: { 'content-type': 'application/xml' }, body: s3ErrorXml(code, message) };
}

export async function startS3StandIn(): Promise<S3StandIn> {
  const objects = new Map<string, StandInObject>();
  const regions = new Map<string, { region: string; refusal: 'wrong-region' | 'redirect' }>();
  const restores: ParsedRestoreRequest[] = [];
  const buckets = new Set<string>();
  let forcedRefusal: { status: number; code: string; message: string } | null = null;

  function find(bucket: string, key: string, versionId: string | null): StandInObject | undefined {
    return objects.get(objectId(bucket, key, versionId));
  }

  function answer(request: RecordedRequest): StandInAnswer {
    const head = request.method === 'HEAD';
    const [, bucket = '', ...rest] = request.path.split('/');
    const key = rest.join('/');
    const placed = regions.get(bucket);
    const bucketRegion = placed?.region;
    const region = signedRegion(request);
    if (placed?.refusal === 'redirect' && region !== bucketRegion) {
      const message =
        'The bucket you are attempting to access must be addressed using the specified endpoint.';
      return {
        status: 301,
        headers: { 'x-amz-bucket-region': placed.region, 'content-type': 'application/xml' },
        body: head ? '' : s3ErrorXml('PermanentRedirect', message),
      };
    }
    if (bucketRegion !== undefined && region !== bucketRegion) {
      const presigned = request.query['X-Amz-Credential'] !== undefined;
      const code = presigned ? 'AuthorizationQueryParametersError' : 'AuthorizationHeaderMalformed';
      const message = `The authorization header is malformed; the region '${region}' is wrong; expecting '${bucketRegion}'`;
      return {
        status: 400,
        headers: { 'x-amz-bucket-region': bucketRegion, 'content-type': 'application/xml' },
        body: head
          ? ''
          : s3ErrorXml(code, message).replace('</Message>', `</Message><Region>${bucketRegion}</Region>`),
      };
    }
    const regionHeader = { 'x-amz-bucket-region': bucketRegion ?? 'us-east-1' };
    if (!buckets.has(bucket)) return error(404, 'NoSuchBucket', 'The specified bucket does not exist', head);
    if (key === '') {
      if (request.method === 'HEAD') return { status: 200, headers: regionHeader };
      return error(405, 'MethodNotAllowed', 'bucket-level call not modelled', head);
    }
    const versionId = request.query.versionId ?? null;
    const object = find(bucket, key, versionId);

    if (request.method === 'POST' && 'restore' in request.query) {
      return restoreObject(request, bucket, key, versionId, object);
    }
    if (request.method === 'HEAD' || request.method === 'GET') {
      if (object === undefined) return error(404, 'NoSuchKey', 'The specified key does not exist.', head);
      if (request.method === 'GET') return getObject(request, object);
      return { status: 200, headers: headObjectHeaders(object) };
    }
    return error(405, 'MethodNotAllowed', `${request.method} not modelled`, head);
  }

  function restoreObject(
    request: RecordedRequest,
    bucket: string,
    key: string,
    versionId: string | null,
    object: StandInObject | undefined,
  ): StandInAnswer {
    if (forcedRefusal !== null)
      return error(forcedRefusal.status, forcedRefusal.code, forcedRefusal.message, false);
    if (request.query.restore !== '') {
      return error(400, 'InvalidArgument', 'the restore subresource takes no value', false);
    }
    let document: Record<string, unknown>;
    try {
      document = parser.parse(request.body, true) as Record<string, unknown>;
    } catch {
      return error(400, 'MalformedXML', 'The XML you provided was not well-formed', false);
    }
    const malformed = error(
      400,
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema',
      false,
    );
    const roots = Object.keys(document).filter((name) => name !== '?xml');
    if (roots.length !== 1 || roots[0] !== 'RestoreRequest') return malformed;
    const root = document.RestoreRequest as Record<string, unknown> | string;
    const elements = typeof root === 'object' ? root : {};
    const namespace = typeof root === 'object' ? (root['@xmlns'] as string | undefined) : undefined;
    if (namespace !== undefined && namespace !== S3_NAMESPACE) return malformed;
    const names = Object.keys(elements).filter((name) => !name.startsWith('@'));
    if (names.some((name) => !RESTORE_ELEMENTS.has(name))) return malformed;

    const select = elements.Type === 'SELECT';
    // The top-level Tier is SELECT's; a regular restore names its tier in GlacierJobParameters.
    if (!select && 'Tier' in elements) return malformed;
    const job = elements.GlacierJobParameters;
    if (job !== undefined) {
      if (typeof job !== 'object' || job === null) return malformed;
      const tier = (job as Record<string, unknown>).Tier;
      if (typeof tier !== 'string' || !TIERS.has(tier)) return malformed;
    }
    if ('Days' in elements) {
      const days = Number(elements.Days);
      if (!Number.isInteger(days) || days < 1) {
        return error(400, 'InvalidArgument', 'Days must be a positive integer', false);
      }
    }

    if (object === undefined) return error(404, 'NoSuchKey', 'The specified key does not exist.', false);
    if (object.storageClass === 'INTELLIGENT_TIERING' && 'Days' in elements) {
      return error(
        400,
        'InvalidArgument',
        'INTELLIGENT_TIERING objects are not subject to restore expiry. Do not specify Days when restoring this object',
        false,
      );
    }
    const archived =
      object.storageClass === 'GLACIER' ||
      object.storageClass === 'DEEP_ARCHIVE' ||
      (object.storageClass === 'INTELLIGENT_TIERING' && object.archiveStatus !== undefined);
    if (!archived) {
      return object.storageClass === 'INTELLIGENT_TIERING'
        ? error(
            403,
            'ObjectAlreadyInActiveTierError',
            'This action is not allowed against this storage tier.',
            false,
          )
        : error(
            403,
            'InvalidObjectState',
            "Restore is not allowed for the object's current storage class",
            false,
          );
    }
    if (object.storageClass !== 'INTELLIGENT_TIERING' && !('Days' in elements)) {
      // "Days ... is required for regular restores" (RestoreRequest, Days).
      return malformed;
    }
    const deep = object.storageClass === 'DEEP_ARCHIVE' || object.archiveStatus === 'DEEP_ARCHIVE_ACCESS';
    const tier = (job as { Tier?: string } | undefined)?.Tier ?? 'Standard';
    if (deep && tier === 'Expedited') {
      return error(
        400,
        'InvalidArgument',
        'Expedited retrieval is not available for this storage class',
        false,
      );
    }
    if (object.restore?.ongoing === true) {
      return error(409, 'RestoreAlreadyInProgress', 'Object restore is already in progress', false);
    }
    const children = Object.fromEntries(Object.entries(elements).filter(([name]) => !name.startsWith('@')));
    restores.push({ bucket, key, versionId, root: 'RestoreRequest', namespace, elements: children });
    const wasRestored = object.restore !== undefined && !object.restore.ongoing;
    if (!wasRestored) object.restore = { ongoing: true };
    return { status: wasRestored ? 200 : 202 };
  }

  function getObject(request: RecordedRequest, object: StandInObject): StandInAnswer {
    const expires = Number(request.query['X-Amz-Expires']);
    if (request.query['X-Amz-Credential'] !== undefined && !(expires >= 1 && expires <= 604_800)) {
      return error(400, 'AuthorizationQueryParametersError', 'X-Amz-Expires must be 1..604800', false);
    }
    const readable =
      object.storageClass === 'STANDARD' ||
      (object.storageClass === 'INTELLIGENT_TIERING' && object.archiveStatus === undefined) ||
      (object.restore !== undefined && !object.restore.ongoing);
    if (!readable) {
      return error(
        403,
        'InvalidObjectState',
        "The operation is not valid for the object's storage class",
        false,
      );
    }
    return { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: 'restored bytes' };
  }

  const wire = await startAwsStandIn(answer);
  return {
    endpoint: wire.endpoint,
    wire,
    put(object) {
      buckets.add(object.bucket);
      objects.set(objectId(object.bucket, object.key, object.versionId ?? null), object);
    },
    placeBucket(bucket, region, refusal = 'wrong-region') {
      buckets.add(bucket);
      regions.set(bucket, { region, refusal });
    },
    restores,
    refuseRestores(refusal) {
      forcedRefusal = refusal;
    },
    stop: () => wire.stop(),
  };
}

function headObjectHeaders(object: StandInObject): Record<string, string> {
  const headers: Record<string, string> = { 'content-length': String(object.size ?? 1234) };
  if (object.storageClass !== 'STANDARD') headers['x-amz-storage-class'] = object.storageClass;
  if (object.archiveStatus !== undefined) headers['x-amz-archive-status'] = object.archiveStatus;
  if (object.versionId) headers['x-amz-version-id'] = object.versionId;
  if (object.restore !== undefined) {
    headers['x-amz-restore'] = object.restore.ongoing
      ? 'ongoing-request="true"'
      : `ongoing-request="false", expiry-date="${new Date(object.restore.expiry).toUTCString()}"`;
  }
  return headers;
}
