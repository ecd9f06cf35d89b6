import { createSigner } from '../../src/simulate/sns-signer';
import type { Signer } from '../../src/simulate/sns-signer';
import { createSigningIdentity } from '../../src/simulate/signing-identity';
import type { SigningIdentity } from '../../src/simulate/signing-identity';
import { startCertificateServer } from '../../src/simulate/certificate-server';
import type { CertificateServer } from '../../src/simulate/certificate-server';

export const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:thaw-restore-events';
export const OTHER_TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:someone-elses-topic';

/**
 * SNS played locally: a fresh RSA key and certificate, served over loopback at an SNS-shaped path,
 * and a signer that signs like SNS. Nothing here skips verification: the service downloads the
 * certificate and checks every signature as it would in production.
 */
export interface SnsWorld {
  readonly identity: SigningIdentity;
  readonly server: CertificateServer;
  readonly signer: Signer;
  /** Environment that points a thaw instance at this world. */
  readonly env: Record<string, string>;
  close(): Promise<void>;
}

export async function startSnsWorld(): Promise<SnsWorld> {
  const identity = await createSigningIdentity();
  const server = await startCertificateServer(identity.certificatePem);
  const signer = createSigner(identity.privateKeyPem, server.certUrl);
  return {
    identity,
    server,
    signer,
    env: {
      SNS_TOPIC_ARNS: TOPIC_ARN,
      SNS_ALLOW_HTTP: 'true',
      SNS_TRUSTED_HOSTS: String.raw`^127\.0\.0\.1$`,
    },
    close: () => server.close(),
  };
}
