import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import startSesEmulator from 'aws-ses-v2-local';
import { startTogether } from './children';
import type { BenchChild } from './children';
import { startThaw } from './context';
import type { BenchContext } from './context';

/**
 * A running thaw, however it is split into processes, as the pipeline figures see it: where its
 * HTTP API is, which processes to watch, and how many emails it has sent.
 */
export interface Deployment {
  readonly description: string;
  readonly apiUrl: string;
  readonly processes: readonly BenchChild[];
  /** Emails sent so far (all processes) and when the latest went out (epoch ms). */
  emails(): { sent: number; lastSentAt: number };
  /** What the counting processes sent to Redis, summed; undefined if a process does not count. */
  redisCounters(): Promise<{ commands: number; roundTrips: number } | undefined>;
  stop(): Promise<void>;
}

/** (a) One `serve` process (HTTP and workers) whose emails go to a counting Mailer: SES excluded. */
export async function servingWithCountingMailer(
  context: BenchContext,
  prefix: string,
  label: string,
): Promise<Deployment> {
  const thaw = await startThaw(context, { role: 'serve', prefix, program: 'counting-mailer', label });
  return fromProcesses('1 serve process, counting mailer', thaw.url, [thaw.child], [thaw.child]);
}

/**
 * (b) `node dist/main.js serve` exactly as deployed, sending through the real SES v2 client to
 * aws-ses-v2-local, run in the bench process. An email counts once the emulator has answered 200.
 * `env` is added to thaw's environment (the tracing figure's OTEL_* variables).
 */
export async function servingWithSesEmulator(
  context: BenchContext,
  prefix: string,
  label: string,
  env: Record<string, string> = {},
): Promise<Deployment> {
  const emulator = await startCountingSesEmulator(context);
  try {
    const thaw = await startThaw(context, {
      role: 'serve',
      prefix,
      program: 'main',
      label,
      env: { ...env, SES_ENDPOINT: emulator.endpoint },
    });
    return {
      description: '1 serve process, SES v2 client → aws-ses-v2-local',
      apiUrl: thaw.url,
      processes: [thaw.child],
      emails: emulator.emails,
      redisCounters: async () => undefined,
      async stop() {
        await thaw.child.stop();
        await emulator.stop();
      },
    };
  } catch (error) {
    await emulator.stop();
    throw error;
  }
}

/** One `api` process (`node dist/main.js api`) and `workers` `worker` processes with counting mailers. */
export async function splitRoles(
  context: BenchContext,
  prefix: string,
  workers: number,
  label: string,
): Promise<Deployment> {
  const [api, ...workerProcesses] = await startTogether([
    startThaw(context, { role: 'api', prefix, program: 'main', label: `${label}-api` }),
    ...Array.from({ length: workers }, (_, index) =>
      startThaw(context, {
        role: 'worker',
        prefix,
        program: 'counting-mailer',
        label: `${label}-worker-${index + 1}`,
      }),
    ),
  ]);
  const workerChildren = workerProcesses.map((worker) => worker.child);
  const description = `1 api + ${workers} worker process${workers > 1 ? 'es' : ''}, counting mailer`;
  return fromProcesses(description, api.url, [api.child, ...workerChildren], workerChildren);
}

/** A deployment whose emails are reported over IPC by `senders` (thaw-process.js). */
function fromProcesses(
  description: string,
  apiUrl: string,
  processes: readonly BenchChild[],
  senders: readonly BenchChild[],
): Deployment {
  const latest = new Map<number, { sent: number; lastSentAt: number }>();
  for (const sender of senders) {
    sender.onMessage((message) => {
      if (message.type === 'sent') {
        latest.set(sender.pid, { sent: Number(message.sent), lastSentAt: Number(message.lastSentAt) });
      }
    });
  }
  return {
    description,
    apiUrl,
    processes,
    emails() {
      let sent = 0;
      let lastSentAt = 0;
      for (const report of latest.values()) {
        sent += report.sent;
        lastSentAt = Math.max(lastSentAt, report.lastSentAt);
      }
      return { sent, lastSentAt };
    },
    async redisCounters() {
      if (senders.length !== processes.length) return undefined;
      const answers = await Promise.all(
        senders.map((sender) =>
          sender.ask<{ redis: { commands: number; roundTrips: number } }>({ type: 'counters?' }, 'counters'),
        ),
      );
      return answers.reduce(
        (sum, answer) => ({
          commands: sum.commands + answer.redis.commands,
          roundTrips: sum.roundTrips + answer.redis.roundTrips,
        }),
        { commands: 0, roundTrips: 0 },
      );
    },
    async stop() {
      await Promise.all(processes.map((child) => child.stop()));
    },
  };
}

interface CountingSesEmulator {
  readonly endpoint: string;
  emails(): { sent: number; lastSentAt: number };
  stop(): Promise<void>;
}

/** aws-ses-v2-local on a free loopback port, counting SendEmail (v2) calls it answered with 200. */
async function startCountingSesEmulator(context: BenchContext): Promise<CountingSesEmulator> {
  const server: Server = await startSesEmulator({ host: '127.0.0.1', port: 0 });
  let sent = 0;
  let lastSentAt = 0;
  server.on('request', (request, response) => {
    if (request.method !== 'POST' || !request.url?.startsWith('/v2/email/outbound-emails')) return;
    response.once('finish', () => {
      if (response.statusCode !== 200) return;
      sent += 1;
      lastSentAt = Date.now();
    });
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const release = context.resources.add('SES emulator', async () => {
    // Its store is a module-level singleton: empty it so the next run starts from nothing.
    await fetch(`${endpoint}/clear-store`, { method: 'POST' }).catch(() => undefined);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { endpoint, emails: () => ({ sent, lastSentAt }), stop: release };
}
