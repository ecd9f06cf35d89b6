import { LRUCache } from 'lru-cache';
import { ThawError, UnavailableError, toError } from '../errors';
import type { Metrics } from '../observability/metrics';
import { downloadPem, parseCertificate } from './certificate-download';
import type { SigningCertificate } from './certificate-download';
import { createDownloadBudget, createDownloadSlots } from './download-limits';
import { SnsVerificationError } from './sns-verification-error';

export { downloadPem, parseCertificate } from './certificate-download';
export type { SigningCertificate } from './certificate-download';

export interface CertificateStoreOptions {
  /** Longest wait for one certificate download, in milliseconds (also the longest wait for a slot). */
  readonly timeoutMs: number;
  /** Largest certificate body accepted, in bytes. */
  readonly maxBytes: number;
  /** How many certificates are kept; SNS uses a handful, so a small bound stops memory growth. */
  readonly cacheSize: number;
  /** How long a certificate is trusted without fetching it again, in milliseconds. */
  readonly ttlMs: number;
  /**
   * How long a URL whose download failed is answered with that failure without being fetched
   * again, in milliseconds. Default 60,000 (`SNS_CERT_FAILURE_TTL_SECONDS`).
   */
  readonly failureTtlMs?: number;
  /**
   * Downloads started per rolling minute; past it a URL not cached is refused with 503 without
   * fetching. Default 20 (`SNS_CERT_FETCHES_PER_MINUTE`).
   */
  readonly fetchesPerMinute?: number;
  /** Downloads running at once; the others wait their turn. Default 4. */
  readonly maxConcurrentDownloads?: number;
  /** Replaceable for tests of the verifier itself; defaults to a guarded HTTPS GET. */
  readonly download?: (url: URL) => Promise<string>;
  readonly metrics?: Pick<Metrics, 'snsCertificateDownloads' | 'snsCertificateRefusals'>;
  /** Clock of both caches and the budget, in milliseconds (tests). */
  readonly now?: () => number;
}

export interface CertificateStore {
  get(url: URL): Promise<SigningCertificate>;
  /** How many downloads have started (observability and tests). */
  readonly downloads: () => number;
}

/** Failed URLs remembered at once; the budget keeps the real number far lower. */
const FAILURES_KEPT = 1000;

/**
 * Fetches and caches SNS signing certificates. Anyone who knows an accepted TopicArn can name a
 * fresh `SigningCertURL` on the SNS host in every message, so downloads are bounded four ways:
 * one download per URL at a time (concurrent messages naming it wait for it), a failed URL is
 * answered with its failure for `failureTtlMs` without fetching, at most `maxConcurrentDownloads`
 * run at once, and at most `fetchesPerMinute` start per minute; past that a message whose
 * certificate is not cached gets 503 (`cert_budget_spent`) and SNS delivers it again later.
 * Cached certificates need no budget, so messages signed with a known certificate never wait.
 */
export function createCertificateStore(options: CertificateStoreOptions): CertificateStore {
  const now = options.now ?? Date.now;
  // ttlResolution 0: lru-cache reads this clock on every check instead of caching it for a while.
  const clock = { perf: { now }, ttlResolution: 0 };
  const download = options.download ?? ((url: URL) => downloadPem(url, options.timeoutMs, options.maxBytes));
  const certificates = new LRUCache<string, SigningCertificate>({
    max: options.cacheSize,
    ttl: options.ttlMs,
    ...clock,
  });
  const failures = new LRUCache<string, ThawError>({
    max: FAILURES_KEPT,
    ttl: Math.max(1, options.failureTtlMs ?? 60_000),
    ...clock,
  });
  const inFlight = new Map<string, Promise<SigningCertificate>>();
  const budget = createDownloadBudget(options.fetchesPerMinute ?? 20, now);
  const slots = createDownloadSlots(options.maxConcurrentDownloads ?? 4, options.timeoutMs);
  let downloads = 0;

  async function fetchOne(url: URL): Promise<SigningCertificate> {
    downloads += 1;
    try {
      const certificate = parseCertificate(await download(url));
      certificates.set(url.href, certificate);
      options.metrics?.snsCertificateDownloads.inc({ outcome: 'ok' });
      return certificate;
    } catch (thrown) {
      const error = asCertificateError(thrown);
      failures.set(url.href, error);
      options.metrics?.snsCertificateDownloads.inc({
        outcome: error instanceof SnsVerificationError ? 'refused' : 'unavailable',
      });
      throw error;
    }
  }

  return {
    async get(url) {
      const href = url.href;
      const cached = certificates.get(href);
      if (cached) return cached;
      const running = inFlight.get(href);
      if (running) return running;
      const failed = failures.get(href);
      if (failed) {
        options.metrics?.snsCertificateRefusals.inc({ reason: 'failed_recently' });
        throw again(failed);
      }
      if (!budget.take()) {
        options.metrics?.snsCertificateRefusals.inc({ reason: 'budget_spent' });
        throw new UnavailableError(
          'cert_budget_spent',
          'certificate download budget for this minute is spent',
        );
      }
      const work = slots(() => fetchOne(url)).finally(() => inFlight.delete(href));
      inFlight.set(href, work);
      return work.catch((error: unknown) => {
        if (error instanceof ThawError && error.code === 'cert_busy') {
          options.metrics?.snsCertificateRefusals.inc({ reason: 'busy' });
        }
        throw error;
      });
    },
    downloads: () => downloads,
  };
}

/** Anything a download threw, as the error the message gets (403 refusal or 503 retry). */
function asCertificateError(thrown: unknown): ThawError {
  if (thrown instanceof ThawError) return thrown;
  const error = toError(thrown);
  return new UnavailableError('cert_unavailable', `certificate download failed: ${error.message}`, error);
}

/** A remembered failure, thrown anew for another message (its own stack, the same answer). */
function again(failure: ThawError): ThawError {
  if (failure instanceof SnsVerificationError) {
    return new SnsVerificationError(failure.reason, `${failure.message} (failed recently)`);
  }
  return new UnavailableError(failure.code, `${failure.message} (failed recently)`);
}
