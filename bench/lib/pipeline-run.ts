import type { ObjectRef } from '../../src/domain/object-ref';
import { sampleRss, sleep } from './children';
import { API_TOKEN } from './context';
import type { BenchContext } from './context';
import type { Deployment } from './deployments';
import { runLoad } from './http-load';
import type { LoadRequest, LoadResult } from './http-load';
import { startCpuMeter, totalSeconds } from './cpu-meter';
import type { CpuReading } from './cpu-meter';
import type { ProfileWindow } from './cpu-profile';
import { commandCalls, commandDelta } from './redis-tools';

/** What a pipeline run needs: restore requests to register and the signed events for them. */
export interface PipelinePools {
  readonly registrations: readonly LoadRequest[];
  /** Two per request: every ObjectRestore:Post, then every ObjectRestore:Completed. */
  readonly events: readonly LoadRequest[];
}

/** The first `requests` requests of a pool, with their events. */
export function firstOf(pools: PipelinePools, requests: number): PipelinePools {
  const all = pools.registrations.length;
  const kept = Math.min(requests, all);
  return {
    registrations: pools.registrations.slice(0, kept),
    events: [...pools.events.slice(0, kept), ...pools.events.slice(all, all + kept)],
  };
}

/** POST /v1/restores bodies: one object each, recording interest only (initiate: false). */
export function registrationRequests(
  objects: readonly ObjectRef[],
  remindBeforeExpiry: boolean,
): LoadRequest[] {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${API_TOKEN}` };
  return objects.map((object, index) => ({
    headers,
    body: JSON.stringify({
      bucket: object.bucket,
      key: object.key,
      initiate: false,
      tier: 'Bulk',
      remindBeforeExpiry,
      recipient: {
        email: `customer-${index}@example.com`,
        name: `Customer ${index}`,
        locale: 'en',
        timeZone: 'Europe/Berlin',
      },
    }),
  }));
}

export interface PipelineRun {
  readonly events: number;
  readonly emails: number;
  readonly registration: LoadResult;
  /** Events /sns accepted per second while they were being posted. */
  readonly postedPerSecond: number;
  /** From the first event posted to the last email sent, seconds. */
  readonly seconds: number;
  readonly emailsPerSecond: number;
  /** Events fully processed (correlated and notified) per second, end to end. */
  readonly eventsPerSecond: number;
  /** `INFO commandstats` growth during the run (commands run inside Lua scripts included). */
  readonly commands: Map<string, number>;
  /** What the counting processes themselves sent to Redis during the run. */
  readonly client: { commands: number; roundTrips: number } | undefined;
  readonly rssAtRest: number | undefined;
  readonly rssPeak: number | undefined;
  /** The measured stretch, for --profile summaries. */
  readonly window: ProfileWindow;
  /** CPU seconds per event of all thaw processes, and of Redis; share of the machine's cores busy. */
  readonly cpu: { thawPerEvent?: number; redisPerEvent?: number; machineBusy?: number };
}

/**
 * Registers the requests, then posts every event (signed SNS, 50 connections) and waits until
 * every email has gone: 2 per request. The clock runs from the first event posted to the last
 * email sent; registration happens before it. With `warmUpRequests`, the events of that many
 * requests go through first, off the clock: a deployment is measured warm (JIT-compiled code,
 * connections, caches), as a long-running process is, and each process of a scaled deployment
 * pays its warm-up outside the comparison.
 */
export async function runPipeline(
  context: BenchContext,
  deployment: Deployment,
  pools: PipelinePools,
  options: { readonly afterRegistration?: () => void; readonly warmUpRequests?: number } = {},
): Promise<PipelineRun> {
  const { sizes, redis } = context;
  const registration = await runLoad({
    url: `${deployment.apiUrl}/v1/restores`,
    requests: pools.registrations,
    connections: 32,
    run: { once: true },
  });
  if (registration.ok !== pools.registrations.length) {
    throw new Error(
      `${deployment.description}: ${registration.ok} of ${pools.registrations.length} registrations succeeded ` +
        `(status codes ${JSON.stringify(registration.statusCodes)})`,
    );
  }
  await sleep(200);
  options.afterRegistration?.();
  const rssAtRest = sumRss(deployment);
  const all = pools.registrations.length;
  const warm = Math.min(options.warmUpRequests ?? 0, all - 1);
  const [warmUpEvents, measuredEvents] = splitEvents(pools.events, all, warm);
  if (warm > 0) await warmUp(context, deployment, warmUpEvents);
  const sentBefore = deployment.emails().sent;
  const expected = measuredEvents.length;
  const commandsBefore = await commandCalls(redis);
  const clientBefore = await deployment.redisCounters();
  const sampler = sampleRss(deployment.processes);
  const thawPids = deployment.processes.map((child) => child.pid);
  const meter = startCpuMeter([...thawPids, context.redisPid ?? -1]);

  const startedAt = Date.now();
  const from = process.hrtime.bigint();
  // Two waves: every Post is accepted (queued) before the first Completed is sent. With 50
  // connections, one wave could otherwise deliver an object's Completed before its Post, and
  // thaw then rightly skips the `initiated` email (the restore is already done).
  const half = measuredEvents.length / 2;
  const waves: LoadResult[] = [];
  for (const wave of [measuredEvents.slice(0, half), measuredEvents.slice(half)]) {
    waves.push(await postEvents(context, deployment, wave, 'events'));
  }
  const postingSeconds = waves.reduce((sum, wave) => sum + wave.seconds, 0);
  await untilSent(deployment, sentBefore + expected, startedAt + sizes.pipelineTimeoutMs);
  const { lastSentAt } = deployment.emails();
  const to = process.hrtime.bigint();
  const cpu = meter.stop();
  const commandsAfter = await commandCalls(redis);
  const clientAfter = await deployment.redisCounters();
  const { peak } = sampler.stop();
  // thaw sends at most one email per request and kind: anything beyond the expected count is a bug.
  await sleep(300);
  const sent = deployment.emails().sent - sentBefore;
  if (sent !== expected)
    throw new Error(`${deployment.description}: ${sent} emails sent, expected ${expected}`);

  const seconds = Math.max((lastSentAt - startedAt) / 1000, 1e-3);
  return {
    events: expected,
    emails: sent,
    registration,
    postedPerSecond: expected / postingSeconds,
    seconds,
    emailsPerSecond: sent / seconds,
    eventsPerSecond: expected / seconds,
    commands: commandDelta(commandsBefore, commandsAfter),
    client:
      clientBefore && clientAfter
        ? {
            commands: clientAfter.commands - clientBefore.commands,
            roundTrips: clientAfter.roundTrips - clientBefore.roundTrips,
          }
        : undefined,
    rssAtRest,
    rssPeak: peak,
    window: { from, to },
    cpu: perEvent(cpu, thawPids.length, expected),
  };
}

/** The events of the first `warm` requests (Posts, then Completeds), and those of the rest. */
function splitEvents(
  events: readonly LoadRequest[],
  requests: number,
  warm: number,
): [LoadRequest[], LoadRequest[]] {
  const posts = events.slice(0, requests);
  const completions = events.slice(requests);
  return [
    [...posts.slice(0, warm), ...completions.slice(0, warm)],
    [...posts.slice(warm), ...completions.slice(warm)],
  ];
}

/** Posts signed events to `/sns` (50 connections); every one must be accepted. */
async function postEvents(
  context: BenchContext,
  deployment: Deployment,
  wave: readonly LoadRequest[],
  what: string,
): Promise<LoadResult> {
  const posted = await runLoad({
    url: `${deployment.apiUrl}/sns`,
    requests: wave,
    connections: context.sizes.connections,
    run: { once: true },
  });
  if (posted.ok !== wave.length) {
    throw new Error(
      `${deployment.description}: ${posted.ok} of ${wave.length} ${what} were accepted ` +
        `(status codes ${JSON.stringify(posted.statusCodes)})`,
    );
  }
  return posted;
}

/**
 * Posts the warm-up events and waits for their emails: the Posts' first, then the Completeds'.
 * So few jobs would otherwise let a worker correlate an object's Completed before its Post, and
 * thaw then rightly skips the `initiated` email that the count waits for.
 */
async function warmUp(context: BenchContext, deployment: Deployment, events: LoadRequest[]): Promise<void> {
  const half = events.length / 2;
  const waves: [LoadRequest[], number][] = [
    [events.slice(0, half), half],
    [events.slice(half), events.length],
  ];
  for (const [wave, emails] of waves) {
    await postEvents(context, deployment, wave, 'warm-up events');
    await untilSent(deployment, emails, Date.now() + context.sizes.pipelineTimeoutMs);
  }
  await sleep(200);
}

/** Waits until the deployment has sent `total` emails since it started, or fails at `deadline`. */
async function untilSent(deployment: Deployment, total: number, deadline: number): Promise<void> {
  while (deployment.emails().sent < total) {
    if (Date.now() > deadline) {
      throw new Error(
        `${deployment.description}: only ${deployment.emails().sent} of ${total} emails were sent in time`,
      );
    }
    await sleep(5);
  }
}

function sumRss(deployment: Deployment): number | undefined {
  const values = deployment.processes.map((child) => child.rssBytes());
  return values.some((value) => value === undefined)
    ? undefined
    : values.reduce<number>((sum, value) => sum + (value ?? 0), 0);
}

function perEvent(cpu: CpuReading, thawProcesses: number, events: number): PipelineRun['cpu'] {
  const thaw = totalSeconds(cpu.seconds.slice(0, thawProcesses));
  const redis = cpu.seconds[thawProcesses];
  return {
    ...(thaw === undefined ? {} : { thawPerEvent: thaw / events }),
    ...(redis === undefined ? {} : { redisPerEvent: redis / events }),
    ...(cpu.machineBusy === undefined ? {} : { machineBusy: cpu.machineBusy }),
  };
}
