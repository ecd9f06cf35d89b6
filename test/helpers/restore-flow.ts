import type { FastifyInstance } from 'fastify';
import { snsHeaders } from '../../src/simulate/sns-signer';
import type { Signer } from '../../src/simulate/sns-signer';
import { s3NotificationMessage } from '../../src/simulate/restore-notifications';
import type { SimulatedRestore } from '../../src/simulate/restore-notifications';
import { TOPIC_ARN } from './sns-world';

export const TEST_TOKEN = 'test-token-0123456789abcdef';

/** Drives a thaw app the way its users do: the API with the token, S3 events through signed SNS. */
export function restoreFlow(app: FastifyInstance, signer: Signer) {
  return {
    async register(body: Record<string, unknown>): Promise<string> {
      const response = await app.inject({
        method: 'POST',
        url: '/v1/restores',
        headers: { authorization: `Bearer ${TEST_TOKEN}` },
        payload: { initiate: false, ...body },
      });
      if (response.statusCode !== 201)
        throw new Error(`register answered ${response.statusCode}: ${response.body}`);
      return (response.json() as { id: string }).id;
    },
    async read(id: string) {
      const response = await app.inject({
        url: `/v1/restores/${id}`,
        headers: { authorization: `Bearer ${TEST_TOKEN}` },
      });
      return response.json() as {
        status: string;
        events: { kind: string; effect: string }[];
        notifications: { kind: string; state: string; messageId: string | null; sentAt: string | null }[];
        objects?: { status: string; downloadedAt?: string | null }[];
        downloadedAt?: string | null;
      };
    },
    signed(restores: SimulatedRestore[], topicArn = TOPIC_ARN) {
      return signer.sign({
        Type: 'Notification',
        TopicArn: topicArn,
        Subject: 'Amazon S3 Notification',
        Message: s3NotificationMessage(restores),
      });
    },
    async deliver(message: Record<string, string | null>): Promise<number> {
      const response = await app.inject({
        method: 'POST',
        url: '/sns',
        payload: JSON.stringify(message),
        headers: snsHeaders(message),
      });
      return response.statusCode;
    },
  };
}
