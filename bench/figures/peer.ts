import http from 'node:http';
import https from 'node:https';
import MessageValidator from 'sns-validator';
import { loadConfig } from '../../src/config';
import { createCertificateStore, downloadPem } from '../../src/ingest/certificate-store';
import { parseSnsBody } from '../../src/ingest/sns-message';
import type { SnsMessage } from '../../src/ingest/sns-message';
import { createSnsVerifier } from '../../src/ingest/sns-verifier';
import type { BenchContext } from '../lib/context';
import { API_TOKEN } from '../lib/context';
import { count, goal, perSecond, ratio } from '../lib/report';
import { TOPIC_ARN } from '../lib/sns-pool';
import type { SignedMessage } from '../lib/sns-pool';
import { median } from '../lib/median';

/**
 * Figure 5: signature verifications per second, one thread, thaw's verifier against the
 * `sns-validator` package on the same messages (SignatureVersion 1 and 2 alternating).
 *
 * Fairness: the messages name an AWS-shaped SigningCertURL
 * (https://sns.us-east-1.amazonaws.com/SimpleNotificationService-<md5>.pem), which both libraries
 * accept with their default host rules. Each fetches the certificate once, from the bench's
 * loopback certificate server, and then serves it from its own cache: thaw through its real
 * download code pointed at loopback, sns-validator through its own `https.get`, redirected to
 * loopback for that one call. Both are then timed on warm caches, one message after another,
 * each verification awaited through a promise. Rounds alternate between the two.
 */
export async function peerFigure(context: BenchContext, messages: readonly SignedMessage[]): Promise<void> {
  const { sizes, world } = context;
  const bodies = messages.map((message) => message.body);

  // thaw's verifier, built the way composition/http-side.ts builds it, with thaw's defaults.
  const config = loadConfig({ MAIL_FROM: 'x@example.com', API_TOKEN, SNS_TOPIC_ARNS: TOPIC_ARN });
  const certificates = createCertificateStore({
    timeoutMs: config.sns.certFetchTimeoutMs,
    maxBytes: config.sns.certMaxBytes,
    cacheSize: config.sns.certCacheSize,
    ttlMs: config.sns.certCacheTtlMs,
    download: (url) =>
      downloadPem(
        new URL(url.pathname, world.server.origin),
        config.sns.certFetchTimeoutMs,
        config.sns.certMaxBytes,
      ),
  });
  const verify = createSnsVerifier({
    trustedHosts: config.sns.trustedHosts,
    allowHttp: config.sns.allowHttp,
    topicArns: config.sns.topicArns,
    minSignatureVersion: config.sns.minSignatureVersion,
    maxAgeSeconds: config.sns.maxAgeSeconds,
    certificates,
  });
  const parsed: SnsMessage[] = bodies.map((body) => parseSnsBody(body, 'Notification'));

  const validator = new MessageValidator();
  const validate = (message: string | Record<string, unknown>) =>
    new Promise<void>((resolve, reject) =>
      validator.validate(message, (error) => (error ? reject(error) : resolve())),
    );
  const plain = bodies.map((body) => JSON.parse(body) as Record<string, unknown>);

  // Warm both caches (one download each) and check both really verify: a good message passes,
  // a tampered one fails.
  await verify(parsed[0] as SnsMessage);
  await withHttpsGetRedirectedTo(world.server.origin, () => validate({ ...(plain[0] as object) }));
  const tampered = { ...(plain[0] as Record<string, string>), Message: 'tampered' };
  const thawRefuses = await verify(parseSnsBody(JSON.stringify(tampered), 'Notification')).then(
    () => false,
    () => true,
  );
  const peerRefuses = await validate(tampered).then(
    () => false,
    () => true,
  );
  if (!thawRefuses || !peerRefuses) throw new Error('a verifier accepted a tampered message');
  const downloads = certificates.downloads();

  const contenders = {
    thaw: (index: number) => verify(parsed[index % parsed.length] as SnsMessage),
    'sns-validator': (index: number) => validate(plain[index % plain.length] as Record<string, unknown>),
    'thaw, parse + verify': (index: number) =>
      verify(parseSnsBody(bodies[index % bodies.length] as string, 'Notification')),
    'sns-validator, parse + verify': (index: number) => validate(bodies[index % bodies.length] as string),
  };
  const rates = new Map<string, number[]>();
  for (const name of Object.keys(contenders)) rates.set(name, []);
  await timed(contenders.thaw, 0.3); // JIT warm-up of both paths
  await timed(contenders['sns-validator'], 0.3);
  for (let round = 0; round < sizes.peerRounds; round += 1) {
    for (const [name, run] of Object.entries(contenders)) {
      context.progress(`peer: ${name}, round ${round + 1}/${sizes.peerRounds}`);
      rates.get(name)?.push(await timed(run, sizes.peerSeconds));
    }
  }
  const medianRate = (name: string) => median(rates.get(name) ?? []);
  const thaw = medianRate('thaw');
  const peer = medianRate('sns-validator');
  const how = `one thread, ${count(messages.length)} messages (SigV1+SigV2), median of ${sizes.peerRounds} × ${sizes.peerSeconds} s`;
  context.report.row('peer', "thaw's verifier (createSnsVerifier, warm cache)", perSecond(thaw), how);
  context.report.row(
    'peer',
    'sns-validator 0.3.5, same messages',
    perSecond(peer),
    'passes the PEM to crypto verify on every call (re-parsed each time)',
  );
  context.report.row(
    'peer',
    'JSON body → verified, thaw / sns-validator',
    `${perSecond(medianRate('thaw, parse + verify'))} / ${perSecond(medianRate('sns-validator, parse + verify'))}`,
    `thaw: zod envelope schema + verify; sns-validator: JSON.parse + verify; certificate downloads: ${downloads}`,
  );
  const speedup = thaw / Math.max(peer, 1);
  context.report.row('peer', 'verify/sns-validator', ratio(speedup), goal('≥ 5×', speedup >= 5));
  context.report.summary(
    `verify/sns-validator ${ratio(speedup)} (thaw ${perSecond(thaw)} vs sns-validator ${perSecond(peer)}; ${goal('≥ 5×', speedup >= 5)})`,
  );
}

/** Calls `run(0), run(1), …` one after another for `seconds`; returns calls per second. */
async function timed(run: (index: number) => Promise<unknown>, seconds: number): Promise<number> {
  const started = performance.now();
  const until = started + seconds * 1000;
  let calls = 0;
  for (;;) {
    for (let batch = 0; batch < 64; batch += 1) await run(calls++);
    const now = performance.now();
    if (now >= until) return (calls * 1000) / (now - started);
  }
}

/**
 * sns-validator downloads certificates with `https.get` from the URL in the message. For its one
 * download, `https.get` is pointed at the loopback certificate server (same path, plain HTTP),
 * then put back: from then on its module-level cache answers, as it would in production.
 */
async function withHttpsGetRedirectedTo<T>(origin: string, work: () => Promise<T>): Promise<T> {
  const original = https.get;
  const redirected = (url: string | URL, callback: (response: http.IncomingMessage) => void) =>
    http.get(new URL(new URL(url).pathname, origin), callback);
  Reflect.set(https, 'get', redirected);
  try {
    return await work();
  } finally {
    Reflect.set(https, 'get', original);
  }
}
