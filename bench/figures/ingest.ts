import { join } from 'node:path';
import { CHILDREN, freePort, sampleRss, sleep, startChild, startTogether } from '../lib/children';
import type { BenchChild } from '../lib/children';
import { cpuProfileFlags, freshPrefix, profilePath, startThaw } from '../lib/context';
import type { BenchContext, ThawProcess } from '../lib/context';
import { summariseProfile } from '../lib/cpu-profile';
import type { ProfileWindow } from '../lib/cpu-profile';
import { runLoad } from '../lib/http-load';
import type { LoadResult } from '../lib/http-load';
import { startCpuMeter, totalSeconds } from '../lib/cpu-meter';
import type { CpuReading } from '../lib/cpu-meter';
import { count, cpuTime, goal, megabytes, milliseconds, percent, perSecond, ratio } from '../lib/report';
import type { SignedMessage } from '../lib/sns-pool';
import { median } from '../lib/median';

export interface IngestPools {
  /** Sent to each target before measuring: JIT warm-up and, for thaw, its one certificate download. */
  readonly warmup: readonly SignedMessage[];
  /** Unique messages for thaw's measured rounds (shared out between them); the ceilings cycle them. */
  readonly measured: readonly SignedMessage[];
}

export interface IngestOutcome {
  readonly rssAtRest: number | undefined;
  readonly rssPeak: number | undefined;
}

interface Target {
  readonly name: string;
  readonly child: BenchChild;
  readonly url: string;
  readonly rounds: LoadResult[];
  /** CPU seconds of the target and of Redis, and the machine's busy share, per round. */
  readonly cpu: CpuReading[];
}

/**
 * Figure 1: signed SNS notifications posted to `/sns` of ONE thaw `api` process, against three
 * ceilings measured the same way in the same run: a bare fastify route that parses the body
 * (the HTTP ceiling), that route plus one BullMQ `queue.add` (the queue ceiling), and that plus
 * the signature check every SNS endpoint must make, key cached (the verify ceiling: the honest
 * bound, since verification is irreducible).
 *
 * Every target is a child process (`node dist/main.js api` for thaw; bench/children/
 * ceiling-server.js for the ceilings), so the load generator (autocannon, in this process)
 * competes with it for the CPU as an outside client would, instead of sharing its event loop.
 * All three run side by side (idle while not loaded); each is warmed up, then they are loaded in
 * turn, round after round, so a burst of background load on the machine hits all of them alike.
 * Reported: the median round of each, and the median of the per-round ratios.
 */
export async function ingestFigure(context: BenchContext, pools: IngestPools): Promise<IngestOutcome> {
  const { sizes, report } = context;
  const httpPrefix = await freshPrefix(context, 'ingest-http-ceiling');
  const queuePrefix = await freshPrefix(context, 'ingest-queue-ceiling');
  const verifyPrefix = await freshPrefix(context, 'ingest-verify-ceiling');
  const thawPrefix = await freshPrefix(context, 'ingest-thaw');
  const started: BenchChild[] = [];
  try {
    context.progress('ingest: starting the three ceilings and thaw (api role)');
    const label = 'ingest-thaw-api';
    const hitsBefore = context.world.server.hits();
    const [httpCeiling, queueCeiling, verifyCeiling, thawProcess] = await startTogether<
      [Target, Target, Target, ThawProcess]
    >([
      startCeiling(context, 'http', httpPrefix.prefix),
      startCeiling(context, 'queue', queuePrefix.prefix),
      startCeiling(context, 'verify', verifyPrefix.prefix),
      startThaw(context, { role: 'api', prefix: thawPrefix.prefix, program: 'main', label }),
    ]);
    started.push(httpCeiling.child, queueCeiling.child, verifyCeiling.child, thawProcess.child);
    const thaw: Target = {
      name: 'thaw',
      child: thawProcess.child,
      url: `${thawProcess.url}/sns`,
      rounds: [],
      cpu: [],
    };
    await sleep(300);
    const rssAtRest = thaw.child.rssBytes();

    const targets = [httpCeiling, queueCeiling, verifyCeiling, thaw];
    for (const target of targets) {
      context.progress(`ingest: warming up ${target.name}`);
      check(
        target.name,
        await runLoad({
          url: target.url,
          requests: pools.warmup,
          connections: sizes.connections,
          run: { once: true },
        }),
      );
    }
    const downloads = context.world.server.hits() - hitsBefore;
    // Once by thaw, once by the verify ceiling (it cannot answer 200 without it).
    if (downloads !== 2)
      throw new Error(
        `thaw and the verify ceiling downloaded the signing certificate ${downloads} times, not once each`,
      );

    const share = Math.floor(pools.measured.length / sizes.ingestRounds);
    const windows = new Map<Target, ProfileWindow[]>();
    const thawRss: number[] = [];
    for (let round = 0; round < sizes.ingestRounds; round += 1) {
      for (const target of targets) {
        context.progress(`ingest: ${target.name}, round ${round + 1}/${sizes.ingestRounds}`);
        const isThaw = target === thaw;
        const sampler = sampleRss([target.child]);
        const meter = startCpuMeter([target.child.pid, context.redisPid ?? -1]);
        const from = process.hrtime.bigint();
        const load = await runLoad({
          url: target.url,
          // thaw gets its own share of unique messages each round: a repeat would be deduplicated.
          requests: isThaw ? pools.measured.slice(round * share, (round + 1) * share) : pools.measured,
          connections: sizes.connections,
          run: { seconds: sizes.ingestSeconds, unique: isThaw },
        });
        windows.set(target, [...(windows.get(target) ?? []), { from, to: process.hrtime.bigint() }]);
        target.cpu.push(meter.stop());
        const { peak } = sampler.stop();
        if (isThaw && peak !== undefined) thawRss.push(peak);
        check(target.name, load);
        target.rounds.push(load);
      }
    }

    const rate = (target: Target) => median(target.rounds.map((round) => round.okPerSecond));
    const describe = (target: Target) => {
      const failed = target.rounds.reduce((sum, round) => sum + round.non2xx + round.errors, 0);
      const exhausted = target.rounds.filter((round) => round.exhausted).length;
      const answered = target.rounds.reduce((sum, round) => sum + round.ok, 0);
      const cpu = (index: number) => totalSeconds(target.cpu.map((reading) => reading.seconds[index]));
      return (
        `p50 ${milliseconds(median(target.rounds.map((round) => round.p50Ms)))}, ` +
        `p99 ${milliseconds(median(target.rounds.map((round) => round.p99Ms)))}; ` +
        `CPU per request ${cpuTime(divide(cpu(0), answered))}, Redis ${cpuTime(divide(cpu(1), answered))}; ` +
        `${count(answered)} answered 2xx` +
        (failed > 0 ? `, ${count(failed)} failed` : '') +
        (exhausted > 0 ? `, ${exhausted} round(s) ended early: unique messages used up` : '')
      );
    };
    const perRound = (baseline: Target) =>
      median(
        thaw.rounds.map(
          (round, index) => round.okPerSecond / (baseline.rounds[index]?.okPerSecond ?? Infinity),
        ),
      );
    const toQueue = perRound(queueCeiling);
    const toHttp = perRound(httpCeiling);
    const toVerify = perRound(verifyCeiling);
    const verifyP99 = median(verifyCeiling.rounds.map((round) => round.p99Ms));
    const thawP99 = median(thaw.rounds.map((round) => round.p99Ms));
    const rssPeak = thawRss.length > 0 ? Math.max(...thawRss) : undefined;

    report.row('ingest', 'thaw POST /sns (1 api process)', perSecond(rate(thaw)), describe(thaw));
    report.row(
      'ingest',
      'HTTP ceiling: fastify + JSON.parse',
      perSecond(rate(httpCeiling)),
      describe(httpCeiling),
    );
    report.row(
      'ingest',
      'queue ceiling: + BullMQ queue.add',
      perSecond(rate(queueCeiling)),
      describe(queueCeiling),
    );
    report.row(
      'ingest',
      'verify ceiling: + SNS signature check (cached key)',
      perSecond(rate(verifyCeiling)),
      describe(verifyCeiling),
    );
    report.row(
      'ingest',
      'thaw api RSS at rest / under ingest load',
      `${megabytes(rssAtRest)} / ${megabytes(rssPeak)}`,
      'VmRSS before the first request / peak while measured',
    );
    report.row('ingest', 'ingest/queue-ceiling', ratio(toQueue), goal('≥ 0.75×', toQueue >= 0.75));
    const p99Within = thawP99 <= 1.5 * verifyP99;
    report.row(
      'ingest',
      'ingest/verify-ceiling',
      ratio(toVerify),
      `${goal('≥ 0.8×', toVerify >= 0.8)}; p99 thaw ${milliseconds(thawP99)} vs ${milliseconds(verifyP99)} ` +
        `(${goal('≤ 1.5×', p99Within)})`,
    );
    const busy = targets.flatMap((target) =>
      target.cpu.flatMap((reading) => (reading.machineBusy === undefined ? [] : [reading.machineBusy])),
    );
    report.row(
      'ingest',
      'ingest/http-ceiling',
      ratio(toHttp),
      `median of ${sizes.ingestRounds} rounds × ${sizes.ingestSeconds} s per target, ${sizes.connections} ` +
        `connections; machine ${percent(busy.length > 0 ? median(busy) : undefined)} busy while loaded`,
    );
    const fastEnough = rate(thaw) >= 8000 && thawP99 < 20;
    report.summary(
      `ingest/queue-ceiling ${ratio(toQueue)}, ingest/http-ceiling ${ratio(toHttp)}: thaw ${perSecond(rate(thaw))} ` +
        `p99 ${milliseconds(thawP99)} vs queue ceiling ${perSecond(rate(queueCeiling))}, ` +
        `HTTP ceiling ${perSecond(rate(httpCeiling))} (${goal('≥ 0.75× queue ceiling', toQueue >= 0.75)}; ` +
        `${goal('≥ 8,000/s with p99 < 20 ms', fastEnough)})`,
    );
    report.summary(
      `ingest/verify-ceiling ${ratio(toVerify)}: thaw ${perSecond(rate(thaw))} p99 ${milliseconds(thawP99)} vs ` +
        `verify ceiling ${perSecond(rate(verifyCeiling))} p99 ${milliseconds(verifyP99)} ` +
        `(${goal('≥ 0.8×', toVerify >= 0.8)}; ${goal('p99 ≤ 1.5×', p99Within)})`,
    );

    await Promise.all(started.map((child) => child.stop()));
    if (context.profile) {
      context.profiles.push(
        summariseProfile(
          profilePath(context, label),
          'thaw api process under ingest load',
          windows.get(thaw),
        ),
        summariseProfile(
          profilePath(context, 'ingest-queue-ceiling'),
          'queue ceiling process (fastify + JSON.parse + queue.add) under the same load, for comparison',
          windows.get(queueCeiling),
          6,
        ),
      );
    }
    return { rssAtRest, rssPeak };
  } finally {
    await Promise.all(started.map((child) => child.stop()));
    await Promise.all([
      httpPrefix.release(),
      queuePrefix.release(),
      verifyPrefix.release(),
      thawPrefix.release(),
    ]);
  }
}

async function startCeiling(
  context: BenchContext,
  mode: 'http' | 'queue' | 'verify',
  prefix: string,
): Promise<Target> {
  const port = await freePort();
  const child = await startChild(
    {
      name: `${mode} ceiling`,
      script: join(CHILDREN, 'ceiling-server.js'),
      args: [mode],
      env: {
        PATH: process.env.PATH ?? '',
        PORT: String(port),
        REDIS_URL: context.redisUrl,
        THAW_PREFIX: prefix,
      },
      nodeArgs: context.profile ? cpuProfileFlags(context, `ingest-${mode}-ceiling`) : [],
      ready: { ipc: true },
      logFile: join(context.workDir, `ingest-${mode}-ceiling.log`),
    },
    context.resources,
  );
  return { name: `${mode} ceiling`, child, url: `http://127.0.0.1:${port}/sns`, rounds: [], cpu: [] };
}

/** More than 1% failed answers means the target is broken, not slow. */
function check(name: string, load: LoadResult): void {
  const failed = load.non2xx + load.errors;
  if (failed > Math.max(1, load.sent * 0.01)) {
    throw new Error(
      `${name}: ${failed} of ${load.sent} requests failed (status codes ${JSON.stringify(load.statusCodes)})`,
    );
  }
}

function divide(value: number | undefined, by: number): number | undefined {
  return value === undefined || by === 0 ? undefined : value / by;
}
