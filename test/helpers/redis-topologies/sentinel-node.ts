import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TlsMaterial } from './certificates';
import { allocatePort, HOST, listenDirectives, RedisChild, renderConfig } from './redis-child';
import type { Directive } from './redis-child';

export interface SentinelNodeOptions {
  masterName: string;
  /** The primary to monitor at first start; Sentinel finds replicas and other sentinels itself. */
  primary: { host: string; port: number };
  quorum: number;
  tls?: TlsMaterial;
  /** Default 1000 ms: how long a primary may be silent before it is subjectively down. */
  downAfterMs?: number;
  /** Default 5000 ms. */
  failoverTimeoutMs?: number;
}

/**
 * One Sentinel: `redis-server sentinel.conf --sentinel` (Debian ships no separate redis-sentinel
 * binary). Sentinel insists on a writable config file, where it records what it learns (replicas,
 * other sentinels, the current primary, the epoch); the file is written on the first start only so
 * a restarted sentinel keeps that state, like a real one.
 */
export class SentinelNode extends RedisChild {
  private constructor(
    port: number,
    dir: string,
    readonly options: SentinelNodeOptions,
  ) {
    super(port, dir, options.tls);
  }

  static async create(options: SentinelNodeOptions): Promise<SentinelNode> {
    return new SentinelNode(await allocatePort(), RedisChild.makeDir('redis-sentinel'), options);
  }

  get configFile(): string {
    return join(this.dir, 'sentinel.conf');
  }

  protected argv(): string[] {
    if (!existsSync(this.configFile)) writeFileSync(this.configFile, renderConfig(this.directives()));
    return [this.configFile, '--sentinel'];
  }

  private directives(): Directive[] {
    const { masterName: name, primary, quorum, tls } = this.options;
    return [
      ['bind', HOST],
      ['dir', this.dir],
      ['logfile', this.logFile],
      // With tls-replication yes, Sentinel talks TLS to the data nodes and to the other sentinels,
      // and announces its TLS port in its hello messages.
      ...listenDirectives(this.port, tls),
      // Everything here is addressed by IP; no DNS lookups, no hostnames in replies.
      ['sentinel', 'resolve-hostnames', 'no'],
      ['sentinel', 'monitor', name, primary.host, String(primary.port), String(quorum)],
      ['sentinel', 'down-after-milliseconds', name, String(this.options.downAfterMs ?? 1000)],
      ['sentinel', 'failover-timeout', name, String(this.options.failoverTimeoutMs ?? 5000)],
      ['sentinel', 'parallel-syncs', name, '1'],
    ];
  }
}
