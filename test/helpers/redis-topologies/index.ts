/** Real-process Redis topologies for tests (no Docker): see each module for the why. */
export { makeTlsMaterial } from './certificates';
export type { TlsMaterial } from './certificates';
export { RedisNode, startRedisNode } from './redis-node';
export type { AppendFsync, RedisNodeOptions } from './redis-node';
export { SentinelNode } from './sentinel-node';
export { startRedisCluster } from './redis-cluster';
export type { RedisCluster, RedisClusterOptions } from './redis-cluster';
export { startRedisSentinel } from './redis-sentinel';
export type { RedisSentinel, RedisSentinelOptions } from './redis-sentinel';
export { startPrimaryWithReplica } from './primary-with-replica';
export type { PrimaryWithReplica } from './primary-with-replica';
export { parseClusterNodes } from './cluster-nodes';
export type { ClusterNodeView } from './cluster-nodes';
