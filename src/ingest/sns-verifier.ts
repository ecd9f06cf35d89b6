import type { CertificateStore } from './certificate-store';
import type { SnsMessage } from './sns-message';
import { signatureAlgorithm, signatureMatches } from './sns-signature';
import { checkSigningCertUrl } from './sns-url';
import type { SnsUrlPolicy } from './sns-url';
import { SnsVerificationError } from './sns-verification-error';

export interface SnsVerifierOptions extends SnsUrlPolicy {
  /** Every TopicArn whose messages thaw takes; anything else is refused before any network call. */
  readonly topicArns: readonly string[];
  /** 2 refuses SignatureVersion 1 (SHA1) messages. */
  readonly minSignatureVersion: number;
  /** Oldest signed Timestamp accepted, in seconds; 0 turns the replay guard off. */
  readonly maxAgeSeconds: number;
  readonly certificates: CertificateStore;
  readonly now?: () => number;
}

export type SnsVerifier = (message: SnsMessage) => Promise<void>;

/**
 * Proves a message came from SNS for one of our topics, cheapest refusal first: signature version
 * (exactly "1" or "2", before anything else), topic allow-list, timestamp, certificate URL, and
 * only then a certificate download and the RSA check. Throws SnsVerificationError (403) or
 * UnavailableError (503: the certificate host is down, or the download budget is spent).
 */
export function createSnsVerifier(options: SnsVerifierOptions): SnsVerifier {
  const allowedTopics = new Set(options.topicArns);
  const now = options.now ?? Date.now;
  return async (message) => {
    if (signatureAlgorithm(message.SignatureVersion) === undefined) {
      throw new SnsVerificationError(
        'signature_version_unsupported',
        `SignatureVersion ${JSON.stringify(message.SignatureVersion.slice(0, 8))} is not 1 or 2`,
      );
    }
    // Exactly "1" or "2" by now, so Number() cannot meet NaN here.
    if (Number(message.SignatureVersion) < options.minSignatureVersion) {
      throw new SnsVerificationError(
        'signature_version_too_low',
        `SignatureVersion ${message.SignatureVersion} is below the required ${options.minSignatureVersion}`,
      );
    }
    if (!allowedTopics.has(message.TopicArn)) {
      throw new SnsVerificationError('topic_not_allowed', `topic ${message.TopicArn} is not accepted here`);
    }
    const signedAt = Date.parse(message.Timestamp);
    if (Number.isNaN(signedAt)) {
      throw new SnsVerificationError('timestamp_invalid', 'Timestamp is not a date');
    }
    if (options.maxAgeSeconds > 0 && now() - signedAt > options.maxAgeSeconds * 1000) {
      throw new SnsVerificationError('message_too_old', `message was signed at ${message.Timestamp}`);
    }
    const certUrl = checkSigningCertUrl(message.SigningCertURL, message.TopicArn, options);
    const certificate = await options.certificates.get(certUrl);
    // Judged at the signed Timestamp, not now: SNS retries an old message for up to an hour, and
    // how old a message may be is the replay guard's business alone.
    if (signedAt < certificate.validFrom.getTime() || signedAt > certificate.validTo.getTime()) {
      throw new SnsVerificationError(
        'cert_not_valid_at_timestamp',
        'signing certificate was not valid when the message was signed',
      );
    }
    if (!signatureMatches(message, certificate.publicKey)) {
      throw new SnsVerificationError('signature_invalid', 'signature does not match the message');
    }
  };
}
