import type { Signer } from '../../src/simulate/sns-signer';

interface StoredEmail {
  messageId: string;
  at: number;
  destination: { to: string[] };
  headers?: { name: string; value: string }[];
}

/**
 * Plays SES configuration-set event publishing: for every email the SES emulator accepted, a
 * signed `Send` event reaches thaw's feedback topic, with the notification's tags — as SES does in
 * production when SES_CONFIGURATION_SET has an SNS event destination. It is how thaw settles a send
 * whose answer it lost (a worker killed between SES accepting and thaw recording).
 * The emulator keeps no tags, so they are read back from the X-Thaw-Notification header.
 */
export function sesEventPublisher(options: {
  readonly sesUrl: () => string;
  readonly signer: Signer;
  readonly topicArn: string;
  readonly publish: (message: Record<string, string | null>) => Promise<number>;
  readonly everyMs?: number;
}) {
  const seen = new Set<string>();
  // The emulator's /store?since= takes epoch seconds: ask only for recent mail (one second of
  // overlap, deduplicated by MessageId), not the whole, growing store on every tick.
  let since = 0;
  let timer: NodeJS.Timeout | undefined;
  let running = Promise.resolve();

  async function tick(): Promise<void> {
    let emails: StoredEmail[];
    try {
      emails = (
        (await (await fetch(`${options.sesUrl()}/store?since=${since}`)).json()) as { emails: StoredEmail[] }
      ).emails;
    } catch {
      return; // emulator down: SES publishes nothing either
    }
    for (const email of emails) {
      since = Math.max(since, email.at - 1);
      if (seen.has(email.messageId)) continue;
      seen.add(email.messageId);
      const header = email.headers?.find((h) => h.name.toLowerCase() === 'x-thaw-notification')?.value;
      if (!header) continue;
      const dot = header.lastIndexOf('.');
      const event = {
        eventType: 'Send',
        mail: {
          timestamp: new Date().toISOString(),
          source: 'restores@example.com',
          messageId: email.messageId,
          destination: email.destination.to,
          tags: { 'thaw-request': [header.slice(0, dot)], 'thaw-kind': [header.slice(dot + 1)] },
        },
        send: {},
      };
      await options.publish(
        options.signer.sign({
          Type: 'Notification',
          TopicArn: options.topicArn,
          Message: JSON.stringify(event),
        }),
      );
    }
  }

  return {
    start() {
      timer = setInterval(() => {
        running = running.then(tick);
      }, options.everyMs ?? 200);
    },
    async stop() {
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
