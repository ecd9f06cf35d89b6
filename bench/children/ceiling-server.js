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
 * Sends { type: 'ready' } over IPC once listening; SIGTERM closes everything and exits.
 */
const path = require('node:path');
const Fastify = require('fastify');
const { Queue } = require('bullmq');
const { Redis } = require('ioredis');
const { queuePrefix } = require(path.join(__dirname, '..', '..', 'dist', 'keys'));

const mode = process.argv[2];
if (mode !== 'http' && mode !== 'queue') {
  console.error('ceiling-server: mode must be http or queue');
  process.exit(2);
}

async function main() {
  const app = Fastify({ logger: false });
  let queue;
  let redis;
  if (mode === 'queue') {
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

main().catch((error) => {
  console.error(`ceiling-server: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
