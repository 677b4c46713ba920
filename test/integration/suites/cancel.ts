import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../../local/simulator';
import type { LocalStack } from '../../../local/stack';
import { type Bridge, exampleOrder, startBridge } from '../../helpers/bridge';

/**
 * `POST /orders/{orderId}/cancel` on the local wiring against the simulator, for an account on API v2
 * (cancel.test.ts: `POST /parcels/{id}/cancel`) and on API v3 (cancel-v3.test.ts: `POST /shipments/{id}/cancel`):
 * a fresh label's cancel is queued (202) and tracking completes it, a repeat sends nothing, an end-of-day order
 * is cancelled before SendCloud ever sees it, a delivered parcel is too late.
 */
export function cancelSuite(api: 'v2' | 'v3'): void {
  describe(`${api} account`, () => {
    /** The simulator's count of SendCloud cancel calls. */
    const CANCEL_ROUTE = api === 'v2' ? 'POST /parcels/{id}/cancel' : 'v3 POST /shipments/{id}/cancel';
    const DELIVERED = 11;
    let sim: RunningSimulator;
    let stack: LocalStack;
    let bridge: Bridge;
    const example = exampleOrder();

    beforeAll(async () => {
      bridge = await startBridge({
        api,
        simulator: { webhookTimeScale: 0.0001 },
        wiring: { ordersQueue: { visibilityTimeoutSeconds: 1, retryBaseSeconds: 1 } },
      });
      ({ sim, stack } = bridge);
      // Tracking by webhook: a queued cancel is completed by SendCloud's status change.
      await admin('/accounts/default/webhook', { url: `${stack.url}/webhooks/sendcloud` });
    }, 30_000);
    afterAll(() => bridge.stop());

    async function admin(path: string, body?: unknown) {
      const response = await fetch(`${sim.url}/__sim${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return (await response.json()) as Record<string, unknown>;
    }
    const cancelCalls = async () =>
      ((await admin('/stats')) as { byRoute: Record<string, number> }).byRoute[CANCEL_ROUTE] ?? 0;
    const created = async (ref: string) =>
      ((await admin(`/counts?external_reference=${encodeURIComponent(ref)}`)) as { created: number }).created;

    let n = 0;
    const order = (overrides: Record<string, unknown> = {}) => ({
      ...example,
      orderId: `C-${api}-${Date.now()}-${n++}`,
      ...overrides,
    });
    const post = (path: string, body?: unknown) =>
      fetch(`${stack.url}${path}`, {
        method: 'POST',
        ...(body === undefined
          ? {}
          : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });

    interface CancelJson {
      status: string;
      changed: boolean;
      code?: string;
      message?: string;
      cancellation: { outcome: string; sentToSendcloud: boolean; message: string };
      parcel: { sendcloudId: number } | null;
    }
    const cancel = async (orderId: string) => {
      const response = await post(`/orders/${orderId}/cancel?channel=webshop`);
      return { status: response.status, body: (await response.json()) as CancelJson };
    };

    interface ViewJson {
      status: string;
      processing: string;
      parcels: Array<{ sendcloudId: number }>;
      cancellation: { outcome: string } | null;
    }
    const view = async (orderId: string) =>
      (await (await fetch(`${stack.url}/orders/${orderId}`)).json()) as ViewJson;
    async function waitFor(orderId: string, done: (v: ViewJson) => boolean, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const v = await view(orderId);
        if (done(v)) return v;
        if (Date.now() > until) throw new Error(`order ${orderId} stayed ${v.status}/${v.processing}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    const cancelledEvents = (orderId: string) =>
      stack.bus.events.filter(
        (e) =>
          e['detail-type'] === 'Parcel Cancelled' && (e.detail as { orderId: string }).orderId === orderId,
      );

    /** An order taken all the way to its stored label. */
    async function shipped() {
      const body = order();
      expect((await post('/orders', body)).status).toBe(202);
      const labelled = await waitFor(body.orderId, (v) => v.processing === 'label_stored');
      const parcelId = labelled.parcels[0]?.sendcloudId;
      if (!parcelId) throw new Error('no parcel');
      return { orderId: body.orderId, parcelId };
    }

    it('cancels a fresh label at SendCloud: queued (202), completed by tracking, a repeat sends nothing; one Parcel Cancelled', async () => {
      const { orderId, parcelId } = await shipped();
      const before = await cancelCalls();

      // A fresh label (Ready to send) is cancelled by SendCloud later: 202, cancellation_requested.
      const first = await cancel(orderId);
      expect(first.status).toBe(202);
      expect(first.body).toMatchObject({
        status: 'cancellation_requested',
        changed: true,
        cancellation: { outcome: 'requested', sentToSendcloud: true },
        parcel: { sendcloudId: parcelId },
      });
      expect(await cancelCalls()).toBe(before + 1);
      expect((await view(orderId)).status).toBe('cancellation_requested');

      // Asked again while SendCloud works on it: the same answer, nothing sent.
      const pending = await cancel(orderId);
      expect(pending).toMatchObject({ status: 202, body: { changed: false } });
      expect(await cancelCalls()).toBe(before + 1);

      // SendCloud completes it (1999 → 2000); its webhook moves the order to cancelled.
      await admin(`/parcels/${parcelId}/advance`, {});
      const cancelled = await waitFor(orderId, (v) => v.status === 'cancelled');
      expect(cancelled.cancellation).toMatchObject({ outcome: 'requested' });

      const again = await cancel(orderId);
      expect(again).toMatchObject({ status: 200, body: { status: 'cancelled', changed: false } });
      expect(await cancelCalls()).toBe(before + 1);

      expect(cancelledEvents(orderId)).toHaveLength(1);
      expect(cancelledEvents(orderId)[0]?.detail).toMatchObject({
        status: 'cancellation_requested',
        outcome: 'requested',
        sentToSendcloud: true,
        parcelId,
      });
      // The label of a cancelled order is not handed out.
      const label = await fetch(`${stack.url}/orders/${orderId}/label`);
      expect(label.status).toBe(409);
      expect(((await label.json()) as { code: string }).code).toBe('ORDER_CANCELLED');
    });

    it('ships a cancelled order anew when it is posted again: its own shipment, the first one kept in its history', async () => {
      const { orderId, parcelId } = await shipped();
      expect((await cancel(orderId)).status).toBe(202);
      await admin(`/parcels/${parcelId}/advance`, {});
      await waitFor(orderId, (v) => v.status === 'cancelled');

      const reposted = await post('/orders', order({ orderId }));
      expect(reposted.status).toBe(202);
      const again = (await waitFor(orderId, (v) => v.processing === 'label_stored')) as ViewJson & {
        generation: number;
        previous: Array<{ generation: number; status: string; parcelId: number }>;
      };
      expect(again.generation).toBe(2);
      expect(again.previous).toEqual([
        expect.objectContaining({ generation: 1, status: 'cancelled', parcelId }),
      ]);
      const newParcel = again.parcels[0]?.sendcloudId;
      expect(newParcel).toBeDefined();
      expect(newParcel).not.toBe(parcelId);
      // One shipment per generation, each under its own reference.
      expect(await created(`webshop:${orderId}`)).toBe(1);
      expect(await created(`webshop:${orderId}#2`)).toBe(1);
      expect((await fetch(`${stack.url}/orders/${orderId}/label`)).status).toBe(200);
      // A late status of the first parcel moves nothing on the second.
      await admin(`/parcels/${parcelId}/advance`, {});
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await view(orderId)).processing).toBe('label_stored');
      // The repeat of the repost is a repeat: nothing new.
      expect((await post('/orders', order({ orderId }))).status).toBe(202);
      expect(await created(`webshop:${orderId}#3`)).toBe(0);
      expect(cancelledEvents(orderId)).toHaveLength(1);
    });

    it('cancels an end-of-day order before its batch here: nothing sent, and the batch does not ship it', async () => {
      const held = order({ dispatch: 'end_of_day' });
      const kept = order({ dispatch: 'end_of_day' });
      for (const body of [held, kept]) {
        expect((await post('/orders', body)).status).toBe(202);
        expect((await view(body.orderId)).status).toBe('ready');
      }
      const before = await cancelCalls();

      const answer = await cancel(held.orderId);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        status: 'cancelled',
        changed: true,
        parcel: null,
        cancellation: { outcome: 'not_announced', sentToSendcloud: false },
      });
      expect(await cancel(held.orderId)).toMatchObject({ status: 200, body: { changed: false } });
      const start = await post('/batches', { account: 'default' });
      expect(start.status).toBe(202);
      const { batchId } = (await start.json()) as { batchId: string };
      const until = Date.now() + 15_000;
      let batch: { status: string; total: number | null; done: number };
      for (;;) {
        batch = (await (await fetch(`${stack.url}/batches/${batchId}`)).json()) as typeof batch;
        if (batch.status === 'completed' || Date.now() > until) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(batch).toMatchObject({ status: 'completed', total: 1, done: 1 });
      expect((await view(kept.orderId)).processing).toBe('shipped');
      expect(await view(held.orderId)).toMatchObject({
        status: 'cancelled',
        processing: 'cancelled',
        parcels: [],
      });
      expect(await created(`webshop:${held.orderId}`)).toBe(0);
      expect(await cancelCalls()).toBe(before);
      expect(cancelledEvents(held.orderId)).toHaveLength(1);
    });

    it('refuses to cancel a delivered parcel: 409 CANCEL_TOO_LATE with SendCloud’s reason, the order unchanged', async () => {
      const { orderId, parcelId } = await shipped();
      for (let step = 0; step < 20; step++) {
        const moved = (await admin(`/parcels/${parcelId}/advance`, {})) as { status: { id: number } };
        if (moved.status.id === DELIVERED) break;
      }
      await waitFor(orderId, (v) => v.status === 'delivered');
      const before = await cancelCalls();

      const refused = await cancel(orderId);
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe('CANCEL_TOO_LATE');
      expect(refused.body.message).toMatch(/can no longer be cancelled/);
      expect(await cancelCalls()).toBe(before + 1);
      expect(await view(orderId)).toMatchObject({ status: 'delivered', processing: 'label_stored' });
      expect(cancelledEvents(orderId)).toHaveLength(0);
    });

    it('answers 404 for an unknown order and 409 NOTHING_TO_CANCEL for a failed one', async () => {
      expect((await cancel(`nope-${Date.now()}`)).status).toBe(404);
      // heavier than any method carries: fails without a parcel
      const heavy = order({ parcel: { weightGrams: 95_000 } });
      expect((await post('/orders', heavy)).status).toBe(202);
      await waitFor(heavy.orderId, (v) => v.processing === 'failed');
      const answer = await cancel(heavy.orderId);
      expect(answer.status).toBe(409);
      expect(answer.body.code).toBe('NOTHING_TO_CANCEL');
    });
  });
}
