import type { TlsMaterial } from './certificates';
import { HOST } from './redis-child';
import { RedisNode } from './redis-node';
import type { AppendFsync } from './redis-node';
import { SentinelNode } from './sentinel-node';
import { waitFor } from './wait';

export interface RedisSentinelOptions {
  replicas?: number;
  sentinels?: number;
  masterName?: string;
  tls?: TlsMaterial;
  appendfsync?: AppendFsync;
}

export interface RedisSentinel {
  /** `127.0.0.1:s1,127.0.0.1:s2,...`, the format of the sentinel list in thaw's env. */
  readonly sentinels: string;
  readonly masterName: string;
  /** Primary and replicas as started; which is primary now, ask primary(). */
  readonly dataNodes: readonly RedisNode[];
  readonly sentinelNodes: readonly SentinelNode[];
  readonly tls: TlsMaterial | undefined;
  /** The node the first answering sentinel names in SENTINEL GET-MASTER-ADDR-BY-NAME. */
  primary(): Promise<RedisNode>;
  /**
   * SENTINEL FAILOVER, then waitForNewPrimary. The old primary is not waited for: Sentinel only
   * turns it into a replica after it has reported role:master for ~8 s more (see restart()).
   */
  failover(): Promise<RedisNode>;
  /** kill -9 the current primary and return it; it stays down until restart(node). */
  kill9Primary(): Promise<RedisNode>;
  /**
   * Waits until every running sentinel names the same primary other than `old`, that node answers
   * ROLE master, and every other running data node (but `old`) replicates from it, link up.
   */
  waitForNewPrimary(old: RedisNode, timeoutMs?: number): Promise<RedisNode>;
  /**
   * Starts a killed data node again (it comes back as what its redis.conf last said, typically a
   * stale primary) and waits until Sentinel has made it a replica of the current primary.
   */
  restart(node: RedisNode, timeoutMs?: number): Promise<void>;
  /** Kills every process and removes their dirs. Safe to call twice. */
  stop(): Promise<void>;
}

type Role = [string, ...unknown[]];

/**
 * A Sentinel-managed primary/replica set of real processes. Sentinels are started only after the
 * replicas are in sync, so the first INFO each sentinel sends the primary already lists them
 * (otherwise discovery waits for the next 10 s INFO round); other sentinels are then found through
 * hello messages, published every 2 s.
 */
export async function startRedisSentinel(options: RedisSentinelOptions = {}): Promise<RedisSentinel> {
  const { replicas = 2, sentinels = 3, masterName = 'thaw-primary', tls, appendfsync } = options;
  const first = await RedisNode.create({ tls, appendfsync });
  const dataNodes = [first];
  for (let i = 0; i < replicas; i += 1) {
    dataNodes.push(await RedisNode.create({ tls, appendfsync, replicaOf: { host: HOST, port: first.port } }));
  }
  const sentinelNodes: SentinelNode[] = [];
  for (let i = 0; i < sentinels; i += 1) {
    sentinelNodes.push(
      await SentinelNode.create({
        masterName,
        primary: { host: HOST, port: first.port },
        quorum: Math.floor(sentinels / 2) + 1,
        tls,
      }),
    );
  }
  const byPort = new Map(dataNodes.map((node) => [node.port, node]));
  const stop = async () => {
    await Promise.all([...sentinelNodes, ...dataNodes].map((node) => node.stop()));
  };
  const running = <T extends { running: boolean }>(list: T[]) => list.filter((item) => item.running);
  const role = async (node: RedisNode) => (await node.call('ROLE')) as Role;

  async function namedPrimary(sentinel: SentinelNode): Promise<number> {
    const reply = (await sentinel.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', masterName)) as
      [string, string] | null;
    if (!reply) throw new Error(`${sentinel.address} does not know ${masterName}`);
    return Number(reply[1]);
  }

  async function primary(): Promise<RedisNode> {
    let lastError: unknown = new Error('no sentinel is running');
    for (const sentinel of running(sentinelNodes)) {
      try {
        const port = await namedPrimary(sentinel);
        const node = byPort.get(port);
        if (!node) throw new Error(`sentinel ${sentinel.address} names unknown primary port ${port}`);
        return node;
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  }

  async function waitForNewPrimary(old: RedisNode, timeoutMs = 30_000): Promise<RedisNode> {
    let found: RedisNode | undefined;
    await waitFor(
      `sentinels to agree on a primary other than ${old.address}`,
      async () => {
        const named = new Set(await Promise.all(running(sentinelNodes).map(namedPrimary)));
        if (named.size !== 1) return `sentinels name different primaries: ${[...named].join(', ')}`;
        const [port = 0] = named;
        const node = byPort.get(port);
        if (port === old.port || !node?.running) return `sentinels still name ${port}`;
        const [nodeRole] = await role(node);
        if (nodeRole !== 'master') return `${node.address} answers ROLE ${nodeRole}`;
        for (const other of running(dataNodes)) {
          if (other === node || other === old) continue;
          const [otherRole, , masterPort, state] = await role(other);
          if (otherRole !== 'slave' || masterPort !== port || state !== 'connected') {
            return `${other.address} is ${otherRole} of ${masterPort} (${state}), not a replica of ${port}`;
          }
        }
        found = node;
        return true;
      },
      { timeoutMs, everyMs: 200 },
    );
    return found as RedisNode;
  }

  try {
    await Promise.all(dataNodes.map((node) => node.start()));
    await waitFor('the replicas to sync with the first primary', async () => {
      const online = [...(await first.info('replication')).entries()].filter(
        ([key, value]) => /^slave\d+$/.test(key) && value.includes('state=online'),
      ).length;
      return online === replicas || `${online} of ${replicas} replicas online`;
    });
    await Promise.all(sentinelNodes.map((sentinel) => sentinel.start()));
    await waitFor(
      'every sentinel to see the primary, its replicas and the other sentinels',
      async () => {
        for (const sentinel of sentinelNodes) {
          const flat = (await sentinel.call('SENTINEL', 'MASTER', masterName)) as string[];
          const fields = new Map<string, string>();
          for (let i = 0; i + 1 < flat.length; i += 2) fields.set(String(flat[i]), String(flat[i + 1]));
          const summary = `${sentinel.address}: flags=${fields.get('flags')} replicas=${fields.get('num-slaves')} other sentinels=${fields.get('num-other-sentinels')}`;
          if (
            fields.get('flags') !== 'master' ||
            fields.get('num-slaves') !== String(replicas) ||
            fields.get('num-other-sentinels') !== String(sentinels - 1)
          ) {
            return summary;
          }
        }
        return true;
      },
      { timeoutMs: 20_000, everyMs: 200 },
    );
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    sentinels: sentinelNodes.map((sentinel) => sentinel.address).join(','),
    masterName,
    dataNodes,
    sentinelNodes,
    tls,
    primary,
    async failover() {
      const old = await primary();
      // NOGOODSLAVE right after a previous failover (the replicas' INFO is not fresh yet) and
      // INPROG are transient: retry until a sentinel accepts.
      await waitFor('a sentinel to accept SENTINEL FAILOVER', async () => {
        const [sentinel] = running(sentinelNodes);
        if (!sentinel) return 'no sentinel is running';
        await sentinel.call('SENTINEL', 'FAILOVER', masterName);
        return true;
      });
      return waitForNewPrimary(old);
    },
    async kill9Primary() {
      const old = await primary();
      await old.kill9();
      return old;
    },
    waitForNewPrimary,
    async restart(node, timeoutMs = 30_000) {
      await node.start();
      await waitFor(
        `${node.address} to become a replica of the current primary`,
        async () => {
          const current = await primary();
          if (current === node) return true;
          const [nodeRole, , masterPort, state] = await role(node);
          return (
            (nodeRole === 'slave' && masterPort === current.port && state === 'connected') ||
            `${node.address} is ${nodeRole}${nodeRole === 'slave' ? ` of ${masterPort} (${state})` : ''}`
          );
        },
        { timeoutMs, everyMs: 200 },
      );
    },
    stop,
  };
}
