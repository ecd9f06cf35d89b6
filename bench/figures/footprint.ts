import { sampleRss, sleep } from '../lib/children';
import { freshPrefix, startThaw } from '../lib/context';
import type { BenchContext } from '../lib/context';
import { servingWithCountingMailer } from '../lib/deployments';
import { runLoad } from '../lib/http-load';
import type { LoadRequest } from '../lib/http-load';
import { firstOf, runPipeline } from '../lib/pipeline-run';
import type { PipelinePools } from '../lib/pipeline-run';
import { perUnit, takeCensus, total } from '../lib/redis-census';
import { prefixMemory, usedMemory } from '../lib/redis-tools';
import type { PrefixMemory } from '../lib/redis-tools';
import { count, goal, kilobytes, megabytes, perSecond } from '../lib/report';
import type { IngestOutcome } from './ingest';
import type { PipelineOutcome } from './pipeline';

/** Requests in the untimed census run (MONITOR slows Redis; a few hundred events say enough). */
const CENSUS_REQUESTS = 150;

/**
 * Figure 4: what thaw costs to keep running.
 * - Redis memory per stored restore request: requests registered through the API of one `api`
 *   process; every key under the run's prefix measured with MEMORY USAGE (exact), INFO
 *   used_memory before and after as a cross-check.
 * - Redis traffic per event and per registration, from an untimed run under MONITOR filtered
 *   to the run's prefix (commands clients sent vs. commands Lua scripts ran), and round trips as
 *   counted inside thaw's process.
 * - thaw's RSS at rest and under load (this figure's, and those of the ingest and pipeline runs).
 */
export async function footprintFigure(
  context: BenchContext,
  registrations: readonly LoadRequest[],
  pipelinePools: PipelinePools,
  earlier: { ingest?: IngestOutcome; pipeline?: PipelineOutcome },
): Promise<void> {
  const perRequest = await storedRequests(context, registrations);
  const traffic = await census(context, firstOf(pipelinePools, CENSUS_REQUESTS));
  const { report } = context;
  if (earlier.pipeline) {
    report.row(
      'footprint',
      'thaw serve RSS at rest / under pipeline load',
      `${megabytes(earlier.pipeline.counting.rssAtRest)} / ${megabytes(earlier.pipeline.counting.rssPeak)}`,
      'pipeline run (a), counting mailer',
    );
  }
  if (earlier.ingest) {
    report.row(
      'footprint',
      'thaw api RSS at rest / under ingest load',
      `${megabytes(earlier.ingest.rssAtRest)} / ${megabytes(earlier.ingest.rssPeak)}`,
      'from the ingest figure',
    );
  }
  report.summary(
    `footprint: ${kilobytes(perRequest.bytes)} Redis per restore request (${goal('≤ 1.5 KB', perRequest.bytes <= 1536)}); ` +
      `${traffic.roundTrips.toFixed(1)} Redis round trips (${goal('≤ 6', traffic.roundTrips <= 6)}) and ` +
      `${traffic.commands.toFixed(1)} commands per event (${goal('≤ 60', traffic.commands <= 60)}); ` +
      `after 2 events and 2 emails ${kilobytes(traffic.thawBytesPerRequest)} of thaw's Redis per request ` +
      `(${goal('≤ 2 KB', traffic.thawBytesPerRequest <= 2048)}), BullMQ's ${kilobytes(traffic.bullmqBytesPerEvent)} ` +
      `per event (${goal('≤ 2 KB', traffic.bullmqBytesPerEvent <= 2048)}); ` +
      `thaw api RSS ${megabytes(earlier.ingest?.rssAtRest ?? perRequest.rssAtRest)} at rest, ` +
      `${megabytes(earlier.ingest?.rssPeak ?? perRequest.rssPeak)} under load`,
  );
}

async function storedRequests(
  context: BenchContext,
  registrations: readonly LoadRequest[],
): Promise<{ bytes: number; rssAtRest: number | undefined; rssPeak: number | undefined }> {
  const { report, redis } = context;
  const requests = registrations.length;
  const { prefix, release } = await freshPrefix(context, 'footprint');
  context.progress(`footprint: registering ${count(requests)} restore requests`);
  const thaw = await startThaw(context, { role: 'api', prefix, program: 'main', label: 'footprint-api' });
  try {
    await sleep(300);
    const rssAtRest = thaw.child.rssBytes();
    const usedBefore = await usedMemory(redis);
    const keysBefore = await prefixMemory(redis, prefix);
    const sampler = sampleRss([thaw.child]);
    const load = await runLoad({
      url: `${thaw.url}/v1/restores`,
      requests: registrations,
      connections: 32,
      run: { once: true },
    });
    const { peak } = sampler.stop();
    if (load.ok !== requests) throw new Error(`${load.ok} of ${requests} registrations succeeded`);
    const usedAfter = await usedMemory(redis);
    const keysAfter = await prefixMemory(redis, prefix);
    const bytes = (keysAfter.bytes - keysBefore.bytes) / requests;
    report.row(
      'footprint',
      'Redis per registered restore request',
      kilobytes(bytes),
      `MEMORY USAGE of every key / ${count(requests)} requests: ${families(keysAfter, requests)}; ` +
        goal('≤ 1.5 KB', bytes <= 1536),
    );
    report.row(
      'footprint',
      'INFO used_memory growth per request',
      kilobytes((usedAfter - usedBefore) / requests),
      'allocator view, cross-check (other users of this Redis add noise)',
    );
    report.row(
      'footprint',
      'registration rate (POST /v1/restores)',
      perSecond(load.okPerSecond),
      `1 api process, 32 connections, p99 ${load.p99Ms.toFixed(1)} ms; RSS ${megabytes(rssAtRest)} → ${megabytes(peak)}`,
    );
    return { bytes, rssAtRest, rssPeak: peak };
  } finally {
    await thaw.child.stop();
    await release();
  }
}

async function census(
  context: BenchContext,
  pools: PipelinePools,
): Promise<{
  roundTrips: number;
  commands: number;
  thawBytesPerRequest: number;
  bullmqBytesPerEvent: number;
}> {
  const { report } = context;
  const requests = pools.registrations.length;
  const { prefix, release } = await freshPrefix(context, 'footprint-census');
  context.progress(
    `footprint: Redis census of ${count(requests)} requests and ${count(pools.events.length)} events`,
  );
  const deployment = await servingWithCountingMailer(context, prefix, 'footprint-census');
  const taker = await takeCensus(context.redisUrl, prefix);
  try {
    let registering = taker.snapshot();
    const run = await runPipeline(context, deployment, pools, {
      afterRegistration: () => (registering = taker.snapshot()),
    });
    await sleep(200); // MONITOR lines trail the commands a little
    const events = taker.snapshot();
    const memory = await prefixMemory(context.redis, prefix);

    const perEvent = (total(events.sent) + total(events.inScripts)) / run.events;
    const roundTrips = (run.client?.roundTrips ?? 0) / run.events;
    report.row(
      'footprint',
      'Redis round trips per event',
      roundTrips.toFixed(1),
      `counted in thaw's process (a pipeline or MULTI counts once; BullMQ's blocking polls included); ` +
        `commands sent: ${perUnit(events.sent, run.events)}`,
    );
    report.row(
      'footprint',
      'Redis commands executed per event',
      perEvent.toFixed(1),
      `MONITOR, this run's keys only: ${(total(events.sent) / run.events).toFixed(1)} sent + ` +
        `${(total(events.inScripts) / run.events).toFixed(1)} run inside Lua (${perUnit(events.inScripts, run.events)}); ` +
        `INFO commandstats, all clients: ${(sum(run.commands) / run.events).toFixed(1)}`,
    );
    report.row(
      'footprint',
      'Redis commands per registration',
      ((total(registering.sent) + total(registering.inScripts)) / requests).toFixed(1),
      `${(total(registering.sent) / requests).toFixed(1)} sent (${perUnit(registering.sent, requests, 4)}) + ` +
        `${(total(registering.inScripts) / requests).toFixed(1)} inside Lua`,
    );
    report.row(
      'footprint',
      'Redis per request after its 2 events and 2 emails',
      kilobytes(thawBytes(memory) / requests),
      `thaw's keys: ${families(memory, requests, true)}`,
    );
    report.row(
      'footprint',
      "BullMQ's Redis per event after the run",
      kilobytes((memory.bytes - thawBytes(memory)) / run.events),
      `${bullmqFamilies(memory, run.events)}; at the default retention: finished event jobs deleted at ` +
        `once, the last 1,000 finished notification jobs kept (a day at most), deduplication keys ` +
        `for EVENT_DEDUPE_TTL_SECONDS, event streams capped at 100 entries per queue`,
    );
    return {
      roundTrips,
      commands: perEvent,
      thawBytesPerRequest: thawBytes(memory) / requests,
      bullmqBytesPerEvent: (memory.bytes - thawBytes(memory)) / run.events,
    };
  } finally {
    await taker.stop();
    await deployment.stop();
    await release();
  }
}

const THAW_FAMILY = /^(req|obj|early|idem|dl|page|due|remind|outbox|suppressed|layout)\b/;

function thawBytes(memory: PrefixMemory): number {
  return [...memory.families]
    .filter(([family]) => THAW_FAMILY.test(family))
    .reduce((sum, [, entry]) => sum + entry.bytes, 0);
}

/** `req:* 1.34 KB, obj:* 0.15 KB, …` per request, largest first (families under 0.01 KB left out). */
function families(memory: PrefixMemory, requests: number, thawOnly = false): string {
  return [...memory.families]
    .filter(([family, entry]) => (!thawOnly || THAW_FAMILY.test(family)) && entry.bytes / requests >= 10)
    .sort((a, b) => b[1].bytes - a[1].bytes)
    .map(([family, entry]) => `${family} ${kilobytes(entry.bytes / requests)}`)
    .join(', ');
}

/** BullMQ's key families per event, largest first: finished jobs, deduplication keys, streams. */
function bullmqFamilies(memory: PrefixMemory, events: number): string {
  return [...memory.families]
    .filter(([family, entry]) => !THAW_FAMILY.test(family) && entry.bytes / events >= 10)
    .sort((a, b) => b[1].bytes - a[1].bytes)
    .map(([family, entry]) => `${family} ${kilobytes(entry.bytes / events)}`)
    .join(', ');
}

function sum(counts: Map<string, number>): number {
  return [...counts.values()].reduce((total, value) => total + value, 0);
}
