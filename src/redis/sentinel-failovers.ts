import { Redis } from 'ioredis';
import type { RedisConfig } from '../config';
import type { Logger } from '../logger';
import { tlsOptionsOf } from './redis-connection';

/**
 * What the Sentinels say about failovers of thaw's primary, so a write is not confirmed while one
 * is under way. Why: Sentinel does not pause the old primary. From the moment it promotes a replica
 * until it has pointed the other replicas at the new primary, the old one keeps taking writes, and
 * a replica not yet moved still acknowledges them: `WAIT 1` succeeds, then that replica resyncs from
 * the new primary and the writes are gone (measured: dozens of emails sent twice per
 * SENTINEL FAILOVER). Sentinel announces the failover (`+try-failover`) before it promotes
 * anyone, so a confirmation that overlaps one is refused (503, or a job retry) instead.
 */
export interface FailoverWatch {
  /** Counts failovers seen starting; a confirmation compares it before and after its WAIT. */
  readonly epoch: number;
  /** A failover is under way (or ended less than the settle time ago). */
  readonly underWay: boolean;
  close(): Promise<void>;
}

const STARTED = ['+try-failover'];
const ENDED = [
  '+switch-master',
  '+failover-end',
  '-failover-abort-not-elected',
  '-failover-abort-no-good-slave',
];

export function watchSentinelFailovers(
  config: RedisConfig,
  logger: Logger,
  settleMs = 1000,
): FailoverWatch | undefined {
  const { topology } = config;
  if (topology.kind !== 'sentinel') return undefined;
  const tls = tlsOptionsOf(config);
  let epoch = 0;
  let underWay = false;
  let settle: NodeJS.Timeout | undefined;
  const subscribers = topology.sentinels.map(({ host, port }) => {
    const subscriber = new Redis({
      host,
      port,
      ...(topology.sentinelPassword === undefined ? {} : { password: topology.sentinelPassword }),
      ...(tls ? { tls } : {}),
      connectionName: 'thaw-failover-watch',
      retryStrategy: (attempt) => Math.min(200 * 2 ** Math.min(attempt, 4), 2000),
      maxRetriesPerRequest: null,
    });
    subscriber.on('error', () => undefined); // a Sentinel away is one of several; the others tell
    void subscriber.subscribe(...STARTED, ...ENDED).catch(() => undefined);
    subscriber.on('message', (channel: string, message: string) => {
      // `+try-failover master <name> <ip> <port>`; `+switch-master <name> <old ip> <old port> ...`
      if (!message.split(' ').includes(topology.primaryName)) return;
      if (STARTED.includes(channel)) {
        if (!underWay)
          logger.warn(
            { primary: topology.primaryName },
            'Sentinel failover under way: writes are not confirmed until it ends',
          );
        epoch += 1;
        underWay = true;
        clearTimeout(settle);
        settle = undefined;
      } else if (underWay && ENDED.includes(channel) && settle === undefined) {
        // Clients move to the new primary on +switch-master; give them that long.
        settle = setTimeout(() => {
          underWay = false;
          settle = undefined;
          logger.info({ primary: topology.primaryName }, 'Sentinel failover over');
        }, settleMs);
        settle.unref();
      }
    });
    return subscriber;
  });
  return {
    get epoch() {
      return epoch;
    },
    get underWay() {
      return underWay;
    },
    async close() {
      clearTimeout(settle);
      for (const subscriber of subscribers) subscriber.disconnect();
    },
  };
}
