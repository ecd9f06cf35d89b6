import type { Signer, SignedSnsMessage } from '../../src/simulate/sns-signer';
import { s3NotificationMessage } from '../../src/simulate/restore-notifications';

/**
 * Hostile or broken SNS bodies, each with the answer thaw must give. `loopback` cases go to a thaw
 * that trusts the test's certificate server (so signatures can be valid); `production` cases go to
 * a thaw with the production URL rules (default SNS_TRUSTED_HOSTS, https only), where every trick
 * must be refused before anything is fetched.
 */
export interface CorpusCase {
  readonly name: string;
  readonly target: 'loopback' | 'production';
  readonly body: string;
  readonly headers?: Record<string, string>;
  readonly status: number;
  readonly code?: string;
}

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:thaw-restore-events';
const AWS_CERT =
  'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem';

export function buildCorpus(signer: Signer, otherSigner: Signer, redirectingCertUrl: string): CorpusCase[] {
  const restore = s3NotificationMessage([{ kind: 'completed', bucket: 'corpus', key: 'a b+c.txt' }]);
  const valid = signer.sign({
    Type: 'Notification',
    TopicArn: TOPIC,
    Subject: 'Amazon S3 Notification',
    Message: restore,
  });
  const text = JSON.stringify(valid);
  const mutate = (change: (message: Record<string, unknown>) => void): string => {
    const copy: Record<string, unknown> = { ...valid };
    change(copy);
    return JSON.stringify(copy);
  };
  const withMessage = (message: string) =>
    JSON.stringify(signer.sign({ Type: 'Notification', TopicArn: TOPIC, Message: message }));
  const at = (certUrl: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ ...valid, SigningCertURL: certUrl, ...extra });
  const cases: CorpusCase[] = [];
  const add = (
    target: CorpusCase['target'],
    status: number,
    name: string,
    body: string,
    code?: string,
    headers?: Record<string, string>,
  ) => cases.push({ name, target, status, body, ...(code ? { code } : {}), ...(headers ? { headers } : {}) });

  // Not JSON, or not an SNS message at all.
  add('loopback', 400, 'a single space', ' ');
  add('loopback', 400, 'JSON null', 'null');
  add('loopback', 400, 'JSON true', 'true');
  add('loopback', 400, 'a number', '42');
  add('loopback', 400, 'a JSON string', '"Notification"');
  add('loopback', 400, 'an empty array', '[]');
  add('loopback', 400, 'an empty object', '{}');
  add('loopback', 400, 'an open brace', '{');
  for (const fraction of [0.1, 0.25, 0.5, 0.75, 0.99]) {
    add(
      'loopback',
      400,
      `valid message truncated at ${fraction * 100}%`,
      text.slice(0, Math.floor(text.length * fraction)),
    );
  }
  add(
    'loopback',
    400,
    'binary garbage',
    Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80, 0x90]).toString('latin1'),
  );
  add('loopback', 400, 'a byte-order mark before the JSON', `\ufeff${text}`);
  add('loopback', 400, 'NUL bytes', '\u0000\u0000\u0000');
  add('loopback', 400, 'an XML body', '<Notification><Message>hi</Message></Notification>');
  add('loopback', 400, 'a form-encoded body', 'Type=Notification&Message=hi');
  add('loopback', 400, 'deeply nested arrays', `${'['.repeat(5000)}${']'.repeat(5000)}`);

  // Wrong types and missing fields.
  add(
    'loopback',
    400,
    'Type as a number',
    mutate((m) => (m.Type = 7)),
  );
  add(
    'loopback',
    400,
    'an unknown Type',
    mutate((m) => (m.Type = 'Notifications')),
  );
  add(
    'loopback',
    400,
    'Type in lower case',
    mutate((m) => (m.Type = 'notification')),
  );
  add(
    'loopback',
    400,
    'MessageId as a number',
    mutate((m) => (m.MessageId = 12345)),
  );
  add(
    'loopback',
    400,
    'Message as an object',
    mutate((m) => (m.Message = { Records: [] })),
  );
  add(
    'loopback',
    400,
    'Timestamp as a number',
    mutate((m) => (m.Timestamp = 1700000000)),
  );
  add(
    'loopback',
    400,
    'TopicArn null',
    mutate((m) => (m.TopicArn = null)),
  );
  add(
    'loopback',
    400,
    'Subject as a number',
    mutate((m) => (m.Subject = 9)),
  );
  for (const field of ['Type', 'MessageId', 'TopicArn', 'Message', 'Timestamp'] as const) {
    add(
      'loopback',
      400,
      `no ${field}`,
      mutate((m) => delete m[field]),
    );
  }
  add(
    'loopback',
    403,
    'no Signature',
    mutate((m) => delete m.Signature),
    'signature_missing',
  );
  add(
    'loopback',
    403,
    'no SigningCertURL',
    mutate((m) => delete m.SigningCertURL),
    'signature_missing',
  );
  add(
    'loopback',
    403,
    'no SignatureVersion',
    mutate((m) => delete m.SignatureVersion),
    'signature_missing',
  );
  add(
    'loopback',
    403,
    'Signature as a number',
    mutate((m) => (m.Signature = 1)),
    'signature_missing',
  );
  add(
    'loopback',
    403,
    'SignatureVersion as a number',
    mutate((m) => (m.SignatureVersion = 2)),
    'signature_missing',
  );
  add(
    'loopback',
    403,
    'SigningCertURL as an array',
    mutate((m) => (m.SigningCertURL = [valid.SigningCertURL])),
    'signature_missing',
  );
  add(
    'loopback',
    403,
    'an empty Signature',
    mutate((m) => (m.Signature = '')),
    'signature_missing',
  );
  add(
    'loopback',
    400,
    'a confirmation without SubscribeURL',
    mutate((m) => ((m.Type = 'SubscriptionConfirmation'), (m.Token = 't'))),
  );
  add('loopback', 400, 'a header contradicting the body', text, 'message_type_mismatch', {
    'x-amz-sns-message-type': 'UnsubscribeConfirmation',
  });

  // Signatures.
  add(
    'loopback',
    403,
    'the signature of another message',
    mutate(
      (m) =>
        (m.Signature = signer.sign({ Type: 'Notification', TopicArn: TOPIC, Message: 'other' }).Signature),
    ),
    'signature_invalid',
  );
  add(
    'loopback',
    403,
    'a message signed with another key',
    JSON.stringify(otherSigner.sign({ Type: 'Notification', TopicArn: TOPIC, Message: restore })),
    'signature_invalid',
  );
  add(
    'loopback',
    403,
    'a truncated signature',
    mutate((m) => (m.Signature = String(valid.Signature).slice(0, 100))),
    'signature_invalid',
  );
  add(
    'loopback',
    403,
    'a signature that is not base64',
    mutate((m) => (m.Signature = '!!!not base64!!!')),
    'signature_invalid',
  );
  add(
    'loopback',
    403,
    'the Message changed after signing',
    mutate((m) => (m.Message = String(m.Message).replace('corpus', 'corpuz'))),
    'signature_invalid',
  );
  add(
    'loopback',
    403,
    'the Subject dropped after signing',
    mutate((m) => delete m.Subject),
    'signature_invalid',
  );
  add(
    'loopback',
    403,
    'a Subject added after signing',
    JSON.stringify({
      ...signer.sign({ Type: 'Notification', TopicArn: TOPIC, Message: restore }),
      Subject: 'x',
    }),
    'signature_invalid',
  );
  add(
    'loopback',
    403,
    'a duplicate Message key whose later value is forged',
    `${text.slice(0, -1)},"Message":"forged"}`,
    'signature_invalid',
  );
  add(
    'loopback',
    200,
    'a duplicate Message key whose later value is the signed one',
    `{"Message":"forged",${text.slice(1)}`,
  );
  add(
    'loopback',
    403,
    'SignatureVersion 3',
    mutate((m) => (m.SignatureVersion = '3')),
    'signature_version_unsupported',
  );
  add(
    'loopback',
    403,
    'SignatureVersion 0',
    mutate((m) => (m.SignatureVersion = '0')),
    'signature_version_unsupported',
  );
  add(
    'loopback',
    403,
    'SignatureVersion with a trailing space',
    mutate((m) => (m.SignatureVersion = '2 ')),
    'signature_version_unsupported',
  );
  add(
    'loopback',
    403,
    'a v2 signature presented as v1',
    mutate((m) => (m.SignatureVersion = '1')),
    'signature_invalid',
  );
  add(
    'loopback',
    403,
    'a foreign topic',
    JSON.stringify(
      signer.sign({
        Type: 'Notification',
        TopicArn: 'arn:aws:sns:us-east-1:123456789012:other',
        Message: restore,
      }),
    ),
    'topic_not_allowed',
  );
  add(
    'loopback',
    403,
    'a topic with a zero-width space',
    JSON.stringify(signer.sign({ Type: 'Notification', TopicArn: `${TOPIC}\u200b`, Message: restore })),
    'topic_not_allowed',
  );
  add(
    'loopback',
    403,
    'a topic with a Cyrillic look-alike letter',
    JSON.stringify(
      signer.sign({ Type: 'Notification', TopicArn: TOPIC.replace('thaw', 'thаw'), Message: restore }),
    ),
    'topic_not_allowed',
  );
  add(
    'loopback',
    403,
    'a message signed in 2019',
    JSON.stringify(
      signer.sign({
        Type: 'Notification',
        TopicArn: TOPIC,
        Message: restore,
        Timestamp: '2019-01-01T00:00:00.000Z',
      }),
    ),
    'message_too_old',
  );
  add(
    'loopback',
    403,
    'a Timestamp that is not a date',
    JSON.stringify(
      signer.sign({ Type: 'Notification', TopicArn: TOPIC, Message: restore, Timestamp: 'yesterday' }),
    ),
    'timestamp_invalid',
  );
  add('loopback', 403, 'a certificate URL that redirects', at(redirectingCertUrl), 'cert_refused');

  // Verified, but not a restore event thaw can read; or ignored on purpose.
  add(
    'loopback',
    400,
    'a verified Message that is not JSON',
    withMessage('Hello world'),
    'not_restore_event',
  );
  add('loopback', 400, 'a verified Message with empty Records', withMessage('{"Records":[]}'));
  add(
    'loopback',
    400,
    'a restore record without an object key',
    withMessage(
      JSON.stringify({
        Records: [
          {
            eventVersion: '2.1',
            eventSource: 'aws:s3',
            eventTime: '2026-11-26T00:00:00Z',
            eventName: 'ObjectRestore:Post',
            s3: { bucket: { name: 'b' }, object: {} },
          },
        ],
      }),
    ),
  );
  add(
    'loopback',
    400,
    'a restore record with event version 3.0',
    withMessage(restore.replace('"eventVersion":"2.1"', '"eventVersion":"3.0"')),
  );
  add(
    'loopback',
    400,
    'a restore record with a broken key encoding',
    withMessage(restore.replace('a+b%2Bc.txt', '%E0%A4%A')),
  );
  add(
    'loopback',
    400,
    'a restore record with a negative-looking size',
    withMessage(restore.replace(/"size":\d+/, '"size":"-5"')),
  );
  add(
    'loopback',
    200,
    's3:TestEvent',
    withMessage(
      JSON.stringify({
        Service: 'Amazon S3',
        Event: 's3:TestEvent',
        Time: '2026-11-26T00:00:00Z',
        Bucket: 'b',
        RequestId: 'r',
        HostId: 'h',
      }),
    ),
  );
  add(
    'loopback',
    200,
    'a unicode key with right-to-left override and emoji',
    withMessage(
      s3NotificationMessage([{ kind: 'initiated', bucket: 'corpus', key: 'inv\u202eoice\u202c 🍌.pdf' }]),
    ),
  );
  add(
    'loopback',
    200,
    'an UnsubscribeConfirmation (acknowledged, never followed)',
    JSON.stringify(
      signer.sign({
        Type: 'UnsubscribeConfirmation',
        TopicArn: TOPIC,
        SubscribeURL: `${new URL(signer.certUrl).origin}/?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=x`,
      }),
    ),
  );
  add(
    'loopback',
    403,
    'a SubscriptionConfirmation pointing elsewhere',
    JSON.stringify(
      signer.sign({
        Type: 'SubscriptionConfirmation',
        TopicArn: TOPIC,
        SubscribeURL: `http://169.254.169.254/?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=x`,
      }),
    ),
    'cert_url_untrusted',
  );

  // Huge fields.
  add(
    'loopback',
    413,
    'a 300 KiB Message',
    JSON.stringify({ ...valid, Message: 'x'.repeat(300 * 1024) }),
    'body_too_large',
  );
  add(
    'loopback',
    413,
    'a 1 MiB Subject',
    JSON.stringify({ ...valid, Subject: 's'.repeat(1024 * 1024) }),
    'body_too_large',
  );
  add(
    'loopback',
    400,
    'a 5 KiB MessageId',
    mutate((m) => (m.MessageId = 'm'.repeat(5000))),
  );
  add(
    'loopback',
    403,
    'a 10 KiB signature',
    mutate((m) => (m.Signature = 'A'.repeat(10000))),
    'signature_missing',
  );

  // Certificate URL tricks against the production rules: refused before any download.
  const production = (name: string, url: string) =>
    add('production', 403, name, at(url), 'cert_url_untrusted');
  production('plain http', AWS_CERT.replace('https:', 'http:'));
  production(
    'a suffix host sns.us-east-1.amazonaws.com.evil.com',
    AWS_CERT.replace('amazonaws.com/', 'amazonaws.com.evil.com/'),
  );
  production(
    'userinfo naming the SNS host before @',
    'https://sns.us-east-1.amazonaws.com@evil.example/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem',
  );
  production('userinfo after the SNS host', AWS_CERT.replace('https://', 'https://user:pass@'));
  production('a non-standard port', AWS_CERT.replace('.com/', '.com:8443/'));
  production(
    'an IPv4 literal',
    'https://54.239.28.85/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem',
  );
  production(
    'an IPv6 literal',
    'https://[2600:1f18::1]/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem',
  );
  production('a file: URL', 'file:///etc/passwd');
  production('a data: URL', 'data:text/plain,-----BEGIN CERTIFICATE-----');
  production('an S3 bucket named sns', AWS_CERT.replace('sns.us-east-1', 'sns.s3-us-west-2'));
  production(
    'another path',
    AWS_CERT.replace('/SimpleNotificationService-', '/evil/SimpleNotificationService-'),
  );
  production('a query string', `${AWS_CERT}?versionId=1`);
  production('a fragment', `${AWS_CERT}#x`);
  production('not a URL', 'sns.us-east-1.amazonaws.com/cert.pem');
  production('another region than the topic', AWS_CERT.replace('us-east-1', 'eu-west-1'));
  production('the instance metadata address', 'http://169.254.169.254/latest/meta-data/');
  production('localhost', 'https://localhost/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem');
  return cases;
}

export type { SignedSnsMessage };
