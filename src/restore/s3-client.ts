import { S3Client } from '@aws-sdk/client-s3';

export interface S3ClientOptions {
  /** Region of the buckets thaw restores from, e.g. `us-east-1`. */
  readonly region: string;
  /** Endpoint URL of a local S3 emulator (e.g. `http://127.0.0.1:4568`); unset for AWS. */
  readonly endpoint?: string;
  /**
   * Address buckets in the path (`http://host/bucket/key`) instead of the host name.
   * Default: true when `endpoint` is set (emulators rarely serve bucket subdomains), else false.
   */
  readonly forcePathStyle?: boolean;
  /** Attempts per S3 request in all, the SDK's own retries included. Default: the SDK's, 3. */
  readonly maxAttempts?: number;
}

/**
 * Builds the S3 client; only the composition root calls this. Credentials come from the SDK's
 * default provider chain (environment, container or instance role).
 */
export function createS3Client(options: S3ClientOptions): S3Client {
  const emulator = options.endpoint !== undefined;
  return new S3Client({
    region: options.region,
    forcePathStyle: options.forcePathStyle ?? emulator,
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
    ...(emulator
      ? {
          endpoint: options.endpoint,
          // Since SDK 3.729 uploads default to aws-chunked bodies with a CRC32 trailer, which
          // emulators such as s3rver store verbatim (the object then holds the chunk framing),
          // and responses are checked against checksums emulators do not send.
          requestChecksumCalculation: 'WHEN_REQUIRED' as const,
          responseChecksumValidation: 'WHEN_REQUIRED' as const,
        }
      : {}),
  });
}
