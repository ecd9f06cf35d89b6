import { readFile } from 'node:fs/promises';
import type { RestoreEventKind } from '../domain/types';
import { startCertificateServer } from '../simulate/certificate-server';
import type { CertificateServer } from '../simulate/certificate-server';
import { postSnsMessage, restoreNotification } from '../simulate/deliver';
import type { EventForm } from '../simulate/deliver';
import { createSigner } from '../simulate/sns-signer';
import type { SignatureVersion, Signer } from '../simulate/sns-signer';
import { createSigningIdentity } from '../simulate/signing-identity';
import { parseFlags } from './cli-args';

export const SIMULATE_USAGE = `Usage: thaw simulate --url URL --bucket NAME --key KEY [options]

Plays S3 → SNS: sends correctly signed SNS deliveries of S3 restore events to a thaw
SNS endpoint, so a deployment can be exercised without S3.

  --url URL                 thaw's SNS endpoint (default http://127.0.0.1:3000/sns)
  --bucket NAME, --key KEY  the object (KEY is the plain key; it is URL-encoded as S3 does)
  --version ID              the object version (default: none, an unversioned bucket)
  --kind KIND               initiated | completed | expired | all (initiated then completed;
                            default: all)
  --form FORM               s3 (S3 event notification, default) | eventbridge
  --signature-version V     1 (SHA1) | 2 (SHA256, default)
  --topic-arn ARN           TopicArn to sign (default: first of SNS_TOPIC_ARNS, else
                            arn:aws:sns:us-east-1:000000000000:thaw-restore-events)
  --expiry ISO              restored copy's expiry on completed events (default: in 7 days)
  --storage-class CLASS     GLACIER | DEEP_ARCHIVE | INTELLIGENT_TIERING (default DEEP_ARCHIVE)
  --repeat N                deliver every message N times, as SNS redelivers (default 1)
  --subscribe               first send a SubscriptionConfirmation (thaw confirms it)
  --private-key FILE        sign with this PEM key, whose certificate is served at --cert-url
  --cert-url URL            SigningCertURL for --private-key
  --help                    show this help

Without --private-key, a fresh key and certificate are made and the certificate is served on
127.0.0.1 for the run: the thaw under test needs SNS_ALLOW_HTTP=true and SNS_TRUSTED_HOSTS
admitting 127.0.0.1 (e.g. SNS_TRUSTED_HOSTS='^127\\.0\\.0\\.1$'). Exit code 0 when every
delivery was answered 2xx.`;

const FLAGS = {
  url: 'string',
  bucket: 'string',
  key: 'string',
  version: 'string',
  kind: 'string',
  form: 'string',
  'signature-version': 'string',
  'topic-arn': 'string',
  expiry: 'string',
  'storage-class': 'string',
  repeat: 'string',
  subscribe: 'boolean',
  'private-key': 'string',
  'cert-url': 'string',
  help: 'boolean',
} as const;

const KINDS: Record<string, RestoreEventKind[]> = {
  initiated: ['initiated'],
  completed: ['completed'],
  expired: ['expired'],
  all: ['initiated', 'completed'],
};

export async function runSimulate(argv: string[], io: { out: (line: string) => void }): Promise<number> {
  const flags = parseFlags(argv, FLAGS);
  if (typeof flags === 'string') {
    io.out(`thaw simulate: ${flags}\n\n${SIMULATE_USAGE}`);
    return 2;
  }
  if (flags.help) {
    io.out(SIMULATE_USAGE);
    return 0;
  }
  const problem = check(flags);
  if (problem) {
    io.out(`thaw simulate: ${problem}\n\n${SIMULATE_USAGE}`);
    return 2;
  }
  const url = flags.url ?? 'http://127.0.0.1:3000/sns';
  const topicArn =
    flags['topic-arn'] ??
    process.env.SNS_TOPIC_ARNS?.split(',')[0]?.trim() ??
    'arn:aws:sns:us-east-1:000000000000:thaw-restore-events';
  const { signer, server } = await signerFor(flags['private-key'], flags['cert-url']);
  try {
    let ok = true;
    const send = async (label: string, message: Record<string, string | null>) => {
      for (let copy = 0; copy < Number(flags.repeat ?? '1'); copy += 1) {
        const result = await postSnsMessage(url, message);
        ok &&= result.status >= 200 && result.status < 300;
        io.out(`${label}: ${result.status} ${result.body}`);
        if (result.status === 403 && result.body.includes('cert_url_untrusted')) {
          io.out(
            '  hint: the thaw under test must trust the certificate host (SNS_ALLOW_HTTP, SNS_TRUSTED_HOSTS)',
          );
        }
      }
    };
    if (flags.subscribe) {
      const origin = server?.origin ?? new URL(signer.certUrl).origin;
      const subscribeUrl = `${origin}/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(topicArn)}&Token=simulated`;
      await send(
        'SubscriptionConfirmation',
        signer.sign({ Type: 'SubscriptionConfirmation', TopicArn: topicArn, SubscribeURL: subscribeUrl }),
      );
    }
    for (const kind of KINDS[flags.kind ?? 'all']!) {
      const restore = {
        kind,
        bucket: flags.bucket!,
        key: flags.key!,
        ...(flags.version ? { versionId: flags.version } : {}),
        ...(flags.expiry ? { restoreExpiryTime: new Date(flags.expiry).toISOString() } : {}),
        ...(flags['storage-class'] ? { storageClass: flags['storage-class'] } : {}),
      };
      const message = restoreNotification([restore], {
        signer,
        topicArn,
        form: (flags.form ?? 's3') as EventForm,
        signatureVersion: (flags['signature-version'] ?? '2') as SignatureVersion,
      });
      await send(`${kind} ${flags.bucket}/${flags.key}`, message);
    }
    return ok ? 0 : 1;
  } finally {
    await server?.close();
  }
}

function check(flags: Exclude<ReturnType<typeof parseFlags<typeof FLAGS>>, string>): string | null {
  if (!flags.bucket || !flags.key) return '--bucket and --key are required';
  if (flags.kind && !Object.hasOwn(KINDS, flags.kind))
    return `--kind must be initiated, completed, expired or all`;
  if (flags.form && flags.form !== 's3' && flags.form !== 'eventbridge')
    return '--form must be s3 or eventbridge';
  const version = flags['signature-version'];
  if (version && version !== '1' && version !== '2') return '--signature-version must be 1 or 2';
  if (flags.repeat && !/^[1-9]\d{0,2}$/.test(flags.repeat)) return '--repeat must be a number from 1 to 999';
  if (flags.expiry && Number.isNaN(Date.parse(flags.expiry))) return '--expiry must be an ISO-8601 time';
  if (Boolean(flags['private-key']) !== Boolean(flags['cert-url']))
    return '--private-key and --cert-url go together';
  return null;
}

async function signerFor(
  keyFile: string | undefined,
  certUrl: string | undefined,
): Promise<{ signer: Signer; server?: CertificateServer }> {
  if (keyFile && certUrl) return { signer: createSigner(await readFile(keyFile, 'utf8'), certUrl) };
  const identity = await createSigningIdentity();
  const server = await startCertificateServer(identity.certificatePem);
  return { signer: createSigner(identity.privateKeyPem, server.certUrl), server };
}
