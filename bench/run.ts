/**
 * `npm run bench` — thaw's speed, measured against baselines taken in the same run on the same
 * machine (see docs/PERFORMANCE.md). Starts everything itself: child processes of thaw and of the
 * baselines, a loopback SNS certificate server, an SES emulator; uses the local Redis under a
 * private prefix (`thawbench-<random>-…`) and deletes every key under it at the end, also after a
 * failure or Ctrl-C.
 *
 * Exit code: 0 whenever the figures were measured, whatever the numbers; 1 if a figure could not
 * be measured (something broke); 2 for a bad command line; 130 when interrupted.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { footprintFigure } from './figures/footprint';
import { ingestFigure } from './figures/ingest';
import type { IngestOutcome } from './figures/ingest';
import { peerFigure } from './figures/peer';
import { pipelineFigure } from './figures/pipeline';
import type { PipelineOutcome } from './figures/pipeline';
import { scaleFigure } from './figures/scale';
import type { BenchContext } from './lib/context';
import { describeMachine } from './lib/machine';
import { parseOptions, UsageError } from './lib/options';
import type { BenchOptions, FigureName } from './lib/options';
import { registrationRequests } from './lib/pipeline-run';
import { deleteMatching } from './lib/redis-tools';
import { createReport, markdownTable, textTable } from './lib/report';
import { createResources } from './lib/resources';
import {
  archivedObject,
  ingestSpecs,
  peerSpecs,
  pipelineSpecs,
  signMessages,
  startSnsWorld,
} from './lib/sns-pool';

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseOptions(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(error.message);
    return 2;
  }
  const began = performance.now();
  const loadAtStart = loadavg()[0] ?? 0;
  const progress = (message: string) =>
    process.stderr.write(`[${((performance.now() - began) / 1000).toFixed(1).padStart(5)} s] ${message}\n`);
  const resources = createResources((name, error) =>
    console.error(
      `bench: releasing ${name} failed: ${error instanceof Error ? error.message : String(error)}`,
    ),
  );
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(130);
    interrupted = true;
    progress(`${signal}: stopping every process and deleting the bench's Redis keys (again to force)`);
    void resources.releaseAll().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const runId = `thawbench-${randomBytes(3).toString('hex')}`;
  const workDir = mkdtempSync(join(tmpdir(), `${runId}-`));
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 1, connectionName: 'thaw-bench' });
  redis.on('error', () => undefined); // reported by the first command that fails
  resources.add('bench redis connection', () => redis.quit());
  resources.add(`redis keys ${runId}-*`, () => deleteMatching(redis, `${runId}-*`));

  const report = createReport();
  const failures: string[] = [];
  try {
    await redis.ping();
    const machine = await describeMachine(redis);
    progress(
      `${options.quick ? 'quick' : 'full'} run ${runId}: ${options.figures.join(', ')}; logs in ${workDir}`,
    );
    const world = await startSnsWorld(resources);
    const context: BenchContext = {
      sizes: options.sizes,
      quick: options.quick,
      profile: options.profile,
      redis,
      redisUrl: options.redisUrl,
      runId,
      world,
      resources,
      report,
      workDir,
      profiles: [],
      progress,
    };
    const wanted = (figure: FigureName) => options.figures.includes(figure);
    const { sizes } = options;

    // Every signed message is made up front, on all cores, so no signing competes with a measurement.
    const pipelineObjects = Array.from({ length: sizes.pipelineRequests }, (_, index) =>
      archivedObject('pipeline', index),
    );
    const groups = {
      peer: wanted('peer') ? peerSpecs(world, sizes.peerPool) : [],
      warmup: wanted('ingest') ? ingestSpecs(world, 'ingest-warmup', sizes.ingestWarmup) : [],
      measured: wanted('ingest') ? ingestSpecs(world, 'ingest', sizes.ingestPool) : [],
      events:
        wanted('pipeline') || wanted('scale') || wanted('footprint')
          ? pipelineSpecs(world, pipelineObjects)
          : [],
    };
    const total = Object.values(groups).reduce((sum, group) => sum + group.length, 0);
    progress(`signing ${total.toLocaleString('en-US')} SNS notifications (RSA-2048, SigV1 and SigV2)`);
    const signed = await signMessages(world, Object.values(groups).flat());
    const take = (() => {
      let offset = 0;
      return (length: number) => signed.slice(offset, (offset += length));
    })();
    const pools = {
      peer: take(groups.peer.length),
      warmup: take(groups.warmup.length),
      measured: take(groups.measured.length),
      events: take(groups.events.length),
    };
    const averageBytes =
      signed.reduce((sum, message) => sum + message.body.length, 0) / Math.max(signed.length, 1);
    progress(`signed; average body ${Math.round(averageBytes)} bytes`);
    const pipelinePools = {
      registrations: registrationRequests(pipelineObjects, false),
      events: pools.events,
    };

    let ingest: IngestOutcome | undefined;
    let pipeline: PipelineOutcome | undefined;
    const figure = async (name: FigureName, run: () => Promise<void>) => {
      if (!wanted(name) || interrupted) return;
      progress(`${name}: starting`);
      try {
        await run();
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        failures.push(`${name}: ${message}`);
        report.row(name, 'FAILED', '-', message.split('\n')[0] ?? '');
        progress(`${name}: FAILED: ${message}`);
      }
    };
    await figure('peer', () => peerFigure(context, pools.peer));
    await figure('ingest', async () => {
      ingest = await ingestFigure(context, { warmup: pools.warmup, measured: pools.measured });
    });
    await figure('pipeline', async () => {
      pipeline = await pipelineFigure(context, pipelinePools);
    });
    await figure('scale', () => scaleFigure(context, pipelinePools));
    await figure('footprint', () =>
      footprintFigure(
        context,
        registrationRequests(
          Array.from({ length: sizes.footprintRequests }, (_, index) => archivedObject('footprint', index)),
          true,
        ),
        pipelinePools,
        { ingest, pipeline },
      ),
    );

    const elapsed = (performance.now() - began) / 1000;
    console.log('');
    console.log(
      `thaw bench (${options.quick ? 'quick' : 'full'}), ${new Date().toISOString()}, ${elapsed.toFixed(0)} s`,
    );
    for (const line of machine) console.log(line);
    const cores = availableParallelism();
    const loadAtEnd = loadavg()[0] ?? 0;
    console.log(
      `1-minute load average ${loadAtStart.toFixed(1)} at start, ${loadAtEnd.toFixed(1)} at end (${cores} cores)` +
        (Math.max(loadAtStart, loadAtEnd) > cores
          ? ': other work was running on this machine; absolute numbers are low, same-run ratios hold up better'
          : ''),
    );
    console.log(
      `SNS bodies average ${Math.round(averageBytes)} bytes; thaw LOG_LEVEL=info to a file; ${options.profile ? 'PROFILED (--cpu-prof on every thaw process: slower than normal)' : 'no profiler'}`,
    );
    console.log('');
    console.log(textTable(report.rows));
    console.log('');
    for (const line of report.summaries) console.log(line);
    if (options.markdown) {
      console.log('');
      console.log(markdownTable(report.rows));
    }
    for (const profile of context.profiles) {
      console.log('');
      console.log(profile);
    }
  } catch (error) {
    failures.push(error instanceof Error ? (error.stack ?? error.message) : String(error));
  } finally {
    await resources.releaseAll();
  }
  if (failures.length > 0) {
    console.error(`\nbench: ${failures.length} figure(s) could not be measured; logs kept in ${workDir}`);
    for (const failure of failures) console.error(`- ${failure}`);
    return 1;
  }
  if (options.profile) console.log(`\nprofiles and logs kept in ${workDir}`);
  else rmSync(workDir, { recursive: true, force: true });
  return interrupted ? 130 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
