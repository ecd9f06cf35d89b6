import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from '../helpers/eventually';
import { uniquePrefix } from '../helpers/redis';
import { describeInBrowser } from './chromium';
import { startCustomerWorld } from './customer-world';
import type { CustomerWorld } from './customer-world';
import {
  ARTIFACTS_DIR,
  contrastProblems,
  expectPageHeaders,
  openPage,
  refreshSeconds,
  saveDocsScreenshotOnce,
  screenshot,
} from './page-checks';
import { BUCKET, events, expiryIn, intelligentTieringCompleted, recipient } from './restore-fixtures';

/**
 * The customer's status page as a customer meets it: the link comes from an email in the SES
 * emulator, Chromium loads it from a listening thaw, S3 events move the restore on. Screenshots
 * of every state land in test/artifacts/ (one also in docs/customer-page.png, once).
 */
const prefix = uniquePrefix('status-page-browser');
const sizes: Record<string, number> = {};
let world: CustomerWorld;

describeInBrowser('the customer status page in Chromium', () => {
  beforeAll(async () => {
    world = await startCustomerWorld(prefix);
  }, 60_000);

  afterAll(async () => {
    await world?.close();
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
    writeFileSync(join(ARTIFACTS_DIR, 'page-sizes.json'), `${JSON.stringify(sizes, null, 2)}\n`);
  });

  it('waiting to start: says so, refreshes politely, and loads its hashed stylesheet', async () => {
    const id = await world.flow.register({
      bucket: BUCKET,
      key: 'scans/waiting.pdf',
      recipient: recipient('waiting'),
    });
    // No email goes out before S3 reports a start, so this link comes from thaw's link maker.
    const { page, response, errors } = await openPage(world.context, await world.pageLinkFromThaw(id));
    expect(response.status()).toBe(200);
    expectPageHeaders(response);
    expect(await page.locator('h1').innerText()).toBe('Your restore is waiting to start');
    expect(await page.locator('.badge').innerText()).toBe('Waiting to start');
    expect(await refreshSeconds(page)).toBe('300');
    // A stylesheet blocked by the CSP would leave the browser's white background.
    expect(await page.evaluate('getComputedStyle(document.body).backgroundColor')).toBe('rgb(243, 244, 246)');
    expect(errors).toEqual([]);
    await screenshot(page, 'single-requested');
  });

  it('restoring: the expected time, from the link in the "initiated" email', async () => {
    const key = 'scans/restoring.pdf';
    await world.flow.register({ bucket: BUCKET, key, recipient: recipient('restoring') });
    await world.deliver(events('initiated', [key]));
    const { page, errors } = await openPage(
      world.context,
      await world.pageLinkFromEmail('restoring@example.com'),
    );
    expect(await page.locator('h1').innerText()).toBe('Your file is being restored');
    expect(await page.locator('.badge').innerText()).toBe('Restoring');
    const expected = Date.parse((await page.locator('dd time').first().getAttribute('datetime')) ?? '');
    expect(expected).toBeGreaterThan(Date.now());
    expect(await refreshSeconds(page)).toBe('300');
    expect(errors).toEqual([]);
    await screenshot(page, 'single-restoring');
  });

  it('ready: a Download button to /d/…, which redirects to a presigned URL; no refresh', async () => {
    const key = 'scans/ready.pdf';
    await world.flow.register({ bucket: BUCKET, key, recipient: recipient('ready') });
    await world.deliver(events('completed', [key], { restoreExpiryTime: expiryIn(3) }));
    const { page, response, html } = await openPage(
      world.context,
      await world.pageLinkFromEmail('ready@example.com'),
    );
    sizes['single object, ready (HTML with inline CSS), bytes'] = Buffer.byteLength(html);
    expectPageHeaders(response);
    expect(await page.locator('h1').innerText()).toBe('Your file is ready to download');
    const button = page.getByRole('link', { name: 'Download file' });
    const href = (await button.getAttribute('href')) ?? '';
    expect(href.startsWith(`${world.baseUrl}/d/`)).toBe(true);
    expect(await page.locator('dd', { hasText: 'Until' }).count()).toBe(1);
    expect(await refreshSeconds(page)).toBeNull();
    const redirect = await fetch(href, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toContain('X-Amz-Signature=');
    await screenshot(page, 'single-ready');
  });

  it('ready from Intelligent-Tiering: no expiry, so it "stays available"', async () => {
    const key = 'scans/tiered.pdf';
    await world.flow.register({ bucket: BUCKET, key, recipient: recipient('tiered') });
    await world.deliverMessage(intelligentTieringCompleted(key));
    const { page } = await openPage(world.context, await world.pageLinkFromEmail('tiered@example.com'));
    expect(await page.locator('dd', { hasText: 'Stays available' }).count()).toBe(1);
    expect(await page.getByRole('link', { name: 'Download file' }).count()).toBe(1);
    await screenshot(page, 'single-ready-stays');
  });

  it('expired: the copy is gone, no button', async () => {
    const key = 'scans/expired.pdf';
    const id = await world.flow.register({ bucket: BUCKET, key, recipient: recipient('expired') });
    await world.deliver(events('completed', [key], { restoreExpiryTime: expiryIn(2) }));
    const link = await world.pageLinkFromEmail('expired@example.com');
    await world.deliver(events('expired', [key]));
    await eventually(async () => expect((await world.flow.read(id)).status).toBe('expired'));
    const { page } = await openPage(world.context, link);
    expect(await page.locator('h1').innerText()).toBe('Your restored file has expired');
    expect(await page.getByRole('link', { name: 'Download file' }).count()).toBe(0);
    expect(await refreshSeconds(page)).toBeNull();
    await screenshot(page, 'single-expired');
  });

  it('failed: a gentle reason in the customer’s words, not thaw’s', async () => {
    const key = 'scans/failed.pdf';
    const id = await world.flow.register({ bucket: BUCKET, key, recipient: recipient('failed') });
    await world.deliver(events('initiated', [key]));
    const link = await world.pageLinkFromEmail('failed@example.com');
    await world.store.failObject(id, 0, 'the object no longer exists in S3');
    const { page } = await openPage(world.context, link);
    expect(await page.locator('h1').innerText()).toBe('Your file could not be restored');
    const text = await page.locator('main').innerText();
    expect(text).toContain('The file no longer exists in the archive');
    expect(text).not.toContain('in S3');
    expect(await refreshSeconds(page)).toBeNull();
    await screenshot(page, 'single-failed');
  });

  it('several objects: counts and progress; more are ready after more events and a reload', async () => {
    const keys = ['a', 'b', 'c', 'd', 'e', 'f'].map((name) => `shoot-2024/raw/IMG_40${name}.CR3`);
    const id = await world.flow.register({
      objects: keys.map((key) => ({ bucket: BUCKET, key })),
      recipient: recipient('several'),
    });
    await world.deliver(events('initiated', keys.slice(0, 4)));
    const link = await world.pageLinkFromEmail('several@example.com');
    await world.deliver(events('completed', keys.slice(0, 2), { restoreExpiryTime: expiryIn(5) }));
    await world.store.failObject(id, 5, 'the restore never started: S3 shows no restore for this object');
    await eventually(async () => {
      const objects = (await world.flow.read(id)).objects ?? [];
      expect(objects.filter((object) => object.status === 'completed')).toHaveLength(2);
    });
    const { page, errors } = await openPage(world.context, link);
    expect(await page.getByRole('progressbar', { name: '2 of 6 ready (33%)' }).getAttribute('value')).toBe(
      '2',
    );
    expect(await page.locator('.counts li').allInnerTexts()).toEqual([
      'Ready to download: 2',
      'Restoring: 2',
      'Waiting to start: 1',
      'Could not be restored: 1',
    ]);
    const downloads = page.getByRole('link', { name: 'Download', exact: true });
    expect(await downloads.count()).toBe(2);
    for (let index = 0; index < 2; index += 1) {
      expect(await downloads.nth(index).getAttribute('href')).toMatch(
        new RegExp(`^${world.baseUrl}/d/[\\w-]+$`),
      );
    }
    expect(await page.locator('table th[scope="col"]').count()).toBe(8);
    expect(await contrastProblems(page)).toEqual([]);
    expect(errors).toEqual([]);
    saveDocsScreenshotOnce(await screenshot(page, 'several-mixed'));

    await world.deliver(events('completed', keys.slice(2, 4), { restoreExpiryTime: expiryIn(5) }));
    await eventually(async () => {
      await page.reload();
      expect(await page.locator('progress').getAttribute('value')).toBe('4');
    });
    expect(await page.locator('#progress-label').innerText()).toBe('4 of 6 ready (66%)');
    expect(await page.getByRole('link', { name: 'Download', exact: true }).count()).toBe(4);
    await screenshot(page, 'several-more-ready');

    const phone = await world.browser.newContext({ viewport: { width: 360, height: 740 } });
    const small = await openPage(phone, link);
    expect(await small.page.evaluate('document.documentElement.scrollWidth <= innerWidth')).toBe(true);
    await screenshot(small.page, 'several-phone');
    await phone.close();
  });

  it('500 objects: renders every row, 312 with a Download link', async () => {
    const keys = Array.from(
      { length: 500 },
      (_, index) => `survey/tiles/z14/tile-${String(index).padStart(4, '0')}.tif`,
    );
    const id = await world.flow.register({
      objects: keys.map((key) => ({ bucket: BUCKET, key })),
      recipient: recipient('large', 'en', 'America/New_York'),
    });
    await world.deliver(events('initiated', keys));
    const link = await world.pageLinkFromEmail('large@example.com');
    await world.deliver(events('completed', keys.slice(0, 312), { restoreExpiryTime: expiryIn(5) }));
    await eventually(async () => {
      const objects = (await world.flow.read(id)).objects ?? [];
      expect(objects.filter((object) => object.status === 'completed')).toHaveLength(312);
    }, 45_000);
    const { page, html } = await openPage(world.context, link);
    sizes['500 objects, 312 ready (HTML with inline CSS), bytes'] = Buffer.byteLength(html);
    expect(await page.locator('#progress-label').innerText()).toBe('312 of 500 ready (62%)');
    expect(await page.locator('tbody tr').count()).toBe(500);
    expect(await page.getByRole('link', { name: 'Download', exact: true }).count()).toBe(312);
    // The viewport only: a full-page shot of 500 rows is slow to take and to check.
    await screenshot(page, 'several-500', { fullPage: false });
  }, 90_000);

  it('speaks German to a German recipient, and a withdrawn request gets a German 404', async () => {
    const key = 'Rechnungen/2023/Übersicht.pdf';
    const id = await world.flow.register({ bucket: BUCKET, key, recipient: recipient('deutsch', 'de') });
    await world.deliver(events('initiated', [key]));
    const link = await world.pageLinkFromEmail('deutsch@example.com');
    const { page } = await openPage(world.context, link);
    expect(await page.locator('html').getAttribute('lang')).toBe('de');
    expect(await page.locator('h1').innerText()).toBe('Ihre Datei wird wiederhergestellt');
    expect(await page.locator('dd.key').innerText()).toBe(key);
    await screenshot(page, 'single-restoring-de');

    const cancel = await world.thaw.app.inject({
      method: 'DELETE',
      url: `/v1/restores/${id}`,
      headers: { authorization: 'Bearer test-token-0123456789abcdef' },
    });
    expect(cancel.statusCode).toBe(200);
    const gone = await openPage(world.context, link);
    expect(gone.response.status()).toBe(404);
    expectPageHeaders(gone.response);
    expect(await gone.page.locator('h1').innerText()).toBe('Dieser Link ist nicht mehr gültig');
    await screenshot(gone.page, 'not-found-de');
  });

  it('an unknown token gets the friendly English 404 page', async () => {
    const { page, response, errors } = await openPage(
      world.context,
      `${world.baseUrl}/r/NoSuchToken0000000000000000000000`,
    );
    expect(response.status()).toBe(404);
    expectPageHeaders(response);
    expect(await page.locator('h1').innerText()).toBe('This link is not valid any more');
    // The browser reports the 404 itself; nothing else (no blocked style) may be there.
    expect(errors.filter((error) => !error.includes('status of 404'))).toEqual([]);
    await screenshot(page, 'not-found');
  });
});
