import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../../local/simulator';
import type { LocalStack } from '../../../local/stack';
import { loadEnv } from '../../../shared/config';
import { acceptOrder, OrderRequest, type orderView, processOrder } from '../../../shared/orders';
import { createServices } from '../../../shared/runtime/services';
import type { SendcloudPort } from '../../../shared/sendcloud/port';
import type { OrderStore } from '../../../shared/store';
import { type Bridge, exampleOrder, startBridge } from '../../helpers/bridge';
import { pdfText } from '../../helpers/pdfText';

/**
 * Orders of several boxes that no method carries as one shipment (service-point products take one collo,
 * on v2 and v3): one shipment per box, each under `<channel>:<orderId>/<box>`, found again by that reference
 * after a lost answer or a crash between boxes; one label file with a page per box; a cancel reaches every
 * box's shipment — for an account on API v2 and one on API v3.
 */
export function ordersPerParcelSuite(api: 'v2' | 'v3'): void {
  describe(`${api} account`, () => {
    const CREATE_PATH = api === 'v2' ? '^/parcels$' : '^/shipments/announce$';
    const CANCEL_ROUTE = api === 'v2' ? 'POST /parcels/{id}/cancel' : 'v3 POST /shipments/{id}/cancel';
    let sim: RunningSimulator;
    let stack: LocalStack;
    let bridge: Bridge;
    let servicePointId: number;
    const example = exampleOrder();

    beforeAll(async () => {
      bridge = await startBridge({
        api,
        wiring: {
          zplAccounts: ['default'],
          ordersQueue: { visibilityTimeoutSeconds: 1, maxReceiveCount: 3, retryBaseSeconds: 1 },
          requeue: { everyMs: 0, afterSeconds: 0 },
        },
      });
      ({ sim, stack } = bridge);
      const points = (await (
        await fetch(`${stack.url}/service-points?country=NL&postalCode=1012AB&carrier=postnl&limit=1`)
      ).json()) as { servicePoints: Array<{ id: number }> };
      const point = points.servicePoints[0];
      if (!point) throw new Error('the simulator has no PostNL service point near 1012AB');
      servicePointId = point.id;
    }, 30_000);
    afterAll(() => bridge.stop());

    type OrderViewJson = ReturnType<typeof orderView>;
    let n = 0;
    /** Two boxes to a PostNL service point: no service-point product carries several colli. */
    const twoBoxOrder = (): Record<string, unknown> & { orderId: string } => {
      const { parcel: _one, ...rest } = example;
      return {
        ...rest,
        orderId: `PP-${api}-${Date.now()}-${n++}`,
        delivery: { type: 'service_point', servicePointId },
        parcels: [
          { weightGrams: 1200, lengthCm: 30, widthCm: 20, heightCm: 10 },
          { weightGrams: 4800, lengthCm: 40, widthCm: 30, heightCm: 30 },
        ],
      };
    };
    const post = (path: string, body?: unknown) =>
      fetch(`${stack.url}${path}`, {
        method: 'POST',
        ...(body === undefined
          ? {}
          : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });
    const simAdmin = async (path: string, body?: unknown) =>
      (await (
        await fetch(`${sim.url}/__sim${path}`, {
          method: body === undefined ? 'GET' : 'POST',
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        })
      ).json()) as Record<string, unknown>;
    const created = async (ref: string) =>
      ((await simAdmin(`/counts?external_reference=${encodeURIComponent(ref)}`)) as { created: number })
        .created;
    const cancelCalls = async () =>
      ((await simAdmin('/stats')) as { byRoute: Record<string, number> }).byRoute[CANCEL_ROUTE] ?? 0;
    /** Shipments SendCloud made for the order: under its own reference and each box's. */
    const shipmentsAtSendcloud = async (orderId: string) => ({
      order: await created(`webshop:${orderId}`),
      box1: await created(`webshop:${orderId}/1`),
      box2: await created(`webshop:${orderId}/2`),
    });
    async function waitForStatus(orderId: string, statuses: string[], timeoutMs = 15_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const body = (await (await fetch(`${stack.url}/orders/${orderId}`)).json()) as OrderViewJson;
        if (statuses.includes(body.status)) return body;
        if (Date.now() > until) throw new Error(`order ${orderId} stayed ${body.status}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    const eventsFor = (orderId: string, type: string) =>
      stack.bus.events.filter(
        (e) => (e.detail as { orderId?: string }).orderId === orderId && e['detail-type'] === type,
      );

    /** An order accepted straight into the store, not queued: the test processes it itself. */
    async function acceptedWithoutQueueing() {
      const services = createServices(loadEnv());
      const body = OrderRequest.parse(twoBoxOrder());
      await acceptOrder(body, {
        store: services.store,
        queue: { send: async () => undefined },
        events: services.events,
        clock: () => new Date(),
      });
      return { services, key: { channel: body.channel, orderId: body.orderId } };
    }

    it('ships two boxes as two shipments: routing says so, two tracking numbers, a two-page label, events naming each box', async () => {
      // Act
      const body = twoBoxOrder();
      expect((await post('/orders', body)).status).toBe(202);
      const view = await waitForStatus(body.orderId, ['label_stored']);

      // Assess: routing decided one shipment per box, and its trace says why
      expect(view.routing?.shipments).toBe('per_parcel');
      expect(view.routing?.trace.map((t) => t.rule)).toContain('one shipment for 2 parcels');
      expect(view.parcels.map((p) => [p.collo, p.externalReference])).toEqual([
        [{ number: 1, count: 2 }, `webshop:${body.orderId}/1`],
        [{ number: 2, count: 2 }, `webshop:${body.orderId}/2`],
      ]);
      const [tn1, tn2] = view.parcels.map((p) => p.trackingNumber);
      expect(tn1).toBeTruthy();
      expect(tn2).toBeTruthy();
      expect(tn1).not.toBe(tn2);
      expect(view.parcels[0]?.shipmentId).not.toBe(view.parcels[1]?.shipmentId);
      expect(view.parcels.every((p) => p.carrier === 'postnl')).toBe(true);
      expect(await shipmentsAtSendcloud(body.orderId)).toEqual({ order: 0, box1: 1, box2: 1 });

      // one label file: a page per box, each with its own tracking number, in box order; ZPL a label each
      const label = await fetch(`${stack.url}/orders/${body.orderId}/label`);
      const pdf = await PDFDocument.load(await label.arrayBuffer());
      expect(pdf.getPageCount()).toBe(2);
      const pages = await Promise.all(
        [0, 1].map(async (i) => {
          const single = await PDFDocument.create();
          const [page] = await single.copyPages(pdf, [i]);
          if (page) single.addPage(page);
          return (await pdfText(await single.save())).text;
        }),
      );
      expect(pages[0]).toContain(tn1);
      expect(pages[1]).toContain(tn2);
      const zpl = await (await fetch(`${stack.url}/orders/${body.orderId}/label?format=zpl`)).text();
      expect(zpl.match(/\^XA/g)).toHaveLength(2);

      expect(eventsFor(body.orderId, 'Parcel Announced')).toHaveLength(1);
      expect(eventsFor(body.orderId, 'Parcel Announced')[0]?.detail).toMatchObject({
        trackingNumber: tn1,
        collo: { number: 1, count: 2 },
        parcels: [
          { trackingNumber: tn1, collo: { number: 1, count: 2 } },
          { trackingNumber: tn2, collo: { number: 2, count: 2 } },
        ],
      });
    });

    it('in POST /orders/batch, an order of boxes shipped one by one is announced box by box beside the others', async () => {
      // Prepare
      const split = twoBoxOrder();
      const single = { ...example, orderId: `${split.orderId}-single` };

      // Act
      expect((await post('/orders/batch', { orders: [split, single] })).status).toBe(202);
      const splitView = await waitForStatus(split.orderId, ['label_stored']);
      const singleView = await waitForStatus(single.orderId, ['label_stored']);

      // Assess
      expect(splitView.parcels.map((p) => p.externalReference)).toEqual([
        `webshop:${split.orderId}/1`,
        `webshop:${split.orderId}/2`,
      ]);
      expect(singleView.parcels).toHaveLength(1);
      expect(await shipmentsAtSendcloud(split.orderId)).toEqual({ order: 0, box1: 1, box2: 1 });
    });

    it('each box’s lost answer is reconciled by its own reference: still exactly two shipments', async () => {
      // Prepare: SendCloud announces both boxes, and both answers are lost
      await simAdmin('/faults', { method: 'POST', path: CREATE_PATH, kind: 'drop_response', count: 2 });

      // Act
      const body = twoBoxOrder();
      await post('/orders', body);
      const view = await waitForStatus(body.orderId, ['label_stored']);

      // Assess
      expect(view.parcels).toHaveLength(2);
      expect(await shipmentsAtSendcloud(body.orderId)).toEqual({ order: 0, box1: 1, box2: 1 });
    });

    it('a worker that dies after SendCloud announced each box, before recording it: the next ones find them, two shipments in all', async () => {
      // Prepare: each box's record is lost once, right after SendCloud announced the box
      const { services, key } = await acceptedWithoutQueueing();
      const crashed = new Set<number>();
      const crashingStore = new Proxy(services.store, {
        get(target, name) {
          if (name === 'update')
            return (async (order, changes, fence) => {
              const boxes = changes.parcels?.length;
              if (boxes && !crashed.has(boxes)) {
                crashed.add(boxes);
                throw new Error(`Lambda died before recording box ${boxes}`);
              }
              return target.update(order, changes, fence);
            }) satisfies OrderStore['update'];
          const value: unknown = Reflect.get(target, name);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      const deps = { ...services.processDeps, store: crashingStore, lockMs: 50 };
      const pause = () => new Promise((resolve) => setTimeout(resolve, 60));

      // Act
      await expect(processOrder(key, deps)).rejects.toThrow('before recording box 1');
      await pause();
      await expect(processOrder(key, deps)).rejects.toThrow('before recording box 2');
      await pause();
      const outcome = await processOrder(key, deps);

      // Assess
      expect(outcome).toBe('done');
      const stored = await services.store.get(key);
      expect(stored?.status).toBe('label_stored');
      expect(stored?.parcels?.map((p) => p.colloNumber)).toEqual([1, 2]);
      expect(await shipmentsAtSendcloud(key.orderId)).toEqual({ order: 0, box1: 1, box2: 1 });
    });

    it('carriers refuse box 2 and nothing is left for it: the order fails and box 1, already announced, is cancelled', async () => {
      // Prepare: from box 2 on, every announcement is refused by the carrier (the fault is set as box 2 goes
      // out; box 1 is announced as usual). The fallbacks of box 2 are refused too.
      const { services, key } = await acceptedWithoutQueueing();
      const refuseFromBox2 = (port: SendcloudPort): SendcloudPort =>
        new Proxy(port, {
          get(target, name) {
            if (name === 'announce')
              return (async (draft) => {
                if (draft.externalReference === `webshop:${key.orderId}/2`)
                  await simAdmin('/faults', {
                    method: 'POST',
                    path: CREATE_PATH,
                    kind: 'carrier_reject',
                    message: 'Service not available for this postal code',
                    count: 10,
                  });
                return target.announce(draft);
              }) satisfies SendcloudPort['announce'];
            const value: unknown = Reflect.get(target, name);
            return typeof value === 'function' ? value.bind(target) : value;
          },
        });
      const deps = {
        ...services.processDeps,
        sendcloud: async (account: string, priority?: 'realtime' | 'batch') =>
          refuseFromBox2(await services.processDeps.sendcloud(account, priority)),
      };
      const cancelsBefore = await cancelCalls();

      // Act
      const outcome = await processOrder(key, deps).finally(() =>
        fetch(`${sim.url}/__sim/faults`, { method: 'DELETE' }),
      );

      // Assess: failed, saying what became of box 1; SendCloud asked to cancel it, and it ends cancelled
      expect(outcome).toBe('failed');
      const stored = await services.store.get(key);
      expect(stored?.status).toBe('failed');
      expect(stored?.failure?.reason).toMatch(/box 1, already announced/);
      expect(Object.values(stored?.refusedMethods ?? {})[0]).toMatch(/^box 2 of 2: /);
      expect(await cancelCalls()).toBe(cancelsBefore + 1);
      const box1 = stored?.parcels?.[0];
      expect(box1?.externalReference).toBe(`webshop:${key.orderId}/1`);
      const advanced = (await simAdmin(`/parcels/${box1?.id}/advance`, {})) as { status: { id: number } };
      expect(advanced.status.id).toBe(2000);
      expect(eventsFor(key.orderId, 'Parcel Announcement Failed')).toHaveLength(1);
    });

    it('a cancel cancels every box’s shipment', async () => {
      // Prepare
      const body = twoBoxOrder();
      await post('/orders', body);
      const view = await waitForStatus(body.orderId, ['label_stored']);
      const cancelsBefore = await cancelCalls();

      // Act
      const cancel = await post(`/orders/${body.orderId}/cancel?channel=webshop`);

      // Assess: SendCloud was asked once per shipment, and both boxes' labels are on their way out
      expect([200, 202]).toContain(cancel.status);
      expect((await cancelCalls()) - cancelsBefore).toBe(2);
      for (const parcel of view.parcels) {
        // SendCloud completes a queued cancel: the next step of each box is Cancelled
        const advanced = (await simAdmin(`/parcels/${parcel.sendcloudId}/advance`, {})) as {
          status: { id: number };
        };
        expect(advanced.status.id).toBe(2000);
      }
      const cancelled = eventsFor(body.orderId, 'Parcel Cancelled');
      expect(cancelled).toHaveLength(1);
      // the one event names every box the cancel covers
      expect(
        ((cancelled[0]?.detail ?? {}) as { parcels?: { parcelId: number; collo: unknown }[] }).parcels?.map(
          (p) => [p.parcelId, p.collo],
        ),
      ).toEqual(view.parcels.map((p, i) => [p.sendcloudId, { number: i + 1, count: 2 }]));
    });
  });
}
