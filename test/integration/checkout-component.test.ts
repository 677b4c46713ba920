import { existsSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack';
import { type Bridge, exampleOrder, startBridge } from '../helpers/bridge';

/**
 * <sendcloud-bridge-checkout> in a real headless Chromium (Debian's package): a shop page on its own origin
 * loads the component from the local stack, the customer picks a service point, the shop gets the choice.
 * CI installs Chromium (.ci/run sets REQUIRE_BROWSER=1); elsewhere the test says it skipped and why.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium && process.env.REQUIRE_BROWSER)
  throw new Error(`REQUIRE_BROWSER is set but ${CHROMIUM} is missing`);
if (!hasChromium) console.warn(`browser test skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

let bridge: Bridge;
let stack: LocalStack;
let shop: Server;
let shopUrl: string;
let browser: Browser;
const example = exampleOrder();

beforeAll(async () => {
  if (!hasChromium) return;
  // The shop's checkout page, on another origin than the API.
  let apiUrl = '';
  shop = createServer((_, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html><head><meta charset="utf-8"><title>Checkout</title>
      <script src="${apiUrl}/checkout/component.js"></script></head>
      <body style="margin:0;background:#fff"><main style="width:480px;padding:16px">
      <sendcloud-bridge-checkout api="${apiUrl}" country="NL" postal-code="1012AB" weight-grams="1200" order-value="49.95">
      </sendcloud-bridge-checkout></main>
      <script>window.choices = []; document.addEventListener('sendcloud-bridge-choice', (e) => window.choices.push(e.detail));</script>
      </body></html>`);
  });
  await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
  shopUrl = `http://127.0.0.1:${(shop.address() as AddressInfo).port}`;
  bridge = await startBridge({ wiring: { checkout: { origins: [shopUrl] } } });
  stack = bridge.stack;
  apiUrl = stack.url;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 60_000);
afterAll(async () => {
  if (!hasChromium) return;
  await browser?.close();
  await bridge?.stop();
  await new Promise((resolve) => shop?.close(resolve));
});

/** Decodes a PNG in the page and measures it: size, how much is ink, and the bands of text rows (browser code). */
const MEASURE = `async (base64) => {
  const image = new Image();
  image.src = 'data:image/png;base64,' + base64;
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = image.width;
  canvas.height = image.height;
  const context = canvas.getContext('2d');
  context.drawImage(image, 0, 0);
  const { data } = context.getImageData(0, 0, image.width, image.height);
  let ink = 0, bands = 0, inBand = false;
  for (let y = 0; y < image.height; y++) {
    let rowInk = 0;
    // ignore a 4 px margin on each side, where the fieldset borders are
    for (let x = 4; x < image.width - 4; x++) {
      const i = (y * image.width + x) * 4;
      if (data[i] + data[i + 1] + data[i + 2] < 384) rowInk++;
    }
    ink += rowInk;
    if (rowInk > 0 && !inBand) bands++;
    inBand = rowInk > 0;
  }
  return { width: image.width, height: image.height, inkRatio: ink / (image.width * image.height), bands };
}`;
const measure = (page: Page, png: Buffer) =>
  page.evaluate(`(${MEASURE})(${JSON.stringify(png.toString('base64'))})`) as Promise<{
    width: number;
    height: number;
    inkRatio: number;
    bands: number;
  }>;

describe.skipIf(!hasChromium)('<sendcloud-bridge-checkout> in Chromium', () => {
  it('renders delivery options and service points, and emits the choice as an order the API accepts', async () => {
    const page = await browser.newPage({ viewport: { width: 520, height: 1200 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(shopUrl);
    const options = page.locator('sendcloud-bridge-checkout label[part="option"]');
    await options.first().waitFor();
    const titles = await options.locator('.title').allTextContents();
    expect(titles).toEqual(expect.arrayContaining(['Home delivery', 'Evening delivery']));
    expect(titles.some((t) => t.startsWith('Pick up at a'))).toBe(true);

    // home delivery: the choice comes out at once
    await options.filter({ hasText: 'Home delivery' }).click();
    const home = (await page.evaluate('window.choices.at(-1)')) as { order: Record<string, unknown> };
    expect(home.order).toMatchObject({ serviceLevel: 'standard', delivery: { type: 'home' } });

    // a pick-up point: the list of points appears, the customer picks the first
    await options.filter({ hasText: 'Pick up at a' }).first().click();
    const points = page.locator('sendcloud-bridge-checkout label[part="service-point"]');
    await points.first().waitFor();
    const count = await points.count();
    expect(count).toBeGreaterThan(2);
    expect(await points.first().locator('.meta').textContent()).toMatch(/km · today/);

    const shot = await page.locator('sendcloud-bridge-checkout').screenshot();
    writeFileSync(join(bridge.stateDir, 'checkout.png'), shot);
    console.log(`screenshot: ${join(bridge.stateDir, 'checkout.png')}`);
    const picture = await measure(page, shot);
    const box = await page.locator('sendcloud-bridge-checkout').boundingBox();
    expect(picture.width).toBe(Math.round(box?.width ?? 0));
    // text on a white page: some ink, far from blank or solid
    expect(picture.inkRatio).toBeGreaterThan(0.01);
    expect(picture.inkRatio).toBeLessThan(0.5);
    // every option and every point is its own line of text (title and details), plus the legends
    expect(picture.bands).toBeGreaterThanOrEqual(titles.length + count);

    await points.first().click();
    const choice = (await page.evaluate('window.choices.at(-1)')) as {
      servicePoint: { id: number };
      order: { delivery: { type: string; servicePointId: number }; shippingMethodId: number };
    };
    expect(choice.order.delivery).toEqual({ type: 'service_point', servicePointId: choice.servicePoint.id });

    // what the shop posts with the order is accepted: the point exists and fits the chosen method
    const accepted = await fetch(`${stack.url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...example, orderId: `WC-${Date.now()}`, ...choice.order }),
    });
    expect(accepted.status).toBe(202);
    expect(errors).toEqual([]);
    await page.close();
  });
});
