'use strict';
/**
 * The ingest baselines, run as a child process exactly like thaw's `api` process:
 * `node ceiling-server.js http|queue` with PORT, REDIS_URL and THAW_PREFIX in the environment.
 *
 * - `http`:  fastify 5 takes the SNS body as a raw string the way thaw's /sns route does (every
 *            content type, parseAs 'string', same body limit), JSON.parses it and answers 200.
 *            No logger, no schema, no verification: the HTTP ceiling of this machine.
 * - `queue`: the same, plus one plain BullMQ `queue.add` per request (default job options,
 *            BullMQ's own ids) on a connection set up like thaw's request connection, answering 200
 *            only once Redis has the job. The job holds about what thaw's does (~300 B): the
 *            queue ceiling.
 * - `verify`: `queue`, plus the SNS signature check every message needs (AWS's string to sign,
 *            RSA with SHA1 or SHA256 by SignatureVersion, the certificate's key downloaded once per
 *            URL and cached), before the `queue.add`; 403 when it does not verify. The least any
 *            honest endpoint must do: the verify ceiling.
 * Sends { type: 'ready' } over IPC once listening; SIGTERM closes everything and exits.
 */
const path = require('node:path');
const Fastify = require('fastify');
const { Queue } = require('bullmq');
const { Redis } = require('ioredis');
const { queuePrefix } = require(path.join(__dirname, '..', '..', 'dist', 'keys'));

const { createPublicKey, verify } = require('node:crypto');

const mode = process.argv[2];
if (mode !== 'http' && mode !== 'queue' && mode !== 'verify') {
  console.error('ceiling-server: mode must be http, queue or verify');
  process.exit(2);
}

async function main() {
  const app = Fastify({ logger: false });
  let queue;
  let redis;
  if (mode !== 'http') {
    redis = new Redis(process.env.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    await new Promise((resolve, reject) => {
      redis.once('ready', resolve);
      redis.once('error', reject);
    });
    // Under a hash tag of its own, as thaw's queues (dist/keys: `{<prefix>:<queue>}:<queue>:...`).
    queue = new Queue('ceiling-events', {
      connection: redis,
      prefix: queuePrefix(process.env.THAW_PREFIX, 'ceiling-events'),
    });
    queue.on('error', (error) => console.error(`ceiling-server: queue error: ${error.message}`));
    await queue.waitUntilReady();
  }

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 272 * 1024 }, (_request, body, done) =>
    done(null, body),
  );
  app.post('/sns', async (request, reply) => {
    const message = JSON.parse(request.body);
    if (mode === 'verify' && !(await signatureVerifies(message))) {
      return reply.code(403).send({ error: { code: 'signature_invalid' } });
    }
    if (queue) {
      await queue.add('event', {
        snsMessageId: message.MessageId,
        topicArn: message.TopicArn,
        timestamp: message.Timestamp,
        receivedAt: new Date().toISOString(),
        size: message.Message.length,
      });
    }
    return reply.code(200).send({ status: 'queued', events: 1 });
  });

  await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
  process.send?.({ type: 'ready' });

  let stopping = false;
  const stop = async () => {
    if (stopping) process.exit(1);
    stopping = true;
    await app.close();
    await queue?.close();
    await redis?.quit();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/** A notification's string to sign (AWS: "Verifying the signatures of Amazon SNS messages"). */
const NOTIFICATION_FIELDS = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'];
const keys = new Map();

async function signatureVerifies(message) {
  let key = keys.get(message.SigningCertURL);
  if (!key) {
    key = fetch(message.SigningCertURL)
      .then((response) => response.text())
      .then((pem) => createPublicKey(pem));
    keys.set(message.SigningCertURL, key);
  }
  let text = '';
  for (const field of NOTIFICATION_FIELDS) {
    const value = message[field];
    if (value !== undefined && value !== null) text += `${field}\n${value}\n`;
  }
  const algorithm = message.SignatureVersion === '2' ? 'sha256' : 'sha1';
  return verify(algorithm, Buffer.from(text), await key, Buffer.from(message.Signature, 'base64'));
}

main().catch((error) => {
  console.error(`ceiling-server: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
