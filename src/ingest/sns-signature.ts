import { verify as verifySignature } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { SnsMessage } from './sns-message';

/**
 * The string SNS signs (FORMATS.md §C.5): `Name\nvalue\n` for each signed field in byte order,
 * every value (the last one too) followed by a newline. Notifications sign Subject only when it
 * is present and not null; confirmations sign SubscribeURL and Token instead.
 */
export function stringToSign(message: SnsMessage): string {
  if (message.Type === 'Notification') {
    const subject =
      message.Subject === undefined || message.Subject === null ? '' : `Subject\n${message.Subject}\n`;
    return (
      `Message\n${message.Message}\nMessageId\n${message.MessageId}\n${subject}` +
      `Timestamp\n${message.Timestamp}\nTopicArn\n${message.TopicArn}\nType\n${message.Type}\n`
    );
  }
  return (
    `Message\n${message.Message}\nMessageId\n${message.MessageId}\nSubscribeURL\n${message.SubscribeURL}\n` +
    `Timestamp\n${message.Timestamp}\nToken\n${message.Token}\nTopicArn\n${message.TopicArn}\nType\n${message.Type}\n`
  );
}

/** SignatureVersion 1 is SHA1withRSA, 2 is SHA256withRSA; nothing else exists. */
export const SIGNATURE_ALGORITHMS: Readonly<Record<string, string>> = { '1': 'sha1', '2': 'sha256' };

/**
 * Checks the base64 `Signature` over the UTF-8 bytes of the string to sign. The RSA check runs in
 * libuv's thread pool (the callback form of crypto.verify), so the event loop keeps parsing and
 * answering other deliveries meanwhile.
 */
export function signatureMatches(message: SnsMessage, publicKey: KeyObject): Promise<boolean> {
  const algorithm = SIGNATURE_ALGORITHMS[message.SignatureVersion];
  if (algorithm === undefined) return Promise.resolve(false);
  const signature = Buffer.from(message.Signature, 'base64');
  if (signature.length === 0) return Promise.resolve(false);
  return new Promise((resolve) => {
    try {
      verifySignature(
        algorithm,
        Buffer.from(stringToSign(message), 'utf8'),
        publicKey,
        signature,
        (error, valid) =>
          // OpenSSL fails on some malformed signatures (wrong length for the key): a mismatch.
          resolve(error ? false : valid),
      );
    } catch {
      resolve(false);
    }
  });
}
