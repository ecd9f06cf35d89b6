import { X509Certificate } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { UnavailableError, toError } from '../errors';
import { SnsVerificationError } from './sns-verification-error';

/** A signing certificate reduced to what verification needs, parsed once per URL. */
export interface SigningCertificate {
  readonly publicKey: KeyObject;
  readonly validFrom: Date;
  readonly validTo: Date;
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
