import { randomBytes } from 'node:crypto';

/** A new restore request id: `r_` and 16 base64url characters (96 random bits). */
export function newRequestId(): string {
  return `r_${randomBytes(12).toString('base64url')}`;
}

/**
 * The shape of every id `newRequestId` issues (`r_` and base64url; room to 64 characters). Ids
 * come from URLs, and Redis key names are built from them: `r_<id>:spec` names another key of a
 * real request (cancelling it failed with WRONGTYPE, a 500), so anything else is unknown at once.
 */
const REQUEST_ID = /^r_[A-Za-z0-9_-]{1,64}$/;

export function isRequestId(value: string): boolean {
  return REQUEST_ID.test(value);
}
