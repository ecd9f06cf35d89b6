import { BUCKET, RECIPIENT, TOPIC_ARN } from './demo-run';
import type { DemoThaw } from './start-thaw';

/**
 * Checks the request's status and the customer's page the emails link, then prints where to look.
 * Throws when the customer's page is missing or does not answer 200.
 */
export async function printWhereToLook(thaw: DemoThaw, sesUrl: string, id: string): Promise<void> {
  const { base, apiToken, adminToken } = thaw;
  const status = (await (
    await fetch(`${base}/v1/restores/${id}`, { headers: { authorization: `Bearer ${apiToken}` } })
  ).json()) as {
    status: string;
  };
  const statusPage = await statusPageLink(sesUrl, base);
  const pageStatus = statusPage ? (await fetch(statusPage)).status : undefined;
  if (pageStatus !== 200) {
    throw new Error(
      statusPage
        ? `the customer's page ${statusPage} answered ${pageStatus}`
        : "the emails carry no link to the customer's page (/r/:token)",
    );
  }
  console.log('');
  console.log(`Request ${id} is ${status.status}.`);
  console.log(`  Emails (web page):    ${sesUrl}/`);
  console.log(`  Emails (JSON):        ${sesUrl}/store`);
  console.log(
    `  Request status:       curl -H 'Authorization: Bearer ${apiToken}' ${base}/v1/restores/${id}`,
  );
  console.log(`  Customer's page:      ${statusPage}`);
  console.log(`  API description:      ${base}/docs`);
  console.log(
    `  Queues (Bull Board):  ${base}/admin/queues  (user: thaw, password: ${adminToken}; the API token shows it read-only)`,
  );
  console.log(`  Metrics:              ${base}/metrics`);
  console.log(
    `  Try more:             node dist/cli/thaw.js simulate --url ${base}/sns --topic-arn ${TOPIC_ARN} --bucket ${BUCKET} --key 'another file.txt'`,
  );
}

/** The customer's status page, as the emails link it (`/r/:token`); the token exists only there. */
async function statusPageLink(sesUrl: string, base: string): Promise<string | undefined> {
  const store = (await (await fetch(`${sesUrl}/store`)).json()) as {
    emails: { destination: { to: string[] }; body?: { text?: string } }[];
  };
  const prefix = `${base}/r/`;
  for (const email of store.emails) {
    if (!email.destination.to.includes(RECIPIENT)) continue;
    const text = email.body?.text ?? '';
    const at = text.indexOf(prefix);
    const token = at < 0 ? undefined : /^[A-Za-z0-9_-]+/.exec(text.slice(at + prefix.length))?.[0];
    if (token) return `${prefix}${token}`;
  }
  return undefined;
}
