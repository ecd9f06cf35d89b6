import { HeadBucketCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { LRUCache } from 'lru-cache';

/**
 * S3 clients that call each bucket in its own region.
 *
 * A bucket outside the client's region refuses the request: `301 PermanentRedirect`, or
 * `400 AuthorizationHeaderMalformed` ("the region 'us-east-1' is wrong; expecting 'eu-west-1'")
 * when the request reached the bucket's region signed for another; a presigned URL signed for the
 * wrong region is refused when the customer clicks it (`AuthorizationQueryParametersError`). Each of
 * these answers carries the bucket's region in the `x-amz-bucket-region` header (S3 API Reference,
 * "HeadBucket", Response Syntax; "Error Responses"). The SDK's own `followRegionRedirects` handles
 * only the 301 and re-learns on every call, and presigning never sends a request, so thaw learns
 * each bucket's region once per process and keeps it.
 */
export interface RegionalS3 {
  /**
   * Runs one S3 call with the client of the bucket's region (the default until learned). When S3
   * answers that the bucket lives elsewhere, the region is remembered and the call is made once
   * more there.
   */
  send<T>(bucket: string, call: (client: S3Client) => Promise<T>): Promise<T>;
  /**
   * The client of the bucket's region, asking S3 (HeadBucket) once when not yet known; for
   * presigning, which sends nothing S3 could correct. Falls back to the default region when S3
   * does not say (the link may then fail, as it would have without asking), and asks again only
   * after `unresolvedRetryMs`.
   */
  clientFor(bucket: string): Promise<S3Client>;
  /** The region learned for a bucket, if any. */
  knownRegion(bucket: string): string | undefined;
  /** Destroys every client made. */
  destroy(): void;
}

export interface RegionalS3Options {
  /** Region tried first for a bucket not yet seen (AWS_REGION). */
  readonly defaultRegion: string;
  /** Builds the client of one region; called at most once per region. */
  readonly clientFor: (region: string) => S3Client;
  /** Buckets whose region is remembered. Default 10,000. */
  readonly maxBuckets?: number;
  /** Told when a bucket's region is learned, e.g. to log it. */
  readonly onRegionLearned?: (bucket: string, region: string) => void;
  /**
   * How long a bucket whose HeadBucket named no region (no such bucket, S3 or the network down)
   * is presigned for the default region before asking again, ms. Default 5 minutes.
   */
  readonly unresolvedRetryMs?: number;
}

/** AWS region names: `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1`. */
const REGION_SHAPE = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/**
 * The bucket region an S3 answer names: the `x-amz-bucket-region` header (on HEAD answers the only
 * place, as they have no body), else the `<Region>` element of AuthorizationHeaderMalformed.
 */
export function bucketRegionOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const fields = error as { $response?: { headers?: Record<string, unknown> }; Region?: unknown };
  const header = fields.$response?.headers?.['x-amz-bucket-region'];
  const region = typeof header === 'string' ? header : fields.Region;
  return typeof region === 'string' && REGION_SHAPE.test(region) ? region : undefined;
}

export function createRegionalS3(options: RegionalS3Options): RegionalS3 {
  const clients = new Map<string, S3Client>();
  const regions = new LRUCache<string, string>({ max: options.maxBuckets ?? 10_000 });
  const lookups = new Map<string, Promise<S3Client>>();
  // Without this, every email of such a bucket would wait for a failing HeadBucket (the SDK's
  // three attempts: 50-150 ms with no route to S3) before it is presigned for the default anyway.
  const unresolved = new LRUCache<string, true>({
    max: options.maxBuckets ?? 10_000,
    ttl: options.unresolvedRetryMs ?? 5 * 60_000,
  });

  function client(region: string): S3Client {
    let existing = clients.get(region);
    if (existing === undefined) {
      existing = options.clientFor(region);
      clients.set(region, existing);
    }
    return existing;
  }

  function learn(bucket: string, region: string): void {
    if (regions.get(bucket) === region) return;
    regions.set(bucket, region);
    options.onRegionLearned?.(bucket, region);
  }

  async function lookUp(bucket: string): Promise<S3Client> {
    try {
      const output = await client(options.defaultRegion).send(new HeadBucketCommand({ Bucket: bucket }));
      const region = output.BucketRegion;
      if (region !== undefined && REGION_SHAPE.test(region)) learn(bucket, region);
      return client(region ?? options.defaultRegion);
    } catch (thrown) {
      // 301 and 403 still name the region in their header; anything else (no such bucket, S3 down)
      // leaves the default, unremembered, so a later call asks again.
      const region = bucketRegionOf(thrown);
      if (region === undefined) {
        unresolved.set(bucket, true);
        return client(options.defaultRegion);
      }
      learn(bucket, region);
      return client(region);
    }
  }

  return {
    async send(bucket, call) {
      const region = regions.get(bucket) ?? options.defaultRegion;
      try {
        return await call(client(region));
      } catch (thrown) {
        const actual = bucketRegionOf(thrown);
        if (actual === undefined || actual === region) throw thrown;
        learn(bucket, actual);
        return call(client(actual));
      }
    },

    async clientFor(bucket) {
      const region = regions.get(bucket);
      if (region !== undefined) return client(region);
      if (unresolved.has(bucket)) return client(options.defaultRegion);
      let pending = lookups.get(bucket);
      if (pending === undefined) {
        pending = lookUp(bucket).finally(() => lookups.delete(bucket));
        lookups.set(bucket, pending);
      }
      return pending;
    },

    knownRegion: (bucket) => regions.get(bucket),

    destroy() {
      for (const made of clients.values()) made.destroy();
      clients.clear();
    },
  };
}
