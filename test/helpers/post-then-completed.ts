import type { FastifyInstance } from 'fastify';
import type { Signer } from '../../src/simulate/sns-signer';
import { eventually } from './eventually';
import { restoreFlow } from './restore-flow';
import type { SesEmulator, StoredEmail } from './ses-emulator';

/**
 * The whole story on one thaw, whatever Redis it runs on: register a restore, deliver signed Post
 * and Completed events (both 200), and expect the request completed with exactly one `initiated`
 * and one `completed` email to the recipient. Returns what the caller may check further.
 */
export async function expectPostThenCompletedFlow(
  app: FastifyInstance,
  signer: Signer,
  ses: SesEmulator,
  object: { bucket: string; key: string },
  recipientEmail: string,
) {
  const flow = restoreFlow(app, signer);
  const id = await flow.register({
    ...object,
    recipient: { email: recipientEmail, locale: 'en', timeZone: 'UTC' },
  });
  expect(await flow.deliver(flow.signed([{ kind: 'initiated', ...object }]))).toBe(200);
  expect(await flow.deliver(flow.signed([{ kind: 'completed', ...object }]))).toBe(200);
  const request = await eventually(async () => {
    const read = await flow.read(id);
    expect(read.notifications.map((n) => `${n.kind}:${n.state}`).sort()).toEqual([
      'completed:sent',
      'initiated:sent',
    ]);
    return read;
  });
  expect(request.status).toBe('completed');
  const emails: StoredEmail[] = (await ses.emails()).filter((email) =>
    email.destination.to.includes(recipientEmail),
  );
  expect(emails).toHaveLength(2);
  return { request, emails };
}
