import { generate } from 'selfsigned';

/** A key and certificate that play SNS's part locally (tests, the demo, `thaw simulate`). */
export interface SigningIdentity {
  readonly privateKeyPem: string;
  readonly certificatePem: string;
}

export interface SigningIdentityOptions {
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  readonly keySize?: number;
}

/** Makes an RSA key and a self-signed certificate named like SNS's own (CN=sns.amazonaws.com). */
export async function createSigningIdentity(options: SigningIdentityOptions = {}): Promise<SigningIdentity> {
  const notBefore = options.notBefore ?? new Date(Date.now() - 86400_000);
  const notAfter = options.notAfter ?? new Date(Date.now() + 365 * 86400_000);
  const generated = await generate([{ name: 'commonName', value: 'sns.amazonaws.com' }], {
    keySize: options.keySize ?? 2048,
    algorithm: 'sha256',
    notBeforeDate: notBefore,
    notAfterDate: notAfter,
  });
  return { privateKeyPem: generated.private, certificatePem: generated.cert };
}
