import { inParallel, LONG } from './cluster';
import type { Cluster, Flow } from './cluster';

/** Flows per Redis-topology scenario: ≥100 in CI, 1,000 with THAW_CHAOS=long. */
export const TOPOLOGY_FLOWS = Number(process.env.THAW_CHAOS_TOPOLOGY_FLOWS ?? (LONG ? 1000 : 100));

export interface PhaseFigures {
  /** How many deliveries SNS had acknowledged (this phase) when the fault fired. */
  readonly acknowledgedAtFault: number;
  /** Milliseconds the fault itself took (kill + restart, failover until healthy...). */
  readonly faultMs: number;
  /** 5xx answers and refused connections SNS retried during this phase. */
  readonly retried: number;
}

/**
 * Publishes one kind of event for every flow (8 in flight, SNS retrying 5xx and refused
 * connections), fires `fault` once a third of them are acknowledged, and waits for all deliveries.
 */
export async function deliverDuringFault(
  cluster: Cluster,
  flows: readonly Flow[],
  kind: 'initiated' | 'completed',
  fault: () => Promise<void>,
): Promise<PhaseFigures> {
  const acknowledgedBefore = cluster.sns.stats.acknowledged;
  const retriedBefore = cluster.sns.stats.retried;
  const deliveries = inParallel(flows, 8, (flow) => cluster.sns.publish(cluster.event(flow, kind)));
  let finished = false;
  void deliveries.finally(() => {
    finished = true;
  });
  while (!finished && cluster.sns.stats.acknowledged < acknowledgedBefore + flows.length / 3)
    await new Promise((resolve) => setTimeout(resolve, 10));
  const acknowledgedAtFault = cluster.sns.stats.acknowledged - acknowledgedBefore;
  const started = Date.now();
  await fault();
  const faultMs = Date.now() - started;
  await deliveries;
  return { acknowledgedAtFault, faultMs, retried: cluster.sns.stats.retried - retriedBefore };
}

/** `503 × n, refused × m` from the publisher's status counts. */
export function retrySummary(cluster: Cluster): string {
  const statuses = cluster.sns.stats.statuses;
  const parts = Object.entries(statuses)
    .filter(([status]) => Number(status) < 200 || Number(status) >= 500)
    .map(([status, count]) => `${status === '0' ? 'refused connection' : status} × ${count}`);
  return parts.length > 0 ? parts.join(', ') : 'no retries';
}
