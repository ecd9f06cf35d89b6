'use strict';
/**
 * A thaw process for the pipeline and scale figures: `node thaw-process.js <role>`.
 *
 * It is `dist/main.js` with one difference: the composition root's own `start(config, logger,
 * { mailer })` seam gets a counting Mailer, so emails are "sent" in-process and SES is out of the
 * measurement. Configuration comes from the environment exactly as for `dist/main.js`, and the
 * signal handlers are thaw's own, so SIGTERM shuts down gracefully (and writes a --cpu-prof profile).
 *
 * It reports over IPC (the bench sums the reports of every worker process):
 *   { type: 'ready' }                                   once started
 *   { type: 'sent', sent, lastSentAt }                  at most every 50 ms while emails go out
 *   { type: 'counters', sent, lastSentAt, redis }       in answer to { type: 'counters?' }
 * `redis` counts what this process sent to Redis: `commands`, and `roundTrips` (a pipeline or
 * MULTI is one round trip, a single command is one).
 */
const path = require('node:path');
const DIST = path.join(__dirname, '..', '..', 'dist');
const { Pipeline, Redis } = require('ioredis');
const { loadConfig } = require(path.join(DIST, 'config'));
const { createLogger } = require(path.join(DIST, 'logger'));
const { start } = require(path.join(DIST, 'main'));

const redis = { commands: 0, roundTrips: 0 };
countRedisTraffic();

let sent = 0;
let lastSentAt = 0;
let reportScheduled = false;

/** The Mailer thaw depends on, minus SES: counts, and answers like SES would. */
const countingMailer = {
  async send() {
    sent += 1;
    lastSentAt = Date.now();
    if (!reportScheduled) {
      reportScheduled = true;
      setTimeout(() => {
        reportScheduled = false;
        process.send?.({ type: 'sent', sent, lastSentAt });
      }, 50).unref();
    }
    return { messageId: `bench-${process.pid}-${sent}` };
  },
};

/**
 * Counts at ioredis' one funnel for commands. BullMQ and thaw share this ioredis module, so every
 * connection of the process is seen. Pipelined commands arrive with the pipeline's stream.
 */
function countRedisTraffic() {
  const sendCommand = Redis.prototype.sendCommand;
  Redis.prototype.sendCommand = function countedSendCommand(command, stream) {
    redis.commands += 1;
    if (stream === undefined) redis.roundTrips += 1;
    return sendCommand.apply(this, arguments);
  };
  const exec = Pipeline.prototype.exec;
  Pipeline.prototype.exec = function countedExec() {
    redis.roundTrips += 1;
    return exec.apply(this, arguments);
  };
}

async function main() {
  const role = process.argv[2] ?? 'serve';
  const config = loadConfig({ ...process.env, THAW_ROLE: role });
  const logger = createLogger({ level: config.logLevel });
  const running = await start(config, logger, { mailer: countingMailer });
  running.shutdown.installSignalHandlers((code) => process.exit(code));
  process.on('message', (message) => {
    if (message && message.type === 'counters?') {
      process.send?.({ type: 'counters', sent, lastSentAt, redis: { ...redis } });
    }
  });
  process.send?.({ type: 'ready' });
}

main().catch((error) => {
  console.error(`thaw-process: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
