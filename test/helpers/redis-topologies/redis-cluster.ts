import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { TlsMaterial } from './certificates';
import { isServingPrimary, parseClusterNodes } from './cluster-nodes';
import type { ClusterNodeView } from './cluster-nodes';
import { RedisNode } from './redis-node';
import type { AppendFsync } from './redis-node';
import { sleep, waitFor } from './wait';

const run = promisify(execFile);

export interface RedisClusterOptions {
  primaries?: number;
  replicasPerPrimary?: number;
  tls?: TlsMaterial;
  appendfsync?: AppendFsync;
  /** cluster-node-timeout, default 2000 ms: how long before a silent primary is failed over. */
  nodeTimeoutMs?: number;
}

export interface RedisCluster {
  /** `127.0.0.1:p1,127.0.0.1:p2,...`: every node, the format of REDIS_CLUSTER_NODES. */
  readonly seeds: string;
  readonly nodes: readonly RedisNode[];
  readonly tls: TlsMaterial | undefined;
  /** Nodes serving slots right now, as CLUSTER NODES on a running node says. */
  primaries(): Promise<RedisNode[]>;
  replicasOf(primary: RedisNode): Promise<RedisNode[]>;
  /** The first replica of a primary; throws if it has none. */
  replicaOf(primary: RedisNode): Promise<RedisNode>;
  /** The primary serving the key's slot (mind hash tags: `{p}:a` and `{p}:b` share one). */
  primaryForKey(key: string): Promise<RedisNode>;
  /**
   * The primary doing the most work: the largest growth of total_commands_processed over
   * `sampleMs` (default), or the most keys (DBSIZE).
   */
  busiestPrimary(options?: { by?: 'commands' | 'keys'; sampleMs?: number }): Promise<RedisNode>;
  /** CLUSTER FAILOVER on a replica; resolves when it is primary and the cluster is healthy. */
  failover(replica: RedisNode): Promise<void>;
  /** kill -9 one node. Does not wait for the failover: follow with waitHealthy(). */
  kill9(node: RedisNode): Promise<void>;
  /** Starts a killed node again on its nodes.conf and AOF, then waits until the cluster is healthy. */
  restart(node: RedisNode): Promise<void>;
  /**
   * Waits until every running node says cluster_state:ok, all running nodes agree on which
   * primaries serve which slots, every slot is served by a running node, no running node is
   * flagged failed, and every running replica is online with its primary.
   */
  waitHealthy(timeoutMs?: number): Promise<void>;
  /** Kills every node and removes their dirs. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * A Redis Cluster of real redis-server processes: start the nodes, let `redis-cli --cluster
 * create` assign slots and replicas (the same tool an operator uses), then wait for gossip to
 * converge. Roles are never cached: after a failover the only truth is what the nodes say.
 */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisCluster> {
  const { primaries = 3, replicasPerPrimary = 1, tls, appendfsync } = options;
  const nodes: RedisNode[] = [];
  for (let i = 0; i < primaries * (1 + replicasPerPrimary); i += 1) {
    nodes.push(
      await RedisNode.create({
        cluster: true,
        tls,
        appendfsync,
        clusterNodeTimeoutMs: options.nodeTimeoutMs,
      }),
    );
  }
  const byPort = new Map(nodes.map((node) => [node.port, node]));
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.stop()));
  };

  const nodeAt = (port: number): RedisNode => {
    const node = byPort.get(port);
    if (!node) throw new Error(`CLUSTER NODES names port ${port}, which is not one of ours`);
    return node;
  };
  const anyRunning = (): RedisNode => {
    const node = nodes.find((candidate) => candidate.running);
    if (!node) throw new Error('no cluster node is running');
    return node;
  };
  const view = async (from: RedisNode = anyRunning()): Promise<ClusterNodeView[]> =>
    parseClusterNodes(String(await from.call('CLUSTER', 'NODES')));

  async function healthProblem(expectReplicas: boolean): Promise<true | string> {
    const running = nodes.filter((node) => node.running);
    let agreed: string | undefined;
    for (const node of running) {
      const state = String(await node.call('CLUSTER', 'INFO')).match(/cluster_state:(\w+)/)?.[1];
      if (state !== 'ok') return `${node.address} has cluster_state:${state}`;
      const views = await view(node);
      for (const other of views) {
        const flagged = other.flags.find((flag) => flag === 'fail' || flag === 'fail?');
        if (flagged && byPort.get(other.port)?.running) {
          return `${node.address} still flags running ${other.port} as ${flagged}`;
        }
      }
      const serving = views.filter(isServingPrimary);
      const dead = serving.find((primary) => !byPort.get(primary.port)?.running);
      if (dead) return `${node.address} still routes slots to stopped node ${dead.port}`;
      const layout = serving
        .map((primary) => `${primary.port}:${primary.slots.map((range) => range.join('-')).join(',')}`)
        .sort()
        .join(' ');
      if (agreed !== undefined && layout !== agreed) return `nodes disagree on slots: ${agreed} vs ${layout}`;
      agreed = layout;
      if (expectReplicas) {
        // Every node's own view, not only each primary's: replicasOf() asks one node, and gossip
        // reaches the others a little after the replica has attached.
        for (const primary of serving) {
          const known = views.filter((entry) => entry.primaryId === primary.id).length;
          if (known < replicasPerPrimary)
            return `${node.address} knows ${known} replica(s) of ${primary.port}, wants ${replicasPerPrimary}`;
        }
      }

      const myself = views.find((entry) => entry.flags.includes('myself'));
      if (myself?.flags.includes('slave')) {
        const replication = await node.info('replication');
        if (replication.get('master_link_status') !== 'up') {
          return `replica ${node.address} has master_link_status:${replication.get('master_link_status')}`;
        }
      } else if (myself && isServingPrimary(myself)) {
        const replicas = views.filter(
          (entry) => entry.primaryId === myself.id && byPort.get(entry.port)?.running,
        );
        if (expectReplicas && replicas.length < replicasPerPrimary) {
          return `primary ${node.address} has ${replicas.length} replicas, wants ${replicasPerPrimary}`;
        }
        const online = [...(await node.info('replication')).entries()].filter(
          ([key, value]) => /^slave\d+$/.test(key) && value.includes('state=online'),
        ).length;
        if (online < replicas.length) {
          return `primary ${node.address} has ${online} of ${replicas.length} replicas online`;
        }
      }
    }
    return true;
  }

  const waitHealthy = (timeoutMs = 20_000) =>
    waitFor('a healthy cluster', () => healthProblem(false), { timeoutMs, everyMs: 200 });

  async function replicasOf(primary: RedisNode): Promise<RedisNode[]> {
    const views = await view();
    const id = views.find((entry) => entry.port === primary.port)?.id;
    return views.filter((entry) => entry.primaryId === id).map((entry) => nodeAt(entry.port));
  }

  try {
    await Promise.all(nodes.map((node) => node.start()));
    const tlsArgs = tls ? ['--tls', '--cacert', tls.caFile] : [];
    await run(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...nodes.map((node) => node.address),
        '--cluster-replicas',
        String(replicasPerPrimary),
        '--cluster-yes',
        ...tlsArgs,
      ],
      { timeout: 60_000 },
    ).catch((error: Error & { stdout?: string; stderr?: string }) => {
      throw new Error(
        `redis-cli --cluster create failed: ${error.message}\n${error.stdout}\n${error.stderr}`,
      );
    });
    await waitFor('the new cluster to converge', () => healthProblem(true), {
      timeoutMs: 30_000,
      everyMs: 200,
    });
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    seeds: nodes.map((node) => node.address).join(','),
    nodes,
    tls,
    async primaries() {
      return (await view()).filter(isServingPrimary).map((entry) => nodeAt(entry.port));
    },
    replicasOf,
    async replicaOf(primary) {
      const [replica] = await replicasOf(primary);
      if (!replica) throw new Error(`primary ${primary.address} has no replica`);
      return replica;
    },
    async primaryForKey(key) {
      const slot = Number(await anyRunning().call('CLUSTER', 'KEYSLOT', key));
      const owner = (await view())
        .filter(isServingPrimary)
        .find((entry) => entry.slots.some(([from, to]) => slot >= from && slot <= to));
      if (!owner) throw new Error(`no primary serves slot ${slot} (key ${key})`);
      return nodeAt(owner.port);
    },
    async busiestPrimary({ by = 'commands', sampleMs = 500 } = {}) {
      const current = (await view()).filter(isServingPrimary).map((entry) => nodeAt(entry.port));
      const measure = async (node: RedisNode): Promise<number> =>
        by === 'keys'
          ? Number(await node.call('DBSIZE'))
          : Number((await node.info('stats')).get('total_commands_processed'));
      const before = await Promise.all(current.map(measure));
      if (by === 'commands') await sleep(sampleMs);
      const after = by === 'commands' ? await Promise.all(current.map(measure)) : before;
      let best = 0;
      const score = (i: number) => (after[i] ?? 0) - (by === 'commands' ? (before[i] ?? 0) : 0);
      for (let i = 1; i < current.length; i += 1) if (score(i) > score(best)) best = i;
      const busiest = current[best];
      if (!busiest) throw new Error('the cluster has no primary');
      return busiest;
    },
    async failover(replica) {
      await replica.call('CLUSTER', 'FAILOVER');
      await waitFor(
        `${replica.address} to become primary`,
        async () => {
          const [role] = (await replica.call('ROLE')) as [string];
          return role === 'master' || `ROLE says ${role}`;
        },
        { timeoutMs: 15_000 },
      );
      await waitHealthy();
    },
    kill9: (node) => node.kill9(),
    async restart(node) {
      await node.start();
      await waitHealthy();
    },
    waitHealthy,
    stop,
  };
}
