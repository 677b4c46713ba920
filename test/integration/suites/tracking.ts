import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../../local/simulator';
import type { LocalStack } from '../../../local/stack';
import { lambdaContext } from '../../../local/stack/lambdaContext';
import { loadEnv } from '../../../shared/config';
import { createServices } from '../../../shared/runtime/services';
import { formatSendcloudDate, pythonJsonDumps, signSendcloudPayload } from '../../../shared/sendcloud';
import { orderPk } from '../../../shared/store';
import { checkStuckParcels } from '../../../shared/tracking';
import { type Bridge, exampleOrder, startBridge } from '../../helpers/bridge';
import { until } from '../../helpers/until';

/**
 * Tracking on the local wiring: the simulator's signed webhooks and the poller, through the real handlers — for
 * an account on API v2 and one on API v3. SendCloud keeps sending integration webhooks to v3 accounts with the
 * same signature and a v2-shaped parcel (v2 status ids), so the webhook half is the same on both; polling reads
 * `GET /parcels?updated_after=` on v2 and `GET /api/v3/shipments?updated_after=` on v3.
 */
/** Registers the suite for an account on `api`; one test file per version (one local stack per process). */
export function trackingSuite(api: 'v2' | 'v3'): void {
  describe(`${api} account`, () => {
    let sim: RunningSimulator;
    let stack: LocalStack;
    let bridge: Bridge;
    const example = exampleOrder();
    const SECRET = 'sim-secret-key';
    /** A second account on the same stage and API: its secret must never move `default`'s parcels. */
    const SHOPB = { id: 'shopb', publicKey: 'shopb-public-key', secretKey: 'shopb-secret-key', api } as const;
    /** Polled too, but ships nothing: SendCloud has nothing updated to list for it. */
    const QUIET = { id: 'quiet', publicKey: 'quiet-public-key', secretKey: 'quiet-secret-key', api } as const;
    /** The list a poll reads (the simulator's per-route count): v2 parcels, v3 shipments. */
    const POLL_ROUTE = api === 'v2' ? 'GET /parcels' : 'v3 GET /shipments';

    beforeAll(async () => {
      bridge = await startBridge({
        api,
        extraAccounts: [SHOPB, QUIET],
        simulator: { webhookTimeScale: 0.0001 },
        wiring: {
          ordersQueue: { visibilityTimeoutSeconds: 1, retryBaseSeconds: 1 },
          polling: { accounts: ['default', QUIET.id], everyMs: 0 },
        },
      });
      ({ sim, stack } = bridge);
      await admin('/accounts/default/webhook', { url: `${stack.url}/webhooks/sendcloud` });
    }, 30_000);
    afterAll(() => bridge.stop());

    async function admin(path: string, body?: unknown) {
      const method =
        body === undefined && !path.includes('advance') && !path.includes('release') ? 'GET' : 'POST';
      const response = await fetch(`${sim.url}/__sim${path}`, {
        method,
        ...(method === 'GET' ? {} : { body: JSON.stringify(body ?? {}) }),
      });
      return response.status === 204 ? undefined : response.json();
    }

    interface View {
      status: string;
      parcels: Array<{
        sendcloudId: number;
        status: { id: number; normalized: string };
        history: Array<{ sendcloudStatus: { id: number }; status: string; source: string }>;
      }>;
    }
    const view = async (orderId: string) =>
      (await (await fetch(`${stack.url}/orders/${orderId}`)).json()) as View;
    const statusEvents = (orderId: string) =>
      stack.bus.events
        .filter(
          (e) =>
            e['detail-type'] === 'Parcel Status Changed' &&
            (e.detail as { orderId: string }).orderId === orderId,
        )
        .map(
          (e) =>
            e.detail as {
              previousStatus: string | null;
              status: string;
              sendcloudStatus: { id: number };
              source: string;
              occurredAt: string;
            },
        );
    const webhook = (body: string | Buffer, headers: Record<string, string> = {}) =>
      fetch(`${stack.url}/webhooks/sendcloud`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });

    let n = 0;
    async function shippedOrder(account = 'default'): Promise<{ orderId: string; parcelId: number }> {
      const orderId = `TRK-${Date.now()}-${n++}`;
      await fetch(`${stack.url}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...example, orderId, account }),
      });
      const shipped = await until(
        () => view(orderId),
        // Settled: the worker's last step (the stored label) would otherwise race a test's before/after reads.
        (v) => v.parcels.length > 0 && v.status === 'label_stored',
      );
      return { orderId, parcelId: shipped.parcels[0]?.sendcloudId ?? 0 };
    }

    describe('signed SendCloud webhooks', () => {
      it('moves a parcel through the carrier timeline to delivered: history, order status, one event per change', async () => {
        const { orderId, parcelId } = await shippedOrder();
        // Carrier scans come minutes apart: one step, then wait until it is applied.
        for (let step = 1; step <= 7; step++) {
          await admin(`/parcels/${parcelId}/advance`);
          await until(
            () => view(orderId),
            (v) => (v.parcels[0]?.history.length ?? 0) >= step,
          );
        }
        const done = await until(
          () => view(orderId),
          (v) => v.status === 'delivered',
        );
        expect(done.parcels[0]?.history.map((h) => h.sendcloudStatus.id)).toEqual([22, 3, 7, 5, 91, 92, 11]);
        expect(done.parcels[0]?.history.every((h) => h.source === 'webhook')).toBe(true);
        const events = statusEvents(orderId);
        expect(events.map((e) => e.status)).toEqual([
          'in_transit',
          'in_transit',
          'in_transit',
          'in_transit',
          'in_transit',
          'out_for_delivery',
          'delivered',
        ]);
        expect(events.map((e) => e.previousStatus)).toEqual([
          null,
          'in_transit',
          'in_transit',
          'in_transit',
          'in_transit',
          'in_transit',
          'out_for_delivery',
        ]);
        expect(JSON.stringify(events)).not.toMatch(/Sanne|Damrak/);
      });

      it('a wrongly signed, unsigned, oversized or non-JSON delivery is refused and changes nothing', async () => {
        const { orderId } = await shippedOrder();
        const before = await view(orderId);
        const body = pythonJsonDumps({
          action: 'parcel_status_changed',
          timestamp: Date.now(),
          parcel: { id: before.parcels[0]?.sendcloudId, status: { id: 11, message: 'Delivered' } },
        });
        const wrong = await webhook(body, {
          'sendcloud-signature': signSendcloudPayload(body, 'not-the-secret'),
        });
        expect(wrong.status).toBe(401);
        expect(await wrong.json()).toEqual({ message: 'Invalid signature.' });
        expect((await webhook(body)).status).toBe(401);
        const big = `{"action": "x", "pad": "${'a'.repeat(300 * 1024)}"}`;
        expect(
          (await webhook(big, { 'sendcloud-signature': signSendcloudPayload(big, SECRET) })).status,
        ).toBe(413);
        const notJson = 'action=parcel_status_changed';
        expect(
          (await webhook(notJson, { 'sendcloud-signature': signSendcloudPayload(notJson, SECRET) })).status,
        ).toBe(400);
        const after = await view(orderId);
        expect(after.status).toBe(before.status);
        expect(after.parcels[0]?.history).toEqual([]);
        expect(statusEvents(orderId)).toEqual([]);
      });

      it('a duplicate delivery is acknowledged and changes nothing', async () => {
        const { orderId, parcelId } = await shippedOrder();
        await admin('/webhooks/mode', { duplicate: true });
        await admin(`/parcels/${parcelId}/advance`);
        await until(
          () => view(orderId),
          (v) => v.parcels[0]?.history.length === 1,
        );
        await new Promise((resolve) => setTimeout(resolve, 500));
        await admin('/webhooks/mode', { duplicate: false });
        expect((await view(orderId)).parcels[0]?.history).toHaveLength(1);
        expect(statusEvents(orderId)).toHaveLength(1);
      });

      it('an older status arriving after a newer one lands in history but does not regress the parcel', async () => {
        const { orderId, parcelId } = await shippedOrder();
        await admin('/webhooks/mode', { hold: true });
        for (let i = 0; i < 3; i++) await admin(`/parcels/${parcelId}/advance`);
        await admin('/webhooks/mode', { hold: false });
        await admin('/webhooks/release');
        const settled = await until(
          () => view(orderId),
          (v) => v.parcels[0]?.history.length === 3,
        );
        expect(settled.parcels[0]?.status.id).toBe(7);
        expect(settled.parcels[0]?.history.map((h) => h.sendcloudStatus.id)).toEqual([22, 3, 7]);
        expect(statusEvents(orderId).map((e) => e.sendcloudStatus.id)).toEqual([7]);
      });

      it('acknowledges other actions and unknown ones without failing', async () => {
        for (const payload of [
          { action: 'test_webhook', timestamp: Date.now() },
          {
            action: 'integration_updated',
            timestamp: Date.now(),
            integration: {
              id: 1,
              shop_name: 'x',
              service_point_enabled: false,
              service_point_carriers: [],
              webhook_active: true,
            },
          },
          { action: 'something_sendcloud_adds_next_year', timestamp: Date.now() },
        ]) {
          const body = pythonJsonDumps(payload);
          const response = await webhook(body, { 'sendcloud-signature': signSendcloudPayload(body, SECRET) });
          expect(response.status).toBe(200);
        }
      });

      it('verifies the raw bytes when API Gateway hands them over base64-encoded', async () => {
        const { orderId, parcelId } = await shippedOrder();
        const parcel = (
          (await (
            await fetch(`${sim.baseUrl}/parcels/${parcelId}`, {
              headers: {
                authorization: `Basic ${Buffer.from(`sim-public-key:${SECRET}`).toString('base64')}`,
              },
            })
          ).json()) as { parcel: Record<string, unknown> }
        ).parcel;
        const body = pythonJsonDumps({
          action: 'parcel_status_changed',
          timestamp: Date.now(),
          parcel: { ...parcel, status: { id: 22, message: 'Shipment picked up by driver' } },
          carrier_status_change_timestamp: null,
        });
        const { handler } = await import('../../../functions/sendcloud-webhook');
        const event = {
          version: '2.0',
          routeKey: 'POST /webhooks/sendcloud',
          rawPath: '/webhooks/sendcloud',
          rawQueryString: '',
          headers: {
            'content-type': 'application/json',
            'sendcloud-signature': signSendcloudPayload(body, SECRET),
          },
          requestContext: { http: { method: 'POST', path: '/webhooks/sendcloud' } },
          body: Buffer.from(body).toString('base64'),
          isBase64Encoded: true,
        } as unknown as APIGatewayProxyEventV2;
        const result = (await handler(
          event,
          lambdaContext('sendcloud-webhook'),
        )) as APIGatewayProxyStructuredResultV2;
        expect(result.statusCode).toBe(200);
        expect(JSON.parse(result.body ?? '{}')).toMatchObject({ outcome: 'applied' });
        expect((await view(orderId)).parcels[0]?.status.id).toBe(22);
      });
    });

    const HOUR = 3_600_000;
    const DAY = 24 * HOUR;

    /** The parcel as SendCloud holds it, read with its own account's keys. */
    async function simParcel(parcelId: number, keys: { publicKey: string; secretKey: string }) {
      const auth = Buffer.from(`${keys.publicKey}:${keys.secretKey}`).toString('base64');
      const response = await fetch(`${sim.baseUrl}/parcels/${parcelId}`, {
        headers: { authorization: `Basic ${auth}` },
      });
      return ((await response.json()) as { parcel: Record<string, unknown> }).parcel;
    }

    const DEFAULT_KEYS = { publicKey: 'sim-public-key', secretKey: SECRET };

    /**
     * A `parcel_status_changed` delivery as SendCloud would send it at `at` (ms): the real parcel with the given
     * status, Python-style JSON, signed with `secret`, posted to the route of `route` (none: the default route).
     */
    async function deliver(delivery: {
      readonly parcelId: number;
      readonly status: { readonly id: number; readonly message: string };
      readonly at: number;
      readonly secret: string;
      readonly route?: string;
      readonly owner?: { publicKey: string; secretKey: string };
    }): Promise<{ status: number; body: { outcome?: string } }> {
      const parcel = await simParcel(delivery.parcelId, delivery.owner ?? DEFAULT_KEYS);
      const body = pythonJsonDumps({
        action: 'parcel_status_changed',
        timestamp: delivery.at,
        parcel: {
          ...parcel,
          status: delivery.status,
          date_updated: formatSendcloudDate(new Date(delivery.at)),
        },
        carrier_status_change_timestamp: null,
      });
      const response = await fetch(
        `${stack.url}/webhooks/sendcloud${delivery.route ? `/${delivery.route}` : ''}`,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'sendcloud-signature': signSendcloudPayload(body, delivery.secret),
          },
          body,
        },
      );
      return { status: response.status, body: (await response.json()) as { outcome?: string } };
    }

    const storedHistory = (parcelId: number) => createServices(loadEnv()).tracking.history(parcelId);

    /** Moves an order's acceptance back in time, as if it had been placed `ms` ago. */
    async function acceptedAgo(orderId: string, ms: number): Promise<void> {
      const table = loadEnv().TABLE_NAME;
      if (!table) throw new Error('TABLE_NAME is not set: the local stack did not start');
      await DynamoDBDocumentClient.from(new DynamoDBClient({})).send(
        new UpdateCommand({
          TableName: table,
          Key: { pk: orderPk(String(example.channel), orderId), sk: 'ORDER' },
          UpdateExpression: 'SET createdAt = :at',
          ExpressionAttributeValues: { ':at': new Date(Date.now() - ms).toISOString() },
        }),
      );
    }

    const PICKED_UP = { id: 22, message: 'Shipment picked up by driver' };
    const DELIVERED = { id: 11, message: 'Delivered' };
    const READY_TO_SEND = { id: 1000, message: 'Ready to send' };

    describe('a webhook speaks only for its own account', () => {
      it('a delivery signed with another account’s secret changes nothing and looks like an unknown parcel', async () => {
        // Prepare
        const { orderId, parcelId } = await shippedOrder();
        const before = await view(orderId);
        // Act
        const answer = await deliver({
          parcelId,
          status: DELIVERED,
          at: Date.now(),
          secret: SHOPB.secretKey,
          route: SHOPB.id,
        });
        // Assess
        expect(answer).toEqual({ status: 200, body: { received: true, outcome: 'unknown_parcel' } });
        const after = await view(orderId);
        expect(after.status).toBe(before.status);
        expect(after.parcels[0]?.status).toEqual(before.parcels[0]?.status);
        expect(await storedHistory(parcelId)).toEqual([]);
        expect(statusEvents(orderId)).toEqual([]);
      });

      it('the same delivery on the default route (account default) fails its signature', async () => {
        const { orderId, parcelId } = await shippedOrder();
        const answer = await deliver({
          parcelId,
          status: DELIVERED,
          at: Date.now(),
          secret: SHOPB.secretKey,
        });
        expect(answer.status).toBe(401);
        expect(statusEvents(orderId)).toEqual([]);
      });

      it('the other account’s own parcel, on its own route, is applied', async () => {
        const { orderId, parcelId } = await shippedOrder(SHOPB.id);
        const answer = await deliver({
          parcelId,
          status: PICKED_UP,
          at: Date.now(),
          secret: SHOPB.secretKey,
          route: SHOPB.id,
          owner: SHOPB,
        });
        expect(answer.body.outcome).toBe('applied');
        expect((await view(orderId)).parcels[0]?.status.id).toBe(22);
        expect(statusEvents(orderId).map((e) => e.sendcloudStatus.id)).toEqual([22]);
      });
    });

    describe('a correctly signed webhook with an implausible time', () => {
      it.each([
        ['120 days old', 'tooOld', -120 * DAY],
        ['a year ahead', 'future', 365 * DAY],
        ['from before the order existed', 'beforeParcel', -2 * HOUR],
      ] as const)(
        '%s lands in history, marked, never becomes current and publishes nothing',
        async (_, reason, offset) => {
          const at = Date.now() + offset;
          const { orderId, parcelId } = await shippedOrder();
          const before = await view(orderId);
          const answer = await deliver({ parcelId, status: DELIVERED, at, secret: SECRET });
          expect(answer).toEqual({ status: 200, body: { received: true, outcome: 'implausible' } });
          const after = await view(orderId);
          expect(after.status).toBe(before.status);
          expect(after.parcels[0]?.status).toEqual(before.parcels[0]?.status);
          expect((await storedHistory(parcelId)).map((h) => [h.statusId, h.implausible])).toEqual([
            [11, reason],
          ]);
          expect(statusEvents(orderId)).toEqual([]);
        },
      );

      it('after a status stamped a year ahead, the next real change still applies', async () => {
        const { orderId, parcelId } = await shippedOrder();
        await deliver({ parcelId, status: DELIVERED, at: Date.now() + 365 * DAY, secret: SECRET });
        const real = await deliver({ parcelId, status: PICKED_UP, at: Date.now(), secret: SECRET });
        expect(real.body.outcome).toBe('applied');
        expect((await view(orderId)).parcels[0]?.status.id).toBe(22);
        expect(statusEvents(orderId).map((e) => e.sendcloudStatus.id)).toEqual([22]);
      });

      it('a later "Ready to send" or pick-up does not take a delivered parcel back', async () => {
        const { orderId, parcelId } = await shippedOrder();
        await acceptedAgo(orderId, 2 * HOUR);
        const now = Date.now();
        const delivered = await deliver({
          parcelId,
          status: DELIVERED,
          at: now - 0.5 * HOUR,
          secret: SECRET,
        });
        expect(delivered.body.outcome).toBe('applied');
        for (const [status, at] of [
          [READY_TO_SEND, now - 0.25 * HOUR],
          [PICKED_UP, now - 0.1 * HOUR],
        ] as const)
          expect((await deliver({ parcelId, status, at, secret: SECRET })).body.outcome).toBe('implausible');
        const after = await view(orderId);
        expect(after.status).toBe('delivered');
        expect(after.parcels[0]?.status).toMatchObject({ id: 11, normalized: 'delivered' });
        expect((await storedHistory(parcelId)).map((h) => [h.statusId, h.implausible ?? null])).toEqual([
          [11, null],
          [1000, 'leavesTerminal'],
          [22, 'leavesTerminal'],
        ]);
        expect(statusEvents(orderId).map((e) => e.status)).toEqual(['delivered']);
      });

      it('a genuine delivery SendCloud retried for 6 hours still applies', async () => {
        const { orderId, parcelId } = await shippedOrder();
        await acceptedAgo(orderId, 7 * HOUR);
        const at = Date.now() - 6 * HOUR;
        const answer = await deliver({ parcelId, status: PICKED_UP, at, secret: SECRET });
        expect(answer.body.outcome).toBe('applied');
        expect((await view(orderId)).parcels[0]?.status.id).toBe(22);
        const events = statusEvents(orderId);
        expect(events.map((e) => [e.sendcloudStatus.id, e.occurredAt])).toEqual([
          [22, new Date(at).toISOString()],
        ]);
      });
    });

    describe('polling fallback and batch status', () => {
      it('applies what webhooks missed, and what both saw only once', async () => {
        const { orderId, parcelId } = await shippedOrder();
        await admin(`/parcels/${parcelId}/advance`);
        await until(
          () => view(orderId),
          (v) => v.parcels[0]?.history.length === 1,
        );
        await admin('/accounts/default/webhook', { url: null });
        await admin(`/parcels/${parcelId}/advance`);
        const polls = async () =>
          ((await admin('/stats')) as { byRoute: Record<string, number> }).byRoute[POLL_ROUTE] ?? 0;
        const pollsBefore = await polls();
        const run = async () => {
          const response = await fetch(`${stack.url}/_local/jobs/poll-parcel-statuses`, { method: 'POST' });
          expect(response.status).toBe(200);
          return ((await response.json()) as { result: Record<string, Record<string, number>> }).result;
        };
        const first = await run();
        expect(first.default?.applied).toBeGreaterThanOrEqual(1);
        // an account with nothing updated polls to nothing (v3 answers that list with a 404), and fails nothing
        expect(Object.values(first[QUIET.id] ?? { missing: 1 }).every((count) => count === 0)).toBe(true);
        const second = await run();
        expect(second.default?.applied).toBe(0);
        // each run read each account's list through its own API
        expect((await polls()) - pollsBefore).toBeGreaterThanOrEqual(4);
        await admin('/accounts/default/webhook', { url: `${stack.url}/webhooks/sendcloud` });
        const after = await view(orderId);
        expect(after.parcels[0]?.history.map((h) => [h.sendcloudStatus.id, h.source])).toEqual([
          [22, 'webhook'],
          [3, 'poll'],
        ]);
        expect(statusEvents(orderId).map((e) => [e.sendcloudStatus.id, e.source])).toEqual([
          [22, 'webhook'],
          [3, 'poll'],
        ]);
      });

      it('answers many parcels in one call, and refuses more than 100', async () => {
        const a = await shippedOrder();
        const b = await shippedOrder();
        const response = (await (
          await fetch(`${stack.url}/parcels/status?ids=${a.parcelId},${b.parcelId},999999`)
        ).json()) as { parcels: Array<{ orderId: string; status: string }>; unknown: number[] };
        expect(response.parcels.map((p) => p.orderId)).toEqual([a.orderId, b.orderId]);
        expect(response.unknown).toEqual([999999]);
        const tooMany = await fetch(
          `${stack.url}/parcels/status?ids=${Array.from({ length: 101 }, (_, i) => i + 1).join(',')}`,
        );
        expect(tooMany.status).toBe(400);
      });

      it('reports a parcel nobody scanned, once', async () => {
        const { orderId } = await shippedOrder();
        const services = createServices(loadEnv());
        const deps = {
          store: services.store,
          tracking: services.tracking,
          events: services.events,
          clock: () => new Date(Date.now() + 49 * 3_600_000),
        };
        expect((await checkStuckParcels(deps, { afterHours: 48 })).stuck).toBeGreaterThanOrEqual(1);
        await checkStuckParcels(deps, { afterHours: 48 });
        const stuck = stack.bus.events.filter(
          (e) => e['detail-type'] === 'Parcel Stuck' && (e.detail as { orderId: string }).orderId === orderId,
        );
        expect(stuck).toHaveLength(1);
        expect(stuck[0]?.detail).toMatchObject({ hoursWithoutScan: 49 });
      });
    });
  });
}
