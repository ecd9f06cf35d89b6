import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TlsMaterial } from './certificates';
import { allocatePort, HOST, listenDirectives, RedisChild, renderConfig } from './redis-child';
import type { Directive } from './redis-child';

export type AppendFsync = 'always' | 'everysec' | 'no';

export interface RedisNodeOptions {
  /** Client port (the TLS port when `tls`); a free one by default. */
  port?: number;
  /** Serve TLS only: `--port 0 --tls-port <port>`. */
  tls?: TlsMaterial;
  /** Default true, so restart() after kill9() comes back with the data (and cluster role). */
  appendonly?: boolean;
  /**
   * Default everysec, as in production. The AOF is written before each reply, so kill9() loses no
   * acknowledged write under any setting; they only differ on an OS crash. `always` adds an fsync
   * per event-loop turn, which is what it is useful to measure.
   */
  appendfsync?: AppendFsync;
  /** Cluster mode, with its bus on a second free port (set with cluster-port, not port+10000). */
  cluster?: boolean;
  /** cluster-node-timeout; short so a failover takes seconds. Default 2000 ms. */
  clusterNodeTimeoutMs?: number;
  replicaOf?: { host: string; port: number };
  /** More `--name value` arguments, appended to the command line. */
  extraArgs?: string[];
}

/**
 * One redis-server data node. Its settings go to a redis.conf in the node's dir, written on the
 * first start only: CONFIG REWRITE (which Sentinel sends after moving a replica) then persists the
 * new role, so a restarted node comes back as what it last was, as in a real deployment, instead
 * of as what the test first asked for. The AOF and the cluster's nodes.conf live in the same dir.
 */
export class RedisNode extends RedisChild {
  private constructor(
    port: number,
    dir: string,
    readonly options: RedisNodeOptions,
    /** Cluster bus port, when `cluster`. */
    readonly busPort: number | undefined,
  ) {
    super(port, dir, options.tls);
  }

  /** Picks ports and a temp dir; does not start the process. */
  static async create(options: RedisNodeOptions = {}): Promise<RedisNode> {
    const port = options.port ?? (await allocatePort());
    const busPort = options.cluster ? await allocatePort() : undefined;
    return new RedisNode(port, RedisChild.makeDir('redis-node'), options, busPort);
  }

  get configFile(): string {
    return join(this.dir, 'redis.conf');
  }

  protected argv(): string[] {
    if (!existsSync(this.configFile)) writeFileSync(this.configFile, renderConfig(this.directives()));
    return [this.configFile, ...(this.options.extraArgs ?? [])];
  }

  private directives(): Directive[] {
    const { tls, cluster, replicaOf } = this.options;
    const lines: Directive[] = [
      ['bind', HOST],
      ['dir', this.dir],
      ['logfile', this.logFile],
      // No RDB snapshots: durability under test is the AOF's, and a background save would only
      // add fork noise to timings.
      ['save', ''],
      ['appendonly', this.options.appendonly === false ? 'no' : 'yes'],
      ['appendfsync', this.options.appendfsync ?? 'everysec'],
      // What thaw requires of its Redis: BullMQ must never have keys evicted under it.
      ['maxmemory-policy', 'noeviction'],
      // A primary waits 5 s by default before a diskless full sync, for more replicas to join the
      // same transfer; here that would add 5 s to every replica (re)start and cluster creation.
      ['repl-diskless-sync-delay', '0'],
    ];
    lines.push(...listenDirectives(this.port, tls));
    // The cluster bus is TLS too, and CLUSTER NODES / SLOTS then announce the TLS port.
    if (tls && cluster) lines.push(['tls-cluster', 'yes']);
    if (cluster) {
      lines.push(
        ['cluster-enabled', 'yes'],
        ['cluster-config-file', 'nodes.conf'],
        ['cluster-port', String(this.busPort)],
        ['cluster-node-timeout', String(this.options.clusterNodeTimeoutMs ?? 2000)],
        // Any replica may be promoted however long its link has been down, so a test that kills
        // the same shard twice, or a replica that just resynced, still gets a failover.
        ['cluster-replica-validity-factor', '0'],
        ['cluster-allow-reads-when-down', 'no'],
      );
    }
    if (replicaOf) lines.push(['replicaof', replicaOf.host, String(replicaOf.port)]);
    return lines;
  }
}

/** Creates and starts one node. */
export async function startRedisNode(options: RedisNodeOptions = {}): Promise<RedisNode> {
  const node = await RedisNode.create(options);
  try {
    await node.start();
  } catch (error) {
    await node.stop();
    throw error;
  }
  return node;
}
