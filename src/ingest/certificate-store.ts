import { X509Certificate } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { UnavailableError, toError } from '../errors';
import { SnsVerificationError } from './sns-verification-error';

/** A signing certificate reduced to what verification needs, parsed once per URL. */
export interface SigningCertificate {
  readonly publicKey: KeyObject;
  readonly validFrom: Date;
  readonly validTo: Date;
}

export interface CertificateStoreOptions {
  /** Longest wait for one certificate download, in milliseconds. */
  readonly timeoutMs: number;
  /** Largest certificate body accepted, in bytes. */
  readonly maxBytes: number;
  /** How many certificates are kept; SNS uses a handful, so a small bound stops memory growth. */
  readonly cacheSize: number;
  /** How long a certificate is trusted without fetching it again, in milliseconds. */
  readonly ttlMs: number;
  /** Replaceable for tests of the verifier itself; defaults to a guarded HTTPS GET. */
  readonly download?: (url: URL) => Promise<string>;
}

export interface CertificateStore {
  get(url: URL): Promise<SigningCertificate>;
  /** How many downloads have started (observability and tests). */
  readonly downloads: () => number;
}

/**
 * Fetches and caches SNS signing certificates. Concurrent requests for one URL share one
 * download (lru-cache `fetch` coalesces them), a failed download is not cached (lru-cache drops
 * rejected fetches), and entries expire, so a rotated key is picked up within `ttlMs`.
 */
export function createCertificateStore(options: CertificateStoreOptions): CertificateStore {
  let downloads = 0;
  const download = options.download ?? ((url: URL) => downloadPem(url, options.timeoutMs, options.maxBytes));
  const cache = new LRUCache<string, SigningCertificate>({
    max: options.cacheSize,
    ttl: options.ttlMs,
    fetchMethod: async (href) => {
      downloads += 1;
      return parseCertificate(await download(new URL(href)));
    },
  });
  return {
    async get(url) {
      // A cache hit needs no promise from lru-cache's fetch path: look it up synchronously first.
      const hit = cache.get(url.href);
      if (hit) return hit;
      const fetched = await cache.fetch(url.href);
      if (!fetched) throw new UnavailableError('cert_unavailable', `no certificate for ${url.href}`);
      return fetched;
    },
    downloads: () => downloads,
  };
}

export function parseCertificate(pem: string): SigningCertificate {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch (cause) {
    throw new SnsVerificationError('cert_refused', 'signing certificate does not parse as X.509', cause);
  }
  const publicKey = certificate.publicKey;
  if (publicKey.asymmetricKeyType !== 'rsa') {
    throw new SnsVerificationError('cert_refused', 'signing certificate does not hold an RSA key');
  }
  return { publicKey, validFrom: new Date(certificate.validFrom), validTo: new Date(certificate.validTo) };
}

/**
 * GET with the guards a URL taken from an untrusted message deserves: a timeout, no redirects,
 * status 200 only, and a size cap enforced while reading (Content-Length may lie or be absent).
 * Network trouble and 5xx answers are worth a retry (503 to SNS); anything else is a refusal.
 */
export async function downloadPem(url: URL, timeoutMs: number, maxBytes: number): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  } catch (cause) {
    throw new UnavailableError(
      'cert_unavailable',
      `certificate download failed: ${toError(cause).message}`,
      cause,
    );
  }
  try {
    if (response.status >= 500) {
      throw new UnavailableError('cert_unavailable', `certificate host answered ${response.status}`);
    }
    if (response.status !== 200) {
      throw new SnsVerificationError('cert_refused', `certificate host answered ${response.status}`);
    }
    const declared = Number(response.headers.get('content-length') ?? '0');
    if (declared > maxBytes) {
      throw new SnsVerificationError('cert_refused', `certificate is larger than ${maxBytes} bytes`);
    }
    return await readCapped(response, maxBytes);
  } finally {
    if (!response.bodyUsed) await response.body?.cancel().catch(() => undefined);
  }
}

async function readCapped(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new SnsVerificationError('cert_refused', `certificate is larger than ${maxBytes} bytes`);
      }
      chunks.push(value);
    }
  } catch (cause) {
    if (cause instanceof SnsVerificationError) throw cause;
    throw new UnavailableError(
      'cert_unavailable',
      `certificate download broke off: ${toError(cause).message}`,
      cause,
    );
  } finally {
    reader.releaseLock();
  }
  return Buffer.concat(chunks).toString('utf8');
}
