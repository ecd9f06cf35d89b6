import { deliverRestore } from '../simulate/deliver';
import type { Signer } from '../simulate/sns-signer';
import { BUCKET, KEY, RECIPIENT, TIMEOUT_MS, TOPIC_ARN } from './demo-run';
import type { DemoRun } from './demo-run';
import type { DemoThaw } from './start-thaw';

/** Registers the demo's restore request through the API (thaw does not start the restore); its id. */
export async function registerRequest(run: DemoRun, thaw: DemoThaw): Promise<string> {
  const registered = await fetch(`${thaw.base}/v1/restores`, {
    method: 'POST',
    headers: { authorization: `Bearer ${thaw.apiToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      bucket: BUCKET,
      key: KEY,
      tier: 'Standard',
      days: 7,
      initiate: false,
      recipient: { email: RECIPIENT, name: 'Dana Customer', locale: 'en', timeZone: 'Europe/Berlin' },
    }),
  });
  if (registered.status !== 201)
    throw new Error(`registering the request answered ${registered.status}: ${await registered.text()}`);
  const { id } = (await registered.json()) as { id: string };
  run.say(`Registered restore request ${id} for ${RECIPIENT}`);
  return id;
}

/** Plays S3 → SNS: "restore initiated", then "restore completed", each waited for as an email. */
export async function playRestore(
  run: DemoRun,
  thaw: DemoThaw,
  signer: Signer,
  sesUrl: string,
): Promise<void> {
  const delivery = { url: `${thaw.base}/sns`, signer, topicArn: TOPIC_ARN };
  const post = await deliverRestore(
    'initiated',
    { bucket: BUCKET, key: KEY, storageClass: 'DEEP_ARCHIVE' },
    delivery,
  );
  run.say(`S3 → SNS: ObjectRestore:Post delivered, thaw answered ${post.status}`);
  await emailsArrived(sesUrl, 1);
  run.say('Email 1 of 2 ("restore started") is in the SES emulator');
  const expiry = new Date(Date.now() + 7 * 86400_000);
  expiry.setUTCHours(0, 0, 0, 0);
  const completed = await deliverRestore(
    'completed',
    { bucket: BUCKET, key: KEY, restoreExpiryTime: expiry.toISOString() },
    delivery,
  );
  run.say(`S3 → SNS: ObjectRestore:Completed delivered, thaw answered ${completed.status}`);
  await emailsArrived(sesUrl, 2);
  run.say('Email 2 of 2 ("ready to download") is in the SES emulator');
}

/** Waits until `count` emails to the recipient are in the SES emulator, at most TIMEOUT_MS. */
async function emailsArrived(sesUrl: string, count: number): Promise<void> {
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    const store = (await (await fetch(`${sesUrl}/store`)).json()) as {
      emails: { destination: { to: string[] } }[];
    };
    const found = store.emails.filter((email) => email.destination.to.includes(RECIPIENT)).length;
    if (found >= count) return;
    if (Date.now() > deadline)
      throw new Error(
        `only ${found} of ${count} emails reached the SES emulator within ${TIMEOUT_MS / 1000} s`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
