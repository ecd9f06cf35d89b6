import { postSnsMessage } from '../../src/simulate/deliver';
import type { SignedSnsMessage } from '../../src/simulate/sns-signer';

export interface PublisherStats {
  /** Deliveries thaw acknowledged with 2xx: these must never be lost. */
  acknowledged: number;
  /** Answers that made SNS retry (5xx) and failed connections. */
  retried: number;
  /** 4xx answers: SNS would drop these, so for valid messages they are bugs. */
  refused: { status: number; body: string }[];
  statuses: Record<number, number>;
}

/**
 * Plays SNS's delivery side: POST, and on a 5xx or a failed connection try again after a pause,
 * as an HTTP subscription with thaw's patient delivery policy would (up to `maxAttempts`).
 */
export function snsPublisher(url: string, maxAttempts = 400, pauseMs = 100) {
  const stats: PublisherStats = { acknowledged: 0, retried: 0, refused: [], statuses: {} };
  async function publish(message: SignedSnsMessage): Promise<number> {
    for (let attempt = 1; ; attempt += 1) {
      let status = 0;
      let body = '';
      try {
        const result = await postSnsMessage(url, message);
        status = result.status;
        body = result.body;
      } catch {
        status = 0;
      }
      stats.statuses[status] = (stats.statuses[status] ?? 0) + 1;
      if (status >= 200 && status < 300) {
        stats.acknowledged += 1;
        return status;
      }
      if (status >= 400 && status < 500) {
        stats.refused.push({ status, body });
        return status;
      }
      stats.retried += 1;
      if (attempt >= maxAttempts)
        throw new Error(`SNS gave up on a message after ${attempt} attempts (last ${status})`);
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }
  return { publish, stats };
}
