import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../local/simulator';
import type { LocalStack } from '../../local/stack';
import { type Bridge, exampleOrder, startBridge } from '../helpers/bridge';

/** End of day on the local wiring: held orders → one batch → SendCloud batch create → merged files → shipped. */
let sim: RunningSimulator;
let stack: LocalStack;
let bridge: Bridge;
const example = exampleOrder();

beforeAll(async () => {
  process.env.MERGE_PART_SIZE = '3';
  bridge = await startBridge({
    wiring: { ordersQueue: { visibilityTimeoutSeconds: 1, retryBaseSeconds: 1 } },
  });
  ({ sim, stack } = bridge);
}, 30_000);
afterAll(() => bridge.stop());

const post = (path: string, body: unknown) =>
  fetch(`${stack.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const stats = async () => (await (await fetch(`${sim.url}/__sim/stats`)).json()) as { batchCreates: number };
const created = async (ref: string) =>
  (
    (await (await fetch(`${sim.url}/__sim/counts?external_reference=${encodeURIComponent(ref)}`)).json()) as {
      created: number;
    }
  ).created;

interface BatchView {
  batchId: string;
  status: string;
  total: number;
  done: number;
  failed: number;
  progress: number;
  files: Array<{ split: string; format: string; part: number; parts: number; labels: number; href: string }>;
  failures: Array<{ orderId: string; reason: string }>;
}
async function finished(batchId: string): Promise<BatchView> {
  const until = Date.now() + 20_000;
  for (;;) {
    const batch = (await (await fetch(`${stack.url}/batches/${batchId}`)).json()) as BatchView;
    if (batch.status === 'completed') return batch;
    if (Date.now() > until) throw new Error(`batch stuck at ${JSON.stringify(batch).slice(0, 300)}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

describe('end-of-day batch', () => {
  it('holds end-of-day orders, then ships them in one batch with merged label files per carrier', async () => {
    const stamp = Date.now();
    const nl = [1, 2, 3, 4].map((i) => ({
      ...example,
      orderId: `EOD-${stamp}-NL${i}`,
      dispatch: 'end_of_day',
    }));
    const be = {
      ...example,
      orderId: `EOD-${stamp}-BE`,
      dispatch: 'end_of_day',
      recipient: { ...(example.recipient as object), country: 'BE', postalCode: '2000', city: 'Antwerpen' },
    };
    const heavy = {
      ...example,
      orderId: `EOD-${stamp}-HEAVY`,
      dispatch: 'end_of_day',
      parcel: { weightGrams: 95_000 },
    };
    const accepted = await post('/orders/batch', { orders: [...nl, be, heavy] });
    expect(accepted.status).toBe(202);
    expect(
      ((await accepted.json()) as { results: Array<{ status: number }> }).results.every(
        (r) => r.status === 202,
      ),
    ).toBe(true);
    const held = (await (await fetch(`${stack.url}/orders/${nl[0]?.orderId}`)).json()) as { status: string };
    expect(held.status).toBe('ready');
    expect(await created(`webshop:${nl[0]?.orderId}`)).toBe(0);

    const before = (await stats()).batchCreates;
    const start = await post('/batches', { account: 'default', splitBy: 'carrier' });
    expect(start.status).toBe(202);
    const { batchId, total } = (await start.json()) as { batchId: string; total: number };
    expect(total).toBe(6);

    const batch = await finished(batchId);
    expect(batch).toMatchObject({ done: 5, failed: 1, progress: 1 });
    expect(batch.failures).toEqual([
      {
        orderId: heavy.orderId,
        channel: 'webshop',
        reason: expect.stringMatching(/no shipping method can carry this order/),
      },
    ]);
    expect((await stats()).batchCreates - before).toBe(1);
    for (const o of [...nl, be]) expect(await created(`webshop:${o.orderId}`)).toBe(1);

    // postnl: 4 labels in parts of 3 → 2 parts; bpost: 1 label → 1 part; each as A6, A4 and ZPL
    const summary = batch.files.map((f) => `${f.split}:${f.format}:${f.part}/${f.parts}:${f.labels}`).sort();
    expect(summary).toEqual(
      [
        'bpost:a4:1/1:1',
        'bpost:a6:1/1:1',
        'bpost:zpl:1/1:1',
        'postnl:a4:1/2:3',
        'postnl:a4:2/2:1',
        'postnl:a6:1/2:3',
        'postnl:a6:2/2:1',
        'postnl:zpl:1/2:3',
        'postnl:zpl:2/2:1',
      ].sort(),
    );
    const file = (split: string, format: string, part: number) =>
      batch.files.find((f) => f.split === split && f.format === format && f.part === part);
    const a6 = await PDFDocument.load(
      await (await fetch(`${stack.url}${file('postnl', 'a6', 1)?.href}`)).arrayBuffer(),
    );
    expect(a6.getPageCount()).toBe(3);
    const a4 = await PDFDocument.load(
      await (await fetch(`${stack.url}${file('postnl', 'a4', 1)?.href}`)).arrayBuffer(),
    );
    expect(a4.getPageCount()).toBe(1);
    expect(a4.getPage(0).getSize().width).toBeCloseTo(595.28);
    const zpl = await (await fetch(`${stack.url}${file('postnl', 'zpl', 1)?.href}`)).text();
    expect(zpl.match(/\^XA/g)).toHaveLength(3);

    const shipped = (await (await fetch(`${stack.url}/orders/${nl[0]?.orderId}`)).json()) as {
      processing: string;
    };
    expect(shipped.processing).toBe('shipped');
    const completed = stack.bus.events.filter(
      (e) => e['detail-type'] === 'Batch Completed' && (e.detail as { batchId: string }).batchId === batchId,
    );
    expect(completed).toHaveLength(1);
    expect(completed[0]?.detail).toMatchObject({ total: 6, succeeded: 5, failed: 1 });

    const empty = (await (await post('/batches', { account: 'default' })).json()) as {
      total: number;
      status: string;
    };
    expect(empty).toMatchObject({ total: 0, status: 'completed' });
  });

  it('a batch create whose answer was lost is reconciled: still one parcel per order', async () => {
    const stamp = Date.now();
    const orders = [1, 2, 3].map((i) => ({
      ...example,
      orderId: `EOD-${stamp}-R${i}`,
      dispatch: 'end_of_day',
    }));
    await post('/orders/batch', { orders });
    await fetch(`${sim.url}/__sim/faults`, {
      method: 'POST',
      body: JSON.stringify({ method: 'POST', path: '^/parcels$', kind: 'drop_response', count: 1 }),
    });
    const { batchId } = (await (await post('/batches', { account: 'default' })).json()) as {
      batchId: string;
    };
    const batch = await finished(batchId);
    expect(batch).toMatchObject({ total: 3, done: 3, failed: 0 });
    for (const o of orders) expect(await created(`webshop:${o.orderId}`)).toBe(1);
  });

  it("writes the day's shipping report: per carrier, method and country, statuses, failures, time to label", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const run = (await (await fetch(`${stack.url}/_local/jobs/daily-report`, { method: 'POST' })).json()) as {
      result: unknown;
    };
    expect(run.result).toBeDefined();
    const report = (await (await fetch(`${stack.url}/reports/${today}?account=default`)).json()) as {
      orders: number;
      parcels: number;
      failed: number;
      byCarrier: Record<string, number>;
      byCountry: Record<string, number>;
      statuses: Record<string, number>;
      failures: Record<string, number>;
      averageSecondsToLabel: number | null;
    };
    expect(report.orders).toBeGreaterThanOrEqual(9);
    expect(report.byCarrier).toMatchObject({ postnl: expect.any(Number), bpost: 1 });
    expect(report.byCountry.BE).toBe(1);
    expect(report.statuses.shipped).toBeGreaterThanOrEqual(8);
    expect(report.failed).toBe(1);
    expect(Object.keys(report.failures)[0]).toMatch(/no shipping method can carry this order/);
    expect(report.averageSecondsToLabel).toBeGreaterThanOrEqual(0);
    const csv = await (await fetch(`${stack.url}/reports/${today}?account=default&format=csv`)).text();
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe(
      'orderId,channel,country,carrier,shippingMethod,trackingNumber,status,failure,acceptedAt,labelStoredAt,secondsToLabel',
    );
    expect(lines).toHaveLength(report.orders + 1);
    expect(csv).not.toMatch(/Sanne|Damrak|sanne@|\+31612345678/);
    expect((await fetch(`${stack.url}/reports/yesterday`)).status).toBe(400);
  });

  it('refuses an unknown account', async () => {
    expect((await post('/batches', { account: 'nobody' })).status).toBe(400);
    expect((await fetch(`${stack.url}/batches/eod-nope`)).status).toBe(404);
  });
});
