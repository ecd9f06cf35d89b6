import type { Redis } from 'ioredis';
import { queuePrefix, storePrefix } from '../../src/keys';
import {
  startPrimaryWithReplica,
  startRedisCluster,
  startRedisNode,
} from '../../test/helpers/redis-topologies';
import type { RedisNode } from '../../test/helpers/redis-topologies';
import { startTogether } from '../lib/children';
import type { BenchChild } from '../lib/children';
import { startThaw } from '../lib/context';
import type { BenchContext, ThawProcess } from '../lib/context';
import { localRedisPid, startCpuMeter } from '../lib/cpu-meter';
import { servingWithCountingMailer } from '../lib/deployments';
import { runLoad } from '../lib/http-load';
import type { LoadResult } from '../lib/http-load';
import { runPipeline } from '../lib/pipeline-run';
import type { PipelinePools, PipelineRun } from '../lib/pipeline-run';
import { count, cpuTime, milliseconds, percent, perSecond, ratio, seconds } from '../lib/report';
import type { IngestPools } from './ingest';
import { median } from '../lib/median';

/**
 * Both figures run on Redis processes the bench starts itself on loopback (redis-server with the
 * test topologies' settings: AOF everysec, noeviction), so they start empty and are killed, with
 * their files, at the end: nothing is left in any Redis. thaw runs under its default prefix,
 * `thaw`, as a fresh deployment would: the hash tags land on whatever slots that gives.
 */
const PREFIX = 'thaw';
const QUEUES = ['restore-events', 'notifications', 'maintenance'] as const;

/** thaw's hash tags under a prefix, as src/keys.ts makes them. */
function hashTags(prefix: string): string[] {
  return [storePrefix(prefix), ...QUEUES.map((queue) => queuePrefix(prefix, queue))];
}

/** used_cpu_sys + used_cpu_user of one node, seconds since it started. */
async function redisCpu(node: RedisNode): Promise<number> {
  const fields = await node.info('cpu');
  return Number(fields.get('used_cpu_sys') ?? 0) + Number(fields.get('used_cpu_user') ?? 0);
}

async function redisPid(node: RedisNode): Promise<number | undefined> {
  return localRedisPid((await node.info('server')).get('process_id'));
}

/**
 * A context whose thaw processes use another Redis (`env` adds e.g. REDIS_CLUSTER_NODES); `admin`
 * is a plain connection to one of its nodes for runPipeline's INFO commandstats.
 */
function onRedis(
  context: BenchContext,
  url: string,
  admin: Redis,
  pid: number | undefined,
  env: Record<string, string>,
): BenchContext {
  return {
    ...context,
    redisUrl: url,
    redis: admin,
    redisPid: pid,
    world: { ...context.world, env: { ...context.world.env, ...env } },
  };
}

interface TopologyRun {
  readonly run: PipelineRun;
  /** Redis CPU seconds per event of each node, from INFO cpu, over the events' stretch. */
  readonly perNode: number[];
}

/** Pipeline (a) on `nodes` (all primaries): INFO cpu of each read after registration and at the end. */
async function pipelineOn(
  context: BenchContext,
  label: string,
  pools: PipelinePools,
  nodes: readonly RedisNode[],
): Promise<TopologyRun> {
  const deployment = await servingWithCountingMailer(context, PREFIX, label);
  try {
    context.progress(`${label}: ${deployment.description}`);
    let before: Promise<number[]> | undefined;
    const run = await runPipeline(context, deployment, pools, {
      afterRegistration: () => {
        before = Promise.all(nodes.map(redisCpu));
      },
    });
    const after = await Promise.all(nodes.map(redisCpu));
    const start = (await before) ?? after;
    return { run, perNode: after.map((cpu, index) => (cpu - (start[index] ?? cpu)) / run.events) };
  } finally {
    await deployment.stop();
  }
}

/**
 * `cluster/1-node`: pipeline (a) (one `serve` process, counting mailer, events → emails) on one
 * Redis node, then on a Redis Cluster of 3 primaries without replicas, both started here.
 */
export async function clusterFigure(context: BenchContext, pools: PipelinePools): Promise<void> {
  const { report } = context;
  const tags = hashTags(PREFIX);

  context.progress('cluster: starting one Redis node');
  const single = await startRedisNode();
  const releaseSingle = context.resources.add('bench redis node (cluster figure)', () => single.stop());
  let one: TopologyRun;
  try {
    const admin = single.client();
    try {
      const sub = onRedis(context, single.url, admin, await redisPid(single), {});
      one = await pipelineOn(sub, 'cluster-1-node', pools, [single]);
    } finally {
      admin.disconnect();
    }
  } finally {
    await releaseSingle();
  }

  context.progress('cluster: starting a Redis Cluster of 3 primaries, no replicas');
  const cluster = await startRedisCluster({ primaries: 3, replicasPerPrimary: 0 });
  const releaseCluster = context.resources.add('bench redis cluster', () => cluster.stop());
  let many: TopologyRun;
  let primaries: RedisNode[];
  const served = new Map<number, { tag: string; slot: number }[]>();
  try {
    primaries = await cluster.primaries();
    primaries.sort((a, b) => a.port - b.port);
    for (const tag of tags) {
      const slot = Number(await primaries[0]?.call('CLUSTER', 'KEYSLOT', tag));
      const owner = await cluster.primaryForKey(tag);
      served.set(owner.port, [...(served.get(owner.port) ?? []), { tag, slot }]);
    }
    const first = primaries[0];
    if (!first) throw new Error('the cluster has no primary');
    const admin = first.client();
    try {
      const sub = onRedis(context, first.url, admin, undefined, { REDIS_CLUSTER_NODES: cluster.seeds });
      many = await pipelineOn(sub, 'cluster-3-primaries', pools, primaries);
    } finally {
      admin.disconnect();
    }
  } finally {
    await releaseCluster();
  }

  const total = (values: number[]) => values.reduce((sum, value) => sum + value, 0);
  const describe = (topology: TopologyRun) =>
    `${count(topology.run.events)} events → ${count(topology.run.emails)} emails in ` +
    `${seconds(topology.run.seconds)}; ${perSecond(topology.run.emailsPerSecond, ' emails/s')}; ` +
    `CPU per event: thaw ${cpuTime(topology.run.cpu.thawPerEvent)}, Redis (all primaries, INFO cpu) ` +
    `${cpuTime(total(topology.perNode))}; machine ${percent(topology.run.cpu.machineBusy)} busy`;
  report.row(
    'cluster',
    'pipeline (a), one Redis node',
    perSecond(one.run.eventsPerSecond, ' events/s'),
    describe(one),
  );
  report.row(
    'cluster',
    'pipeline (a), Redis Cluster of 3 primaries, 0 replicas',
    perSecond(many.run.eventsPerSecond, ' events/s'),
    describe(many),
  );
  const toOne = many.run.eventsPerSecond / one.run.eventsPerSecond;
  report.row('cluster', 'cluster/1-node', ratio(toOne), 'events/s on the cluster ÷ events/s on one node');
  primaries.forEach((primary, index) => {
    const mine = served.get(primary.port) ?? [];
    report.row(
      'cluster',
      `Redis CPU per event, primary ${index + 1} (port ${primary.port})`,
      cpuTime(many.perNode[index]),
      mine.length > 0
        ? `hash tags served: ${mine.map(({ tag, slot }) => `${tag} (slot ${slot})`).join(', ')}`
        : "serves none of thaw's hash tags",
    );
  });
  const map = tags
    .map((tag) => {
      const index = primaries.findIndex((primary) => served.get(primary.port)?.some((t) => t.tag === tag));
      const slot = served.get(primaries[index]?.port ?? -1)?.find((t) => t.tag === tag)?.slot;
      return `${tag} → slot ${slot} → primary ${index + 1}`;
    })
    .join('; ');
  report.summary(
    `cluster/1-node ${ratio(toOne)}: ${perSecond(many.run.eventsPerSecond, ' events/s')} on 3 primaries ` +
      `(0 replicas) vs ${perSecond(one.run.eventsPerSecond, ' events/s')} on one node; slots: ${map}`,
  );
}

interface WaitTarget {
  readonly name: string;
  readonly thaw: ThawProcess;
  readonly rounds: LoadResult[];
  readonly cpu: { thaw: number; primary: number; replica: number }[];
}

/**
 * `ingest/wait-1`: signed notifications to `/sns` of one thaw `api` process (as in the ingest
 * figure) on a local primary with one replica, with `REDIS_WAIT_REPLICAS=0` and `=1`: with 1,
 * `/sns` answers only after `WAIT 1` confirms the replica has the job.
 */
export async function replicasFigure(context: BenchContext, pools: IngestPools): Promise<void> {
  const { sizes, report } = context;
  context.progress('replicas: starting a Redis primary with one replica');
  const pair = await startPrimaryWithReplica();
  const releasePair = context.resources.add('bench redis primary + replica', () => pair.stop());
  const started: BenchChild[] = [];
  try {
    const admin = pair.primary.client();
    const [primaryPid, replicaPid] = await Promise.all([redisPid(pair.primary), redisPid(pair.replica)]);
    const sub = onRedis(context, pair.primaryUrl, admin, primaryPid, {});
    let targets: WaitTarget[];
    try {
      const processes = await startTogether(
        ['0', '1'].map((waits) =>
          startThaw(sub, {
            role: 'api',
            prefix: `${PREFIX}-wait${waits}`,
            program: 'main',
            label: `replicas-wait-${waits}`,
            env: { REDIS_WAIT_REPLICAS: waits },
          }),
        ),
      );
      started.push(...processes.map((thaw) => thaw.child));
      targets = processes.map((thaw, index) => ({
        name: `REDIS_WAIT_REPLICAS=${index}`,
        thaw,
        rounds: [],
        cpu: [],
      }));
      for (const target of targets) {
        context.progress(`replicas: warming up ${target.name}`);
        await runLoad({
          url: `${target.thaw.url}/sns`,
          requests: pools.warmup,
          connections: sizes.connections,
          run: { once: true },
        });
      }
      // Each target gets its own unique messages every round: a repeat would be deduplicated.
      const share = Math.floor(pools.measured.length / (sizes.ingestRounds * targets.length));
      let offset = 0;
      for (let round = 0; round < sizes.ingestRounds; round += 1) {
        for (const target of targets) {
          context.progress(`replicas: ${target.name}, round ${round + 1}/${sizes.ingestRounds}`);
          const meter = startCpuMeter([target.thaw.child.pid, primaryPid ?? -1, replicaPid ?? -1]);
          const load = await runLoad({
            url: `${target.thaw.url}/sns`,
            requests: pools.measured.slice(offset, (offset += share)),
            connections: sizes.connections,
            run: { seconds: sizes.ingestSeconds, unique: true },
          });
          const [thaw = NaN, primary = NaN, replica = NaN] = meter.stop().seconds.map((s) => s ?? NaN);
          target.cpu.push({ thaw, primary, replica });
          const failed = load.non2xx + load.errors;
          if (failed > Math.max(1, load.sent * 0.01)) {
            throw new Error(
              `${target.name}: ${failed} of ${load.sent} requests failed ` +
                `(status codes ${JSON.stringify(load.statusCodes)})`,
            );
          }
          target.rounds.push(load);
        }
      }
    } finally {
      admin.disconnect();
    }
    await Promise.all(started.map((child) => child.stop()));

    const rate = (target: WaitTarget) => median(target.rounds.map((round) => round.okPerSecond));
    const describe = (target: WaitTarget) => {
      const answered = target.rounds.reduce((sum, round) => sum + round.ok, 0);
      const cpu = (pick: 'thaw' | 'primary' | 'replica') =>
        target.cpu.reduce((sum, reading) => sum + reading[pick], 0) / answered;
      const exhausted = target.rounds.filter((round) => round.exhausted).length;
      return (
        `p50 ${milliseconds(median(target.rounds.map((round) => round.p50Ms)))}, ` +
        `p99 ${milliseconds(median(target.rounds.map((round) => round.p99Ms)))}; CPU per request ` +
        `${cpuTime(cpu('thaw'))}, Redis primary ${cpuTime(cpu('primary'))}, replica ${cpuTime(cpu('replica'))}; ` +
        `${count(answered)} answered 2xx` +
        (exhausted > 0 ? `, ${exhausted} round(s) ended early: unique messages used up` : '')
      );
    };
    const [noWait, wait1] = targets as [WaitTarget, WaitTarget];
    report.row(
      'replicas',
      'ingest, local primary + 1 replica, no WAIT',
      perSecond(rate(noWait)),
      describe(noWait),
    );
    report.row(
      'replicas',
      'ingest, local primary + 1 replica, REDIS_WAIT_REPLICAS=1',
      perSecond(rate(wait1)),
      describe(wait1),
    );
    const perRound = median(
      wait1.rounds.map((round, index) => round.okPerSecond / (noWait.rounds[index]?.okPerSecond ?? Infinity)),
    );
    report.row(
      'replicas',
      'ingest/wait-1',
      ratio(perRound),
      `median of ${sizes.ingestRounds} round(s) × ${sizes.ingestSeconds} s per setting, ${sizes.connections} connections`,
    );
    report.summary(
      `ingest/wait-1 ${ratio(perRound)}: ${perSecond(rate(wait1))} with REDIS_WAIT_REPLICAS=1 vs ` +
        `${perSecond(rate(noWait))} without (local primary + 1 replica)`,
    );
  } finally {
    await Promise.all(started.map((child) => child.stop()));
    await releasePair();
  }
}
