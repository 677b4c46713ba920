import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../../local/simulator';
import type { LocalStack } from '../../../local/stack';
import { type Bridge, exampleOrder, startBridge } from '../../helpers/bridge';
import { until as waitUntil } from '../../helpers/until';

/**
 * Returns on the local wiring, through the real handlers, against the simulator — for an account on API v2
 * (`POST /parcels` with `is_return`, `GET /returns`) and one on API v3 (`POST /returns/announce-synchronously`,
 * `GET /returns?from_date=&to_date=`). The return parcel is tracked by the same webhooks on both.
 */
/** Registers the suite for an account on `api`; one test file per version (one local stack per process). */
export function returnsSuite(api: 'v2' | 'v3'): void {
  describe(`${api} account`, () => {
    /** Where each API creates an outbound shipment: the path faults are aimed at (below `/api/v2` or `/api/v3`). */
    const CREATE_PATH = api === 'v2' ? '^/parcels$' : '^/shipments/announce$';
    /** The simulator's count of direct return reads (`GET /returns/{id}`) on each API. */
    const GET_RETURN_ROUTE = api === 'v2' ? 'GET /returns/{id}' : 'v3 GET /returns/{id}';
    let sim: RunningSimulator;
    let stack: LocalStack;
    let bridge: Bridge;
    const example = exampleOrder();

    beforeAll(async () => {
      bridge = await startBridge({
        api,
        simulator: { webhookTimeScale: 0.0001 },
        wiring: { ordersQueue: { visibilityTimeoutSeconds: 5, retryBaseSeconds: 1 } },
      });
      ({ sim, stack } = bridge);
      await admin('/accounts/default/webhook', { url: `${stack.url}/webhooks/sendcloud` });
    }, 30_000);
    afterAll(() => bridge.stop());

    async function admin(path: string, body?: unknown, method = body === undefined ? 'GET' : 'POST') {
      const response = await fetch(`${sim.url}/__sim${path}`, {
        method,
        ...(method === 'GET' ? {} : { body: JSON.stringify(body ?? {}) }),
      });
      return response.status === 204 ? undefined : response.json();
    }
    const get = async <T>(path: string) => {
      const response = await fetch(`${stack.url}${path}`);
      return { status: response.status, body: (await response.json()) as T };
    };
    const post = async <T>(path: string, body: unknown, headers: Record<string, string> = {}) => {
      const response = await fetch(`${stack.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as T };
    };
    /** These waits run longer than the default. */
    const until = <T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 20000) =>
      waitUntil(read, ok, timeoutMs);

    interface ReturnAnswer {
      returnId: string;
      status: string;
      order: { channel: string; orderId: string; parcelId: number };
      parcel: { id: number; carrier: string; trackingNumber: string } | null;
      returnPortalUrl: string | null;
      links: { self: string; label: string };
    }

    async function shippedOrder() {
      const orderId = `RET-SRC-${Date.now()}`;
      await post('/orders', { ...example, orderId });
      const shipped = await until(
        () => get<{ status: string; parcels: Array<{ sendcloudId: number }> }>(`/orders/${orderId}`),
        (v) => v.body.status === 'label_stored',
      );
      return { orderId, parcelId: shipped.body.parcels[0]?.sendcloudId ?? 0 };
    }
    const request = (orderId: string) => ({
      channel: 'webshop',
      orderId,
      items: [{ description: 'Running shoes', quantity: 1, sku: 'SHOE-42', reason: 'wrong_size' as const }],
    });

    it('creates a stored return label once, lists it, and tracks the return parcel with isReturn', async () => {
      const { orderId, parcelId } = await shippedOrder();
      const created = await post<ReturnAnswer>('/returns', request(orderId));
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        order: { channel: 'webshop', orderId, parcelId },
        status: 'label_stored',
      });
      expect(created.body.parcel?.carrier).toBe('postnl');
      expect(created.body.returnPortalUrl).toMatch(/^https:\/\/.+shipping-portal\.com\/rp\//);
      const label = await fetch(`${stack.url}${created.body.links.label}`);
      expect(label.headers.get('content-type')).toBe('application/pdf');
      expect(
        Buffer.from(await label.arrayBuffer())
          .subarray(0, 5)
          .toString(),
      ).toBe('%PDF-');

      // the same request again: the same return, no second label at SendCloud
      const again = await post<ReturnAnswer>('/returns', request(orderId));
      expect(again.status).toBe(200);
      expect(again.body.returnId).toBe(created.body.returnId);
      const counts = (await admin(
        `/counts?external_reference=${encodeURIComponent(`return:${created.body.returnId}`)}`,
      )) as { created: number };
      expect(counts.created).toBe(1);
      // the order lists its return, once
      const original = await get<{ returns: Array<{ returnId: string; links: { label: string } }> }>(
        `/orders/${orderId}`,
      );
      expect(original.body.returns).toEqual([
        {
          returnId: created.body.returnId,
          links: { self: created.body.links.self, label: created.body.links.label },
        },
      ]);
      const returnEvents = stack.bus.events.filter(
        (e) =>
          e['detail-type'] === 'Return Created' &&
          (e.detail as { returnId: string }).returnId === created.body.returnId,
      );
      expect(returnEvents).toHaveLength(1);
      expect(returnEvents[0]?.detail).toMatchObject({
        orderId,
        isReturn: true,
        parcelId: created.body.parcel?.id,
      });

      const listed = await get<{
        returns: Array<{ returnId: string | null; sendcloud: { parcelId: number } }>;
      }>('/returns');
      expect(listed.body.returns.find((r) => r.returnId === created.body.returnId)?.sendcloud.parcelId).toBe(
        created.body.parcel?.id,
      );
      const byId = async () =>
        ((await admin('/stats')) as { byRoute: Record<string, number> }).byRoute[GET_RETURN_ROUTE] ?? 0;
      const firstBefore = await byId();
      const one = await get<
        ReturnAnswer & { sendcloud: { id: number; parcelStatus: { id: number } } | null }
      >(created.body.links.self);
      expect(one.body.sendcloud?.parcelStatus?.id).toBe(1000);
      expect(one.body.sendcloud?.id).toEqual(expect.any(Number));
      // v2: found once among the newest returns (by its parcel), then asked for by SendCloud's id; v3 lists
      // returns without an id, so the one its create answered is asked for from the start
      expect(await byId()).toBe(firstBefore + (api === 'v2' ? 0 : 1));
      const directBefore = await byId();
      const again2 = await get<{ sendcloud: { id: number } | null }>(created.body.links.self);
      expect(again2.body.sendcloud?.id).toBe(one.body.sendcloud?.id);
      expect(await byId()).toBe(directBefore + 1);

      // the customer drops it off: the return parcel is tracked like an outbound one
      await admin(`/parcels/${created.body.parcel?.id}/advance`, {});
      const tracked = await until(
        () =>
          get<ReturnAnswer & { history: Array<{ statusId: number }>; tracking: unknown }>(
            created.body.links.self,
          ),
        (v) => v.body.history.some((h) => h.statusId !== 1000) && v.body.tracking !== null,
      );
      expect(tracked.body.status).toBe('in_transit');
      const changed = stack.bus.events.filter(
        (e) =>
          e['detail-type'] === 'Parcel Status Changed' &&
          (e.detail as { parcelId: number }).parcelId === created.body.parcel?.id,
      );
      expect(changed[0]?.detail).toMatchObject({ isReturn: true, orderId, returnId: created.body.returnId });
    });

    it('makes one label when the same return is posted five times at once, and honours Idempotency-Key', async () => {
      const { orderId } = await shippedOrder();
      const body = { ...request(orderId), reference: 'RMA-CONCURRENT' };
      const answers = await Promise.all([1, 2, 3, 4, 5].map(() => post<ReturnAnswer>('/returns', body)));
      expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
      expect(answers.every((a) => [200, 201, 409].includes(a.status))).toBe(true);
      const returnId = answers.find((a) => a.status === 201)?.body.returnId ?? '';
      const counts = (await admin(
        `/counts?external_reference=${encodeURIComponent(`return:${returnId}`)}`,
      )) as {
        created: number;
      };
      expect(counts.created).toBe(1);
      // a retry after the in-progress answer gets the finished return
      expect((await post<ReturnAnswer>('/returns', body)).body).toMatchObject({
        returnId,
        status: 'label_stored',
      });
      // one Idempotency-Key, two different bodies: the second is refused
      const key = { 'idempotency-key': `ret-${Date.now()}` };
      expect((await post('/returns', { ...body, reference: 'RMA-KEYED' }, key)).status).toBe(201);
      const reused = await post<{ code: string }>('/returns', { ...body, reference: 'RMA-OTHER' }, key);
      expect(reused).toMatchObject({ status: 409, body: { code: 'IDEMPOTENCY_KEY_REUSED' } });
      // the order lists each return once, however often it was asked for
      const listed = await get<{ returns: Array<{ returnId: string }> }>(`/orders/${orderId}`);
      expect(listed.body.returns.map((r) => r.returnId)).toHaveLength(2);
      expect(listed.body.returns[0]?.returnId).toBe(returnId);
    });

    it('cancels a return label at SendCloud once; a repeat sends nothing; an unknown return is 404', async () => {
      const { orderId } = await shippedOrder();
      const created = await post<ReturnAnswer>('/returns', request(orderId));
      expect(created.status).toBe(201);
      const { returnId } = created.body;
      const cancelRoute = api === 'v2' ? 'POST /parcels/{id}/cancel' : 'v3 PATCH /returns/{id}/cancel';
      const asked = async () =>
        ((await admin('/stats')) as { byRoute: Record<string, number> }).byRoute[cancelRoute] ?? 0;
      const before = await asked();

      const first = await post<{ status: string; changed: boolean; cancellation: { outcome: string } }>(
        `/returns/${returnId}/cancel`,
        {},
      );
      // v3 queues every return cancel (202); v2 answers for the return parcel like for any parcel.
      expect([200, 202]).toContain(first.status);
      if (api === 'v3') expect(first.status).toBe(202);
      expect(first.body).toMatchObject({
        status: first.status === 202 ? 'cancellation_requested' : 'cancelled',
        changed: true,
      });
      expect(await asked()).toBe(before + 1);

      const again = await post<{ changed: boolean }>(`/returns/${returnId}/cancel`, {});
      expect(again.status).toBe(first.status);
      expect(again.body.changed).toBe(false);
      expect(await asked()).toBe(before + 1);
      const cancelled = stack.bus.events.filter(
        (e) =>
          e['detail-type'] === 'Parcel Cancelled' && (e.detail as { orderId: string }).orderId === returnId,
      );
      expect(cancelled).toHaveLength(1);
      expect(cancelled[0]?.detail).toMatchObject({ isReturn: true, sentToSendcloud: true });

      // The order's own route does not cancel returns, and the return route knows only returns.
      expect((await post(`/orders/${returnId}/cancel?channel=returns`, {})).status).toBe(404);
      expect((await post(`/returns/RET-NOPE/cancel`, {})).status).toBe(404);
      expect((await post(`/returns/${orderId}/cancel`, {})).status).toBe(404);
    });

    it('refuses a return for an order that has not shipped, or with nothing to return', async () => {
      const orderId = `RET-NOSHIP-${Date.now()}`;
      await admin('/faults', { path: CREATE_PATH, method: 'POST', kind: 'status', status: 400, count: 20 });
      await post('/orders', { ...example, orderId });
      await until(
        () => get<{ status: string }>(`/orders/${orderId}`),
        (v) => v.body.status === 'failed',
      );
      await admin('/faults', undefined, 'DELETE');
      const refused = await post<{ code: string }>('/returns', request(orderId));
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe('ORDER_NOT_SHIPPED');
      const empty = await post<{ errors: Array<{ path: string }> }>('/returns', {
        ...request(orderId),
        items: [],
      });
      expect(empty.status).toBe(400);
      expect(empty.body.errors[0]?.path).toBe('items');
      expect((await post('/returns', { parcelId: 123456789, items: request(orderId).items })).status).toBe(
        404,
      );
      // the channel returns live under is not an order channel
      const reserved = await post<{ errors: Array<{ path: string }> }>('/orders', {
        ...example,
        channel: 'returns',
      });
      expect(reserved.status).toBe(400);
      expect(reserved.body.errors.map((e) => e.path)).toEqual(['channel']);
    });
  });
}
