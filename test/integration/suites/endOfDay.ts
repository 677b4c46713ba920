import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../../local/simulator';
import type { LocalStack } from '../../../local/stack';
import { lambdaContext } from '../../../local/stack/lambdaContext';
import { LOCAL_NAMES } from '../../../local/wiring';
import { assembleBatch, DynamoBatchStore, startBatch } from '../../../shared/batches';
import { type OrderMessage, OrderRequest } from '../../../shared/orders';
import type { DailySummary } from '../../../shared/reports/dailyReport';
import { DynamoOrderStore } from '../../../shared/store';
import { type Bridge, exampleOrder, startBridge } from '../../helpers/bridge';
import { orderRecord } from '../../helpers/factories';
import { pdfText } from '../../helpers/pdfText';

/**
 * End of day on the local wiring: held orders → one batch → SendCloud (v2: one batch create; v3: one
 * synchronous announce per order) → merged files → shipped. `endOfDaySuite(api)` runs it for an account on
 * either API (batches.test.ts: v2, end-of-day-v3.test.ts: v3); the store-level tests run once, on v2.
 */
export function endOfDaySuite(api: 'v2' | 'v3'): void {
  describe(`${api} account`, () => {
    /** Where each API creates, for faults (below `/api/v2` or `/api/v3`). */
    // Batches on v3 go through the Orders API: labels are asked for with create-labels-async.
    const BATCH_CREATE_PATH = api === 'v2' ? '^/parcels$' : '^/orders/create-labels-async$';
    const faultsSeen = async () =>
      ((await (await fetch(`${sim.url}/__sim/stats`)).json()) as { faults: number }).faults;
    /** More than one v2 batch create (50 each); v3 makes one write per order (100 a minute), so fewer there. */
    const MANY = api === 'v2' ? 60 : 20;
    let sim: RunningSimulator;
    let stack: LocalStack;
    let bridge: Bridge;
    const example = exampleOrder();

    // Reports over 4 KiB come as links here (1 MiB in AWS): a day of a hundred orders is a CSV over that.
    // Well under the CSV of the ≈30 orders this suite makes (≈4 KB), so the CSV must come as a link.
    const REPORT_INLINE_MAX_BYTES = 2048;

    /** When the stack started: its orders are dated by the stack's own clock, on this day or the next. */
    let startedAt: Date;

    beforeAll(async () => {
      startedAt = new Date();
      bridge = await startBridge({
        api,
        wiring: {
          // The account's printers take ZPL: its batches get a ZPL stream and each order its ZPL label.
          zplAccounts: ['default'],
          mergePartSize: 3,
          reportInlineMaxBytes: REPORT_INLINE_MAX_BYTES,
          ordersQueue: { visibilityTimeoutSeconds: 1, retryBaseSeconds: 1 },
        },
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
    const stats = async () =>
      (await (await fetch(`${sim.url}/__sim/stats`)).json()) as { batchCreates: number };
    const routes = async () =>
      ((await (await fetch(`${sim.url}/__sim/stats`)).json()) as { byRoute: Record<string, number> }).byRoute;
    const created = async (ref: string) =>
      (
        (await (
          await fetch(`${sim.url}/__sim/counts?external_reference=${encodeURIComponent(ref)}`)
        ).json()) as {
          created: number;
        }
      ).created;

    /** Accepts orders through POST /orders/batch, sending again those answered NOT_PROCESSED. */
    async function acceptAll(orders: readonly unknown[]): Promise<void> {
      let pending = [...orders];
      while (pending.length > 0) {
        const response = await post('/orders/batch', { orders: pending });
        const answer = (await response.json()) as { results: Array<{ index: number; status: number }> };
        expect(answer.results.every((r) => r.status === 202 || r.status === 503)).toBe(true);
        pending = answer.results.filter((r) => r.status === 503).map((r) => pending[r.index]);
      }
    }

    interface BatchView {
      batchId: string;
      status: string;
      total: number | null;
      assigned: number;
      done: number;
      failed: number;
      progress: number;
      files: Array<{
        split: string;
        format: string;
        part: number;
        parts: number;
        labels: number;
        bytes: number;
        href: string;
      }>;
      failures: Array<{ orderId: string; reason: string }>;
      links: { self: string };
    }
    async function finished(batchId: string, withinMs = 20_000): Promise<BatchView> {
      const until = Date.now() + withinMs;
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
          recipient: {
            ...(example.recipient as object),
            country: 'BE',
            postalCode: '2000',
            city: 'Antwerpen',
          },
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
        const held = (await (await fetch(`${stack.url}/orders/${nl[0]?.orderId}`)).json()) as {
          status: string;
        };
        expect(held.status).toBe('ready');
        expect(await created(`webshop:${nl[0]?.orderId}`)).toBe(0);

        const before = (await stats()).batchCreates;
        const routesBefore = await routes();
        // SendCloud documents no page order of merged labels: the simulator returns them reversed.
        await fetch(`${sim.url}/__sim/accounts/default/bulk-page-order`, {
          method: 'PUT',
          body: JSON.stringify({ order: 'reversed' }),
        });
        const start = await post('/batches', { account: 'default', splitBy: 'carrier' });
        expect(start.status).toBe(202);
        const { batchId, status } = (await start.json()) as BatchView;
        expect(status).toBe('starting');
        expect(start.headers.get('location')).toBe(`/batches/${batchId}`);

        const batch = await finished(batchId);
        expect(batch).toMatchObject({ total: 6, assigned: 6, done: 5, failed: 1, progress: 1 });
        expect(batch.failures).toEqual([
          {
            orderId: heavy.orderId,
            channel: 'webshop',
            reason: expect.stringMatching(/no shipping method can carry this order/),
          },
        ]);
        expect((await stats()).batchCreates - before).toBe(api === 'v2' ? 1 : 0);
        const routesAfter = await routes();
        const calls = (route: string) => (routesAfter[route] ?? 0) - (routesBefore[route] ?? 0);
        // Labels in bulk: one merged call per format for the 5 parcels, none alone — every page matched. The
        // suite's 1 s visibility timeout may hand the group to a second worker meanwhile, which asks again.
        const bulk = calls(api === 'v2' ? 'GET /labels/label_printer' : 'v3 GET /parcel-documents/label');
        expect(
          calls(api === 'v2' ? 'GET /labels/label_printer/{id}' : 'v3 GET /parcels/{id}/documents/label'),
        ).toBe(0);
        if (api === 'v2') {
          // v2 merges PDFs only (label_printer): its ZPL is one documents GET per parcel.
          expect(bulk).toBeGreaterThanOrEqual(1);
          expect(calls('GET /parcels/{id}/documents/label')).toBeGreaterThanOrEqual(5);
          expect(calls('GET /parcels/{id}/documents/label')).toBeLessThanOrEqual(5 * bulk);
        } else {
          expect(bulk).toBeGreaterThanOrEqual(2);
          expect(bulk % 2).toBe(0);
        }
        // Each stored label is its own parcel's, though the merged pages came in reverse order.
        const tracking = new Map<string, string>();
        const postnl: Array<{ sendcloudId: number; trackingNumber: string }> = [];
        for (const o of [...nl, be]) {
          const view = (await (await fetch(`${stack.url}/orders/${o.orderId}`)).json()) as {
            parcels: Array<{ sendcloudId: number; carrier: string; trackingNumber: string }>;
          };
          const [parcel] = view.parcels;
          tracking.set(o.orderId, parcel?.trackingNumber ?? 'none');
          if (parcel?.carrier === 'postnl') postnl.push(parcel);
        }
        for (const [orderId, own] of tracking) {
          const others = [...tracking].filter(([id]) => id !== orderId).map(([, number]) => number);
          const { pages, text } = await pdfText(
            await (await fetch(`${stack.url}/orders/${orderId}/label`)).arrayBuffer(),
          );
          const zpl = await (await fetch(`${stack.url}/orders/${orderId}/label?format=zpl`)).text();
          expect({ pages, zplLabels: zpl.match(/\^XA/g)?.length }).toEqual({ pages: 1, zplLabels: 1 });
          expect([text.includes(own), zpl.includes(own)]).toEqual([true, true]);
          expect(others.filter((number) => text.includes(number) || zpl.includes(number))).toEqual([]);
        }
        if (api === 'v3') {
          // Through the Orders API: one upsert, labels asked once per option (PostNL, bpost), no announce.
          expect(calls('v3 POST /orders')).toBe(1);
          expect(calls('v3 POST /orders/create-labels-async')).toBe(2);
          expect(calls('v3 POST /shipments/announce')).toBe(0);
        }
        await fetch(`${sim.url}/__sim/accounts/default/bulk-page-order`, {
          method: 'PUT',
          body: JSON.stringify({ order: 'requested' }),
        });
        for (const o of [...nl, be]) expect(await created(`webshop:${o.orderId}`)).toBe(1);

        // postnl: 4 labels in parts of 3 → 2 parts; bpost: 1 label → 1 part; each as A6, A4 and ZPL
        const summary = batch.files
          .map((f) => `${f.split}:${f.format}:${f.part}/${f.parts}:${f.labels}`)
          .sort();
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
        expect(batch.files.every((f) => f.bytes > 0)).toBe(true);
        const file = (split: string, format: string, part: number) =>
          batch.files.find((f) => f.split === split && f.format === format && f.part === part);
        // A merged file is a redirect to a presigned S3 link, which a plain GET downloads.
        const redirect = await fetch(`${stack.url}${file('postnl', 'a6', 1)?.href}`, { redirect: 'manual' });
        expect(redirect.status).toBe(303);
        const link = (await redirect.json()) as { url: string; expiresAt: string; bytes: number };
        const location = redirect.headers.get('location') ?? '';
        expect(location).toBe(link.url);
        expect(new URL(location).searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
        expect(location).not.toMatch(/X-Amz-Credential=[^&]*secret|sim-secret-key/i);
        expect(Date.parse(link.expiresAt) - Date.now()).toBeGreaterThan(5 * 60_000);
        const pdf = await fetch(location);
        expect(pdf.status).toBe(200);
        const bytes = await pdf.arrayBuffer();
        expect(bytes.byteLength).toBe(link.bytes);
        const a6 = await PDFDocument.load(bytes);
        expect(a6.getPageCount()).toBe(3);
        // Copied from the merged files SendCloud returned reversed (kept with the batch's files), each page
        // its parcel's, in parcel order.
        const records = new DynamoOrderStore(DynamoDBDocumentClient.from(new DynamoDBClient({})), {
          tableName: LOCAL_NAMES.table,
        });
        const record = await records.get({ channel: 'webshop', orderId: nl[0]?.orderId ?? '' });
        expect(record?.labels?.a6?.page?.key).toMatch(new RegExp(`^batches/default/${batchId}/pages/`));
        const firstPart = postnl.sort((a, b) => a.sendcloudId - b.sendcloudId).slice(0, 3);
        for (const [index, parcel] of firstPart.entries()) {
          const page = await PDFDocument.create();
          for (const copied of await page.copyPages(a6, [index])) page.addPage(copied);
          const { text } = await pdfText(await page.save());
          const shown = [...tracking.values()].filter((number) => text.includes(number));
          expect(shown).toEqual([parcel.trackingNumber]);
        }
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
          (e) =>
            e['detail-type'] === 'Batch Completed' && (e.detail as { batchId: string }).batchId === batchId,
        );
        expect(completed).toHaveLength(1);
        expect(completed[0]?.detail).toMatchObject({ total: 6, succeeded: 5, failed: 1 });

        const empty = (await (await post('/batches', { account: 'default' })).json()) as BatchView;
        expect(await finished(empty.batchId)).toMatchObject({ total: 0, status: 'completed', files: [] });
      });

      it('a batch create whose answer was lost is reconciled: still one parcel per order, even where SendCloud would take a duplicate', async () => {
        // worst case: a blind re-send would be a second shipment, not a refusal
        await fetch(`${sim.url}/__sim/accounts/default/duplicate-external-reference`, {
          method: 'PUT',
          body: JSON.stringify({ mode: 'accept' }),
        });
        const stamp = Date.now();
        const orders = [1, 2, 3].map((i) => ({
          ...example,
          orderId: `EOD-${stamp}-R${i}`,
          dispatch: 'end_of_day',
        }));
        await post('/orders/batch', { orders });
        const faultsBefore = await faultsSeen();
        await fetch(`${sim.url}/__sim/faults`, {
          method: 'POST',
          body: JSON.stringify({ method: 'POST', path: BATCH_CREATE_PATH, kind: 'drop_response', count: 1 }),
        });
        const { batchId } = (await (await post('/batches', { account: 'default' })).json()) as {
          batchId: string;
        };
        const batch = await finished(batchId);
        expect(batch).toMatchObject({ total: 3, done: 3, failed: 0 });
        for (const o of orders) expect(await created(`webshop:${o.orderId}`)).toBe(1);
        expect(await faultsSeen()).toBe(faultsBefore + 1);
        await fetch(`${sim.url}/__sim/accounts/default/duplicate-external-reference`, {
          method: 'PUT',
          body: JSON.stringify({ mode: 'reject' }),
        });
      });

      it(`answers POST /batches at once with the batch starting, then takes ${MANY} ready orders and completes`, async () => {
        const stamp = Date.now();
        const orders = Array.from({ length: MANY }, (_, i) => ({
          ...example,
          orderId: `EOD-${stamp}-M${i}`,
          dispatch: 'end_of_day',
        }));
        await acceptAll(orders);

        const started = performance.now();
        const start = await post('/batches', { account: 'default' });
        const answeredMs = performance.now() - started;
        expect(start.status).toBe(202);
        const answer = (await start.json()) as BatchView;
        expect(answer).toMatchObject({ status: 'starting', total: null, progress: 0 });
        console.log(
          `POST /batches with ${MANY} ready orders answered in ${answeredMs.toFixed(0)} ms (${api})`,
        );

        // Most of the wait is SendCloud's GET budget (1,000 a minute): two label downloads per order.
        const batch = await finished(answer.batchId, 110_000);
        expect(batch).toMatchObject({ total: MANY, assigned: MANY, done: MANY, failed: 0 });
        const labels = batch.files.filter((f) => f.format === 'a6').reduce((n, f) => n + f.labels, 0);
        expect(labels).toBe(MANY);
        const last = orders.at(-1)?.orderId ?? '';
        const shipped = (await (await fetch(`${stack.url}/orders/${last}`)).json()) as { processing: string };
        expect(shipped.processing).toBe('shipped');
      }, 120_000);

      it("writes the day's shipping report: per carrier, method and country, statuses, failures, time to label", async () => {
        // Every day the suite's orders may be dated (the stack's clock is the machine's: a run may cross
        // midnight), each day's report, their counts added up.
        const days = [...new Set([startedAt, new Date()].map((d) => d.toISOString().slice(0, 10)))];
        const run = (await (
          await fetch(`${stack.url}/_local/jobs/daily-report`, { method: 'POST' })
        ).json()) as {
          result: unknown;
        };
        expect(run.result).toBeDefined();
        const daily: Report[] = [];
        for (const day of days)
          daily.push((await (await fetch(`${stack.url}/reports/${day}?account=default`)).json()) as Report);
        const report = addUp(daily);
        expect(report.orders).toBeGreaterThanOrEqual(9);
        expect(report.parcels).toBeGreaterThanOrEqual(8);
        expect(report.byCarrier).toMatchObject({ postnl: expect.any(Number), bpost: 1 });
        expect(report.byCountry.BE).toBe(1);
        expect(report.statuses.shipped).toBeGreaterThanOrEqual(8);
        expect(report.failed).toBe(1);
        expect(Object.keys(report.failures)[0]).toMatch(/no shipping method can carry this order/);
        expect(report.averageSecondsToLabel).toBeGreaterThanOrEqual(0);
        // The JSON summary is small and comes inline; the CSV (a row per order) is over the limit: a link.
        const today = days[daily.findIndex((d) => d.orders === Math.max(...daily.map((r) => r.orders)))];
        const summary = await fetch(`${stack.url}/reports/${today}?account=default`, { redirect: 'manual' });
        expect(summary.status).toBe(200);
        expect(summary.headers.get('content-type')).toMatch(/application\/json/);
        const redirect = await fetch(`${stack.url}/reports/${today}?account=default&format=csv`, {
          redirect: 'manual',
        });
        expect(redirect.status).toBe(303);
        const link = (await redirect.json()) as { url: string; bytes: number };
        expect(link.bytes).toBeGreaterThan(REPORT_INLINE_MAX_BYTES);
        const csv = await (await fetch(redirect.headers.get('location') ?? '')).text();
        const lines = csv.trim().split('\n');
        expect(lines[0]).toBe(
          'orderId,channel,country,carrier,shippingMethod,trackingNumber,status,failure,acceptedAt,labelStoredAt,secondsToLabel',
        );
        expect(lines).toHaveLength((daily[days.indexOf(today ?? '')]?.orders ?? 0) + 1);
        expect(csv).not.toMatch(/Sanne|Damrak|sanne@|\+31612345678/);
        expect((await fetch(`${stack.url}/reports/yesterday`)).status).toBe(400);
      });

      it('refuses an unknown account', async () => {
        expect((await post('/batches', { account: 'nobody' })).status).toBe(400);
        expect((await fetch(`${stack.url}/batches/eod-nope`)).status).toBe(404);
      });
    });

    describe.runIf(api === 'v2')('starting a batch on DynamoDB', () => {
      /** The service's stores on the local table, through a client whose `at`-th call crashes (before or after). */
      function stores(crash?: { at: number; when: 'before' | 'after' }) {
        const real = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
          marshallOptions: { removeUndefinedValues: true },
        });
        let calls = 0;
        const db = new Proxy(real, {
          get(target, property, receiver) {
            if (property !== 'send') return Reflect.get(target, property, receiver);
            return async (command: Parameters<typeof real.send>[0]) => {
              const call = ++calls;
              if (crash?.at === call && crash.when === 'before') throw new Error(`crash before call ${call}`);
              // After the call took effect (or was refused): the caller never learns how it went.
              const result = await real.send(command).catch((error: unknown) => ({ error }));
              if (crash?.at === call && crash.when === 'after') throw new Error(`crash after call ${call}`);
              if ('error' in result) throw result.error;
              return result;
            };
          },
        });
        const tableName = LOCAL_NAMES.table;
        return {
          calls: () => calls,
          orders: new DynamoOrderStore(db, { tableName }),
          batches: new DynamoBatchStore(db, { tableName }),
        };
      }

      /** Ready orders of an account no other test batches, so the running worker never sees them. */
      async function readyOrders(prefix: string, count: number) {
        const { orders } = stores();
        const keys = Array.from({ length: count }, (_, i) => ({
          channel: 'webshop',
          orderId: `${prefix}-${i}`,
        }));
        for (const [i, key] of keys.entries()) {
          const at = new Date(Date.now() - 60_000 + i).toISOString();
          await orders.create(orderRecord({ ...key, account: 'crashtest', status: 'ready' }, at), {
            recipient: OrderRequest.parse(example).recipient,
            items: [],
          });
        }
        return keys;
      }

      it('resumes after a crash before or after every DynamoDB call: each order once, in this batch, counted once', async () => {
        const sent: OrderMessage[] = [];
        const queue = { send: async (messages: readonly OrderMessage[]) => void sent.push(...messages) };
        const clock = () => new Date();
        const begin = async (prefix: string) => {
          const keys = await readyOrders(prefix, 4);
          sent.length = 0;
          const batch = await startBatch(
            { account: 'crashtest', splitBy: 'none', limit: 10_000 },
            { batches: stores().batches, queue, clock, id: () => prefix },
          );
          const message = sent.find((m) => m.kind === 'start-batch');
          if (message?.kind !== 'start-batch') throw new Error('no start message');
          return { keys, batchId: batch.batchId, message };
        };

        const probe = await begin(`P${Date.now()}`);
        const counted = stores();
        await assembleBatch(message(probe), { ...deps(counted), queue, clock }, { pageSize: 3 });
        const calls = counted.calls();

        let crashes = 0;
        for (let at = 1; at <= calls; at++)
          for (const when of ['before', 'after'] as const) {
            const run = await begin(`C${Date.now()}-${at}${when[0]}`);
            const crashing = stores({ at, when });
            // Shards differ per order id, so a run may need fewer calls than the probe: then nothing crashes.
            const failure = await assembleBatch(
              run.message,
              { ...deps(crashing), queue, clock },
              { pageSize: 3 },
            ).then(
              () => undefined,
              (error: unknown) => error,
            );
            if (failure !== undefined) {
              expect(String(failure)).toMatch(/crash/);
              crashes++;
            }
            const healthy = stores();
            await assembleBatch(run.message, { ...deps(healthy), queue, clock }, { pageSize: 3 });
            const batch = await healthy.batches.get(run.batchId);
            const members = (await healthy.batches.members(run.batchId)).map((m) => m.orderId).sort();
            const owners = await Promise.all(
              run.keys.map(async (k) => (await healthy.orders.get(k))?.batchId),
            );
            const queued = new Set(
              sent
                .flatMap((m) => (m.kind === 'batch' && m.batchId === run.batchId ? m.orders : []))
                .map((o) => o.orderId),
            );
            const where = `${when} call ${at}`;
            expect(batch?.status, where).toBe('running');
            expect(batch?.total, where).toBe(4);
            expect(members, where).toEqual(run.keys.map((k) => k.orderId).sort());
            expect(
              owners.every((o) => o === run.batchId),
              where,
            ).toBe(true);
            expect(queued.size, where).toBe(4);
          }
        expect(crashes).toBeGreaterThan(calls);
      }, 120_000);

      const message = (run: { message: Extract<OrderMessage, { kind: 'start-batch' }> }) => run.message;
      const deps = (s: ReturnType<typeof stores>) => ({ store: s.orders, batches: s.batches });
    });

    describe.runIf(api === 'v2')('POST /orders/batch near its deadline', () => {
      it('with an Idempotency-Key, a partial answer is not kept as the key’s answer: the repeat processes the rest', async () => {
        // The handler itself, with a context whose time runs out after a few looks (Powertools looks once).
        const { handler } = await import('../../../functions/create-order-batch');
        const stamp = Date.now();
        const orders = [1, 2, 3, 4, 5].map((i) => ({
          ...example,
          orderId: `IDEM-${stamp}-${i}`,
          dispatch: 'end_of_day',
        }));
        const body = JSON.stringify({ orders });
        const event = (): APIGatewayProxyEventV2 => ({
          version: '2.0',
          routeKey: 'POST /orders/batch',
          rawPath: '/orders/batch',
          rawQueryString: '',
          headers: { 'content-type': 'application/json', 'idempotency-key': `key-${stamp}` },
          requestContext: {
            accountId: '000000000000',
            apiId: 'local',
            domainName: 'localhost',
            domainPrefix: 'localhost',
            http: {
              method: 'POST',
              path: '/orders/batch',
              protocol: 'HTTP/1.1',
              sourceIp: '127.0.0.1',
              userAgent: 'test',
            },
            requestId: `r-${stamp}`,
            routeKey: 'POST /orders/batch',
            stage: '$default',
            time: new Date().toUTCString(),
            timeEpoch: Date.now(),
          },
          body,
          isBase64Encoded: false,
        });
        let looks = 0;
        const hurried = {
          ...lambdaContext('create-order-batch', { timeoutMs: 29_000 }),
          getRemainingTimeInMillis: () => (++looks <= 3 ? 28_000 : 1_000),
        };
        const answer = async (context: Context) => {
          const result = (await handler(event(), context)) as { statusCode: number; body: string };
          return {
            status: result.statusCode,
            ...(JSON.parse(result.body) as {
              notProcessed: number;
              results: Array<{ status: number; duplicate?: boolean; code?: string }>;
            }),
          };
        };

        const first = await answer(hurried);
        expect(first.status).toBe(207);
        expect(first.notProcessed).toBeGreaterThan(0);
        expect(first.results.filter((r) => r.status === 202).length).toBeGreaterThan(0);
        expect(first.results.filter((r) => r.status === 503).every((r) => r.code === 'NOT_PROCESSED')).toBe(
          true,
        );
        const early = first.results.filter((r) => r.status === 202).length;

        const second = await answer(lambdaContext('create-order-batch', { timeoutMs: 29_000 }));
        expect(second.status).toBe(202);
        expect(second.results.map((r) => r.status)).toEqual([202, 202, 202, 202, 202]);
        expect(second.results.filter((r) => r.duplicate)).toHaveLength(early);

        // Now the key has its final answer: a third call gets it back as it was.
        const third = await answer(lambdaContext('create-order-batch', { timeoutMs: 29_000 }));
        expect(third).toEqual(second);
      });
    });
  });
}

type Report = Pick<
  DailySummary,
  | 'orders'
  | 'parcels'
  | 'failed'
  | 'byCarrier'
  | 'byCountry'
  | 'statuses'
  | 'failures'
  | 'averageSecondsToLabel'
>;

/** Days' reports as one: counts added, per key. */
function addUp(reports: readonly Report[]): Report {
  const sum = (pick: (r: Report) => Record<string, number>) => {
    const total: Record<string, number> = {};
    for (const r of reports) for (const [k, v] of Object.entries(pick(r))) total[k] = (total[k] ?? 0) + v;
    return total;
  };
  const add = (pick: (r: Report) => number) => reports.reduce((n, r) => n + pick(r), 0);
  return {
    orders: add((r) => r.orders),
    parcels: add((r) => r.parcels),
    failed: add((r) => r.failed),
    byCarrier: sum((r) => r.byCarrier),
    byCountry: sum((r) => r.byCountry),
    statuses: sum((r) => r.statuses),
    failures: sum((r) => r.failures),
    averageSecondsToLabel:
      reports.find((r) => r.averageSecondsToLabel !== null)?.averageSecondsToLabel ?? null,
  };
}
