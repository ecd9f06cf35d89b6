import type { Redis } from 'ioredis';
import type { Browser, BrowserContext } from 'playwright-core';
import { storeTuning } from '../../src/composition/shared';
import { createRestoreStore } from '../../src/correlate/restore-store';
import type { RestoreStore } from '../../src/correlate/restore-store';
import { createRedisKeys } from '../../src/keys';
import { createDownloadLinks } from '../../src/notify/download-links';
import type { SimulatedRestore } from '../../src/simulate/restore-notifications';
import { eventually } from '../helpers/eventually';
import { deletePrefix, testRedis } from '../helpers/redis';
import { restoreFlow } from '../helpers/restore-flow';
import { startSesEmulator } from '../helpers/ses-emulator';
import type { SesEmulator } from '../helpers/ses-emulator';
import { TOPIC_ARN, startSnsWorld } from '../helpers/sns-world';
import type { SnsWorld } from '../helpers/sns-world';
import { startTestThaw } from '../helpers/thaw-instance';
import type { TestThaw } from '../helpers/thaw-instance';
import { launchChromium } from './chromium';
import { startLoopbackRelay } from './loopback-relay';
import type { LoopbackRelay } from './loopback-relay';

/**
 * Everything a customer's browser needs: a real thaw (role serve) listening behind a relay that
 * is its PUBLIC_BASE_URL, signed SNS deliveries, the SES emulator holding the emails the links
 * come from, and one Chromium for the whole test file.
 */
export interface CustomerWorld {
  readonly browser: Browser;
  /** Desktop-sized; tests make their own for other sizes. */
  readonly context: BrowserContext;
  readonly thaw: TestThaw;
  readonly baseUrl: string;
  readonly flow: ReturnType<typeof restoreFlow>;
  readonly store: RestoreStore;
  readonly ses: SesEmulator;
  /** Delivers S3 events through signed SNS, `batch` records per message. */
  deliver(restores: readonly SimulatedRestore[], batch?: number): Promise<void>;
  /** Delivers one S3 event notification `Message` as given, signed like SNS. */
  deliverMessage(message: string): Promise<void>;
  /** The status page link from the newest email to `to` that has one (waits for it). */
  pageLinkFromEmail(to: string): Promise<string>;
  /** The status page link thaw's link maker gives (for a request no email went to yet). */
  pageLinkFromThaw(id: string): Promise<string>;
  close(): Promise<void>;
}

export async function startCustomerWorld(prefix: string): Promise<CustomerWorld> {
  const opened: Array<() => Promise<unknown>> = [];
  try {
    // The browser first: without Chromium nothing else is worth starting.
    const browser = await launchChromium();
    opened.push(() => browser.close());
    const context = await browser.newContext({ viewport: { width: 1024, height: 800 } });
    const world: SnsWorld = await startSnsWorld();
    opened.push(() => world.close());
    const ses = await startSesEmulator();
    opened.push(() => ses.stop());
    const redis: Redis = testRedis();
    opened.push(async () => {
      await deletePrefix(redis, prefix);
      await redis.quit();
    });
    const relay: LoopbackRelay = await startLoopbackRelay();
    opened.push(() => relay.close());
    const thaw = await startTestThaw(prefix, {
      ...world.env,
      THAW_ROLE: 'serve',
      PUBLIC_BASE_URL: relay.url,
      SES_ENDPOINT: ses.endpoint,
      SES_MAX_SEND_RATE: '1000',
      // Nothing here may reach AWS: S3 calls (presigning needs none) go to a closed local port,
      // and the reconciler, which would ask S3 about objects, waits a day.
      S3_ENDPOINT: 'http://127.0.0.1:9',
      S3_FORCE_PATH_STYLE: 'true',
      RECONCILE_INTERVAL_SECONDS: '86400',
    });
    opened.push(() => thaw.stop());
    relay.forwardTo(Number(new URL(thaw.url).port));
    const keys = createRedisKeys(prefix);
    const store = createRestoreStore(redis, keys, storeTuning(thaw.config));
    const links = createDownloadLinks({
      redis,
      keys,
      presign: async () => 'https://unused.example.com/',
      linkTtlSeconds: thaw.config.links.downloadTtlSeconds,
      publicBaseUrl: relay.url,
      retentionMs: thaw.config.requests.retentionMs,
    });
    const flow = restoreFlow(thaw.app, world.signer);
    const pagePattern = new RegExp(`${relay.url.replace(/[.]/g, '\\.')}/r/[A-Za-z0-9_-]+`);

    return {
      browser,
      context,
      thaw,
      baseUrl: relay.url,
      flow,
      store,
      ses,
      async deliver(restores, batch = 50) {
        for (let start = 0; start < restores.length; start += batch) {
          const status = await flow.deliver(flow.signed(restores.slice(start, start + batch)));
          if (status !== 200) throw new Error(`SNS delivery answered ${status}`);
        }
      },
      async deliverMessage(message) {
        const signed = world.signer.sign({
          Type: 'Notification',
          TopicArn: TOPIC_ARN,
          Subject: 'Amazon S3 Notification',
          Message: message,
        });
        const status = await flow.deliver(signed);
        if (status !== 200) throw new Error(`SNS delivery answered ${status}`);
      },
      pageLinkFromEmail: (to) =>
        eventually(async () => {
          const emails = (await ses.emails()).filter((email) => email.destination.to.includes(to));
          const link = emails
            .map((email) => pagePattern.exec(email.body.text ?? '')?.[0])
            .filter((found) => found !== undefined)
            .pop();
          if (link === undefined) throw new Error(`no status page link emailed to ${to} yet`);
          return link;
        }),
      async pageLinkFromThaw(id) {
        const request = await store.get(id);
        const url = request ? await links.statusPageUrl(request) : undefined;
        if (url === undefined) throw new Error(`no status page link for ${id}`);
        return url;
      },
      close: () => closeAll(opened),
    };
  } catch (error) {
    await closeAll(opened);
    throw error;
  }
}

/** Releases in reverse order of opening, every one even if an earlier one fails. */
async function closeAll(opened: Array<() => Promise<unknown>>): Promise<void> {
  const failures: unknown[] = [];
  for (const close of opened.reverse()) {
    try {
      await close();
    } catch (error) {
      failures.push(error);
    }
  }
  opened.length = 0;
  if (failures.length > 0) throw failures[0];
}
