import type { BenchContext } from '../lib/context';
import { splitRoles } from '../lib/deployments';
import type { PipelinePools, PipelineRun } from '../lib/pipeline-run';
import { count, cpuTime, goal, perSecond, ratio, seconds } from '../lib/report';
import { cpuDetail, measurePipeline } from './pipeline';

/**
 * Figure 3: the pipeline with the roles split as in a scaled deployment: one `api` process
 * (`node dist/main.js api`) taking HTTP, and one, then two, `worker` processes (counting mailer)
 * on the same Redis and prefix. On a 2-core machine that also runs Redis and the load generator,
 * the second worker mostly shows how much of the work waits on Redis rather than on one core.
 */
export async function scaleFigure(context: BenchContext, pools: PipelinePools): Promise<void> {
  const one = await measurePipeline(context, 'scale-1', pools, (prefix, label) =>
    splitRoles(context, prefix, 1, label),
  );
  const two = await measurePipeline(context, 'scale-2', pools, (prefix, label) =>
    splitRoles(context, prefix, 2, label),
  );
  const describe = (run: PipelineRun) =>
    `${count(run.events)} events → ${count(run.emails)} emails in ${seconds(run.seconds)}; ` +
    `/sns accepted ${perSecond(run.postedPerSecond)}; ${cpuDetail(run)}`;
  context.report.row(
    'scale',
    '1 api + 1 worker process',
    perSecond(one.emailsPerSecond, ' emails/s'),
    describe(one),
  );
  context.report.row(
    'scale',
    '1 api + 2 worker processes',
    perSecond(two.emailsPerSecond, ' emails/s'),
    describe(two),
  );
  const gain = two.emailsPerSecond / one.emailsPerSecond;
  context.report.row(
    'scale',
    'scale/2-vs-1 workers',
    ratio(gain),
    'same machine: Redis, api, workers and load share its cores',
  );
  // Rates on two shared cores say little; CPU per event says whether the workers contend.
  const cpuOne = one.cpu.thawPerEvent;
  const cpuTwo = two.cpu.thawPerEvent;
  const growth = cpuOne && cpuTwo ? cpuTwo / cpuOne - 1 : undefined;
  const cpuGoal =
    growth === undefined
      ? 'CPU not measured'
      : `thaw CPU per event ${cpuTime(cpuOne)} with 1 worker process, ${cpuTime(cpuTwo)} with 2: ` +
        `${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(0)} % (${goal('within 10 %', Math.abs(growth) <= 0.1)})`;
  context.report.row(
    'scale',
    'CPU per event, 2 vs 1 worker process',
    growth === undefined ? '–' : `${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(0)} %`,
    cpuGoal,
  );
  context.report.summary(
    `scale/2-vs-1 ${ratio(gain)}: ${perSecond(one.emailsPerSecond, ' emails/s')} with 1 worker process, ` +
      `${perSecond(two.emailsPerSecond, ' emails/s')} with 2 (plus 1 api process each); ${cpuGoal}`,
  );
}
