/**
 * Every error thaw raises on purpose carries a stable `code`, whether a retry can help
 * (`retryable`), and, where it can reach HTTP, the status to answer with.
 * The job boundary turns `retryable: false` into BullMQ's UnrecoverableError; the HTTP error
 * handler turns `httpStatus` into the published `{"error": {"code", "message"}}` body.
 */
export interface ThawErrorOptions {
  readonly retryable?: boolean;
  readonly httpStatus?: number;
  readonly cause?: unknown;
}

export class ThawError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly httpStatus: number;

  constructor(code: string, message: string, options: ThawErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ThawError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.httpStatus = options.httpStatus ?? 500;
  }
}

/** The request or message itself is wrong; sending it again cannot help (HTTP 400). */
export class InvalidInputError extends ThawError {
  constructor(code: string, message: string, cause?: unknown) {
    super(code, message, { retryable: false, httpStatus: 400, cause });
    this.name = 'InvalidInputError';
  }
}

/** A dependency (Redis, S3, SES, the SNS certificate host) did not answer as needed; a retry may help. */
export class UnavailableError extends ThawError {
  constructor(code: string, message: string, cause?: unknown) {
    super(code, message, { retryable: true, httpStatus: 503, cause });
    this.name = 'UnavailableError';
  }
}

/** Coerces anything thrown into an Error, so every catch can log and wrap it the same way. */
export function toError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  if (typeof thrown === 'string') return new Error(thrown);
  try {
    return new Error(JSON.stringify(thrown));
  } catch {
    return new Error(String(thrown));
  }
}

export function isRetryable(error: unknown): boolean {
  return error instanceof ThawError ? error.retryable : true;
}
