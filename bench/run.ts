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
import { clusterFigure, replicasFigure } from './figures/cluster';
import { footprintFigure } from './figures/footprint';
import { ingestFigure } from './figures/ingest';
import type { IngestOutcome } from './figures/ingest';
import { peerFigure } from './figures/peer';
import { pipelineFigure } from './figures/pipeline';
import type { PipelineOutcome } from './figures/pipeline';
import { scaleFigure } from './figures/scale';
import { tracingFigure } from './figures/tracing';
import type { BenchContext } from './lib/context';
import { describeMachine } from './lib/machine';
import { parseOptions, UsageError } from './lib/options';
import type { BenchOptions, FigureName } from './lib/options';
import { preparePools } from './lib/pools';
import { localRedisPid } from './lib/cpu-meter';
import { deleteMatching, info } from './lib/redis-tools';
import { createReport, markdownTable, textTable } from './lib/report';
import { createResources } from './lib/resources';
import { startSnsWorld } from './lib/sns-pool';

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

  // Everything started from here on is registered, and released in reverse on any way out.
  const resources = createResources((name, error) =>
    console.error(
      `bench: releasing ${name} failed: ${error instanceof Error ? error.message : String(error)}`,
    ),
  );
  const runId = `thawbench-${randomBytes(3).toString('hex')}`;
  const workDir = mkdtempSync(join(tmpdir(), `${runId}-`));
  let keepWorkDir = options.profile;
  resources.add('log folder', () =>
    keepWorkDir ? undefined : rmSync(workDir, { recursive: true, force: true }),
  );
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 1, connectionName: 'thaw-bench' });
  redis.on('error', () => undefined); // reported by the first command that fails
  resources.add('bench redis connection', () => redis.quit());
  // Keys are `{<prefix>}:...` and `{<prefix>:<queue>}:...` (src/keys.ts): the run id is inside the tag.
  resources.add(`redis keys *${runId}-*`, () => deleteMatching(redis, `*${runId}-*`));

  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(130);
    interrupted = true;
    progress(`${signal}: stopping every process and deleting the bench's Redis keys (again to force)`);
    void resources.releaseAll().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const report = createReport();
  const failures: string[] = [];
  try {
    await redis.ping();
    const machine = await describeMachine(redis);
    const mode = options.quick ? 'quick' : 'full';
    progress(`${mode} run ${runId}: ${options.figures.join(', ')}; logs in ${workDir}`);
    const world = await startSnsWorld(resources);
    // The tracing figure replays the pipeline's runs: it needs the pipeline's pools.
    const pooled = options.figures.includes('tracing')
      ? [...options.figures, 'pipeline' as const]
      : options.figures;
    const pools = await preparePools(world, options.sizes, pooled, progress);
    const context: BenchContext = {
      sizes: options.sizes,
      profile: options.profile,
      redis,
      redisUrl: options.redisUrl,
      redisPid: localRedisPid((await info(redis, 'server')).process_id),
      runId,
      world,
      resources,
      report,
      workDir,
      profiles: [],
      progress,
    };

    // A figure that breaks is reported and the others still run.
    const figure = async (name: FigureName, run: () => Promise<void>) => {
      if (!options.figures.includes(name) || interrupted) return;
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
    let ingest: IngestOutcome | undefined;
    let pipeline: PipelineOutcome | undefined;
    await figure('peer', () => peerFigure(context, pools.peer));
    await figure('ingest', async () => {
      ingest = await ingestFigure(context, pools.ingest);
    });
    await figure('pipeline', async () => {
      pipeline = await pipelineFigure(context, pools.pipeline);
    });
    await figure('scale', () => scaleFigure(context, pools.pipeline));
    await figure('footprint', () =>
      footprintFigure(context, pools.footprintRegistrations, pools.pipeline, { ingest, pipeline }),
    );
    await figure('cluster', () => clusterFigure(context, pools.pipeline));
    await figure('replicas', () => replicasFigure(context, pools.ingest));
    await figure('tracing', () => tracingFigure(context, pools.pipeline));

    const cores = availableParallelism();
    const loadAtEnd = loadavg()[0] ?? 0;
    const busy = Math.max(loadAtStart, loadAtEnd) > cores;
    const lines = [
      '',
      `thaw bench (${mode}), ${new Date().toISOString()}, ${((performance.now() - began) / 1000).toFixed(0)} s`,
      ...machine,
      `1-minute load average ${loadAtStart.toFixed(1)} at start, ${loadAtEnd.toFixed(1)} at end (${cores} cores)` +
        (busy
          ? ': other work was running here; absolute numbers suffer, same-run ratios hold up better'
          : ''),
      `SNS bodies average ${Math.round(pools.averageBodyBytes)} bytes; thaw logs at info level to a file; ` +
        (options.profile
          ? 'PROFILED (every thaw process under --cpu-prof, slower than normal)'
          : 'no profiler'),
      '',
      textTable(report.rows),
      '',
      ...report.summaries,
      ...(options.markdown ? ['', markdownTable(report.rows)] : []),
      ...context.profiles.flatMap((profile) => ['', profile]),
    ];
    console.log(lines.join('\n'));
  } catch (error) {
    failures.push(error instanceof Error ? (error.stack ?? error.message) : String(error));
  } finally {
    keepWorkDir ||= failures.length > 0;
    await resources.releaseAll();
  }
  if (failures.length > 0) {
    console.error(`\nbench: ${failures.length} figure(s) could not be measured; logs kept in ${workDir}`);
    for (const failure of failures) console.error(`- ${failure}`);
    return 1;
  }
  if (options.profile) console.log(`\nprofiles and logs kept in ${workDir}`);
  return interrupted ? 130 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
