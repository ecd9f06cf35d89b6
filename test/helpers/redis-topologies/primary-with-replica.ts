import type { TlsMaterial } from './certificates';
import { HOST } from './redis-child';
import { RedisNode } from './redis-node';
import type { AppendFsync } from './redis-node';
import { waitFor } from './wait';

export interface PrimaryWithReplica {
  readonly primary: RedisNode;
  readonly replica: RedisNode;
  readonly primaryUrl: string;
  readonly replicaUrl: string;
  /** Kills both and removes their dirs. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * One primary and one in-sync replica, no failover machinery: enough for `WAIT 1 <ms>` to mean
 * something (on a lone primary it returns 0 at once), e.g. to measure what acknowledged
 * replication costs per write.
 */
export async function startPrimaryWithReplica(
  options: { tls?: TlsMaterial; appendfsync?: AppendFsync } = {},
): Promise<PrimaryWithReplica> {
  const primary = await RedisNode.create(options);
  const replica = await RedisNode.create({ ...options, replicaOf: { host: HOST, port: primary.port } });
  const stop = async () => {
    await Promise.all([primary.stop(), replica.stop()]);
  };
  try {
    await Promise.all([primary.start(), replica.start()]);
    await waitFor(`replica ${replica.address} to sync with ${primary.address}`, async () => {
      const replication = await primary.info('replication');
      return replication.get('slave0')?.includes('state=online') || `slave0: ${replication.get('slave0')}`;
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { primary, replica, primaryUrl: primary.url, replicaUrl: replica.url, stop };
}
