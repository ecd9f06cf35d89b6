import { freshPrefix, profilePath } from '../lib/context';
import type { BenchContext } from '../lib/context';
import { summariseProfile } from '../lib/cpu-profile';
import { servingWithCountingMailer, servingWithSesEmulator } from '../lib/deployments';
import type { Deployment } from '../lib/deployments';
import { runBullmqCeiling } from '../lib/bullmq-ceiling';
import { runPipeline } from '../lib/pipeline-run';
import type { PipelinePools, PipelineRun } from '../lib/pipeline-run';
import { count, cpuTime, goal, percent, perSecond, ratio, seconds } from '../lib/report';

export interface PipelineOutcome {
  /** Run (a): one serve process with the counting mailer (its RSS goes into the footprint). */
  readonly counting: PipelineRun;
}

/**
 * Figure 2: N restore requests registered, then 2·N signed events (Post and Completed per
 * object) posted to one `serve` process, timed until all 2·N emails are sent: (a) to a counting
 * Mailer in the thaw process (SES excluded), (b) through the SES v2 client to aws-ses-v2-local.
 * Baseline: the same number of no-op jobs through two BullMQ queues with thaw's concurrencies.
 */
export async function pipelineFigure(context: BenchContext, pools: PipelinePools): Promise<PipelineOutcome> {
  const { report } = context;
  const requests = pools.registrations.length;

  const counting = await measurePipeline(context, 'pipeline-counting', pools, (prefix, label) =>
    servingWithCountingMailer(context, prefix, label),
  );
  const ses = await measurePipeline(context, 'pipeline-ses', pools, (prefix, label) =>
    servingWithSesEmulator(context, prefix, label),
  );
  context.progress('pipeline: BullMQ two-queue baseline');
  const ceilingPrefix = await freshPrefix(context, 'pipeline-bullmq');
  const ceiling = await runBullmqCeiling(context, ceilingPrefix.prefix, pools.events.length).finally(
    ceilingPrefix.release,
  );

  const perJob = (cpuSeconds: number | undefined) =>
    cpuSeconds === undefined ? undefined : cpuSeconds / pools.events.length;
  const describe = (run: PipelineRun) =>
    `${count(run.events)} events → ${count(run.emails)} emails in ${seconds(run.seconds)}; ` +
    `/sns accepted ${perSecond(run.postedPerSecond)}; ${cpuDetail(run)}`;
  report.row(
    'pipeline',
    '(a) 1 serve process, counting mailer',
    perSecond(counting.emailsPerSecond, ' emails/s'),
    describe(counting),
  );
  report.row(
    'pipeline',
    '(b) 1 serve process → aws-ses-v2-local',
    perSecond(ses.emailsPerSecond, ' emails/s'),
    describe(ses),
  );
  report.row(
    'pipeline',
    'BullMQ ceiling: queue A → queue B, no-op jobs',
    perSecond(ceiling.jobsPerSecond, ' jobs/s'),
    `${count(pools.events.length)} jobs in ${seconds(ceiling.seconds)}, thaw's concurrencies, job options and ` +
      `limiter; CPU per job: workers ${cpuTime(perJob(ceiling.cpu.seconds[0]))}, ` +
      `Redis ${cpuTime(perJob(ceiling.cpu.seconds[1]))}; machine ${percent(ceiling.cpu.machineBusy)} busy`,
  );
  report.row(
    'pipeline',
    'registration (POST /v1/restores, before the clock)',
    perSecond(counting.registration.okPerSecond),
    `${count(requests)} requests, 32 connections, p99 ${counting.registration.p99Ms.toFixed(1)} ms`,
  );
  const toCeiling = counting.emailsPerSecond / ceiling.jobsPerSecond;
  report.row('pipeline', 'pipeline/bullmq-ceiling', ratio(toCeiling), goal('≥ 0.5×', toCeiling >= 0.5));
  const countingCpu = counting.cpu.thawPerEvent;
  const sesCpu = ses.cpu.thawPerEvent;
  const sesOverCounting = countingCpu && sesCpu ? sesCpu / countingCpu : undefined;
  const cpuGoals =
    countingCpu === undefined || sesOverCounting === undefined
      ? 'CPU not measured'
      : `thaw CPU per event ${cpuTime(countingCpu)} (${goal('≤ 2 ms', countingCpu <= 0.002)}), through ` +
        `the SES client ${cpuTime(sesCpu)}: ${ratio(sesOverCounting)} (${goal('≤ 1.5×', sesOverCounting <= 1.5)})`;
  report.row(
    'pipeline',
    'SES client: CPU per event (b) / (a)',
    sesOverCounting ? ratio(sesOverCounting) : '–',
    cpuGoals,
  );
  report.summary(
    `pipeline/bullmq-ceiling ${ratio(toCeiling)}: thaw ${perSecond(counting.emailsPerSecond, ' emails/s')} ` +
      `(${perSecond(ses.emailsPerSecond, ' emails/s')} through the SES emulator) vs BullMQ ` +
      `${perSecond(ceiling.jobsPerSecond, ' jobs/s')} (${goal('≥ 0.5×', toCeiling >= 0.5)}); ${cpuGoals}`,
  );
  return { counting };
}

/** One measured pipeline run on a fresh prefix; the deployment is always stopped afterwards. */
export async function measurePipeline(
  context: BenchContext,
  label: string,
  pools: PipelinePools,
  deploy: (prefix: string, label: string) => Promise<Deployment>,
  /** Called once the requests are registered, before the warm-up (the tracing figure counts from there). */
  afterRegistration?: () => void,
): Promise<PipelineRun> {
  const { prefix, release } = await freshPrefix(context, label);
  context.progress(`${label}: starting`);
  const deployment = await deploy(prefix, label);
  let run: PipelineRun;
  try {
    context.progress(`${label}: ${deployment.description}`);
    // A tenth of the requests warm the deployment up first, off the clock (see runPipeline).
    run = await runPipeline(context, deployment, pools, {
      warmUpRequests: Math.round(pools.registrations.length / 10),
      ...(afterRegistration ? { afterRegistration } : {}),
    });
  } finally {
    await deployment.stop();
    await release();
  }
  if (context.profile) {
    for (const [file, title] of profileTitles(label)) {
      context.profiles.push(summariseProfile(profilePath(context, file), title, [run.window]));
    }
  }
  return run;
}

/** Which of a run's thaw processes are summarised under --profile (all of them write a profile). */
function profileTitles(label: string): [string, string][] {
  if (label === 'pipeline-counting') return [[label, 'thaw serve process (HTTP + workers) in the pipeline']];
  if (label === 'scale-1')
    return [[`${label}-worker-1`, 'thaw worker process (correlation + notifications)']];
  return [];
}

/** `CPU per event: thaw 2.10 ms, Redis 310 µs; machine 97% busy`. */
export function cpuDetail(run: PipelineRun): string {
  return (
    `CPU per event: thaw ${cpuTime(run.cpu.thawPerEvent)}, Redis ${cpuTime(run.cpu.redisPerEvent)}; ` +
    `machine ${percent(run.cpu.machineBusy)} busy`
  );
}
