import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type Bridge, exampleOrder, startBridge } from '../helpers/bridge';
import { until } from '../helpers/until';

/**
 * SendCloud v3 event subscriptions (beta) into the local stack: `parcels.event.created` deliveries on
 * `POST /webhooks/sendcloud/{account}/events`, authenticated by the account's `eventSubscription` credentials
 * (here a bearer token), applied on the same path as webhooks and polls. Every body posted is first checked
 * against SendCloud's own documents.
 */
const SPECS = join(import.meta.dirname, '..', 'fixtures', 'specs', 'v3');
const addFormats =
  (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(
  parse(readFileSync(join(SPECS, 'sendcloud-v3-event-subscriptions-openapi.yml'), 'utf8')),
  'eventSubscriptions',
);
ajv.addSchema(parse(readFileSync(join(SPECS, 'sendcloud-v3-webhooks-openapi.yml'), 'utf8')), 'webhooks');
const documented = (pointer: string) => {
  const validate = ajv.compile({ $ref: pointer });
  return (body: unknown): string[] =>
    validate(body) ? [] : [ajv.errorsText(validate.errors, { separator: '; ' })];
};
/** The body the document declares for the ParcelEventCreated webhook (event type `parcels.event.created`). */
const parcelEventCreated = documented(
  'eventSubscriptions#/webhooks/ParcelEventCreated/post/requestBody/content/application~1json/schema',
);
const parcelStatusChanged = documented(
  'webhooks#/webhooks/ParcelStatusChanged/post/requestBody/content/application~1json/schema',
);

const TOKEN = 'default-event-token-0123456789abcdef';
const SHOPB_TOKEN = 'shopb-event-token-0123456789abcdefgh';
const SHOPB = {
  id: 'shopb',
  publicKey: 'shopb-public-key',
  secretKey: 'shopb-secret-key',
  api: 'v3',
} as const;

interface View {
  status: string;
  parcels: Array<{
    sendcloudId: number;
    status: { id: number; normalized: string } | null;
    history: Array<{ sendcloudStatus: { id: number }; status: string; source: string }>;
  }>;
}

describe('v3 event subscriptions (beta)', () => {
  let bridge: Bridge;
  const example = exampleOrder();

  beforeAll(async () => {
    bridge = await startBridge({
      api: 'v3',
      eventSubscription: { auth: 'bearer', token: TOKEN },
      extraAccounts: [SHOPB],
      extraEventSubscriptions: { shopb: { auth: 'bearer', token: SHOPB_TOKEN } },
      wiring: { ordersQueue: { visibilityTimeoutSeconds: 1, retryBaseSeconds: 1 } },
    });
  }, 30_000);
  afterAll(() => bridge.stop());

  const view = async (orderId: string) =>
    (await (await fetch(`${bridge.stack.url}/orders/${orderId}`)).json()) as View;
  const statusEvents = (orderId: string) =>
    bridge.stack.bus.events
      .filter(
        (e) =>
          e['detail-type'] === 'Parcel Status Changed' &&
          (e.detail as { orderId: string }).orderId === orderId,
      )
      .map(
        (e) =>
          e.detail as { status: string; sendcloudStatus: { id: number }; source: string; occurredAt: string },
      );

  let n = 0;
  async function shippedOrder(): Promise<{ orderId: string; parcelId: number }> {
    const orderId = `EVT-${Date.now()}-${n++}`;
    const response = await fetch(`${bridge.stack.url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...example, orderId }),
    });
    expect(response.status).toBeLessThan(300);
    const shipped = await until(
      () => view(orderId),
      (v) => v.parcels.length > 0 && v.status === 'label_stored',
    );
    const parcelId = shipped.parcels[0]?.sendcloudId ?? 0;
    expect(parcelId).toBeGreaterThan(0);
    return { orderId, parcelId };
  }

  /** A `parcels.event.created` delivery as the document writes it, checked against the document. */
  function parcelEvent(
    parcelId: number,
    event: { readonly phase: string; readonly at: number; readonly exception?: string },
  ): string {
    const body = {
      event_type: 'parcels.event.created',
      data: {
        parcel: {
          parcel_id: parcelId,
          tracking_number: '3SYZXG132912330',
          carrier_code: 'postnl',
          announced_at: new Date(event.at - 60_000).toISOString(),
        },
        event: {
          event_type: 'carrier',
          timestamp: new Date(event.at).toISOString(),
          phase: event.phase,
          exception: event.exception ?? 'none',
          status_type: 'success',
          sub_status: 'none',
          description: 'Parcel is on its way',
          end_of_tracking: false,
          is_offered: false,
          is_carrier_responsible: null,
          is_returned: false,
          location_details: {
            city: 'Eindhoven',
            country: 'NL',
            house_number: null,
            postal_code: null,
            street: null,
            service_point_id: null,
            depot: null,
          },
          extra_data: null,
        },
      },
    };
    expect(parcelEventCreated(body)).toEqual([]);
    return JSON.stringify(body);
  }

  const post = (body: string, headers: Record<string, string> = {}, account = 'default') =>
    fetch(`${bridge.stack.url}/webhooks/sendcloud/${account}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it('a parcel event with the account’s bearer token moves the order and publishes Parcel Status Changed', async () => {
    const { orderId, parcelId } = await shippedOrder();
    const response = await post(
      parcelEvent(parcelId, { phase: 'in_transit', at: Date.now() }),
      bearer(TOKEN),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: true, outcome: 'applied' });
    const after = await view(orderId);
    expect(after.status).toBe('in_transit');
    expect(after.parcels[0]?.status?.id).toBe(91);
    expect(after.parcels[0]?.history.map((h) => [h.sendcloudStatus.id, h.source])).toEqual([[91, 'webhook']]);
    const events = await until(
      async () => statusEvents(orderId),
      (e) => e.length === 1,
    );
    expect(events[0]).toMatchObject({ status: 'in_transit', sendcloudStatus: { id: 91 }, source: 'webhook' });
    // The carrier's free text and location stay out of what subscribers get.
    expect(JSON.stringify(events)).not.toMatch(/Eindhoven|on its way/);
  });

  it('wrong, wrong-length, missing, other-scheme and other account’s credentials: 401, nothing applied', async () => {
    const { orderId, parcelId } = await shippedOrder();
    const before = await view(orderId);
    const body = parcelEvent(parcelId, { phase: 'delivered', at: Date.now() });
    const sameLength = `${TOKEN.slice(0, -1)}${TOKEN.endsWith('x') ? 'y' : 'x'}`;
    for (const headers of [
      bearer(sameLength),
      bearer(`${TOKEN}0`),
      bearer(TOKEN.slice(0, 8)),
      bearer(''),
      {},
      { authorization: TOKEN },
      { authorization: `Basic ${Buffer.from(`user:${TOKEN}`).toString('base64')}` },
      { 'x-api-key': TOKEN },
      bearer(SHOPB_TOKEN),
    ]) {
      const response = await post(body, headers);
      expect(response.status, JSON.stringify(headers)).toBe(401);
      expect(await response.json()).toEqual({
        message: 'Missing or invalid credentials for this account’s event subscription.',
      });
    }
    // shopb's route takes only shopb's token; default's does not open it.
    expect((await post(body, bearer(TOKEN), 'shopb')).status).toBe(401);
    // An account without eventSubscription (or none at all) takes nothing.
    const unconfigured = await post(body, bearer(TOKEN), 'nobody');
    expect(unconfigured.status).toBe(401);
    expect(((await unconfigured.json()) as { message: string }).message).toContain('eventSubscription');
    // shopb's own token on shopb's route speaks for shopb's parcels only: default's parcel is not moved.
    const foreign = await post(body, bearer(SHOPB_TOKEN), 'shopb');
    expect(foreign.status).toBe(200);
    expect(await foreign.json()).toEqual({ received: true, outcome: 'unknown_parcel' });

    const after = await view(orderId);
    expect(after.status).toBe(before.status);
    expect(after.parcels[0]?.history).toEqual([]);
    expect(statusEvents(orderId)).toEqual([]);
  });

  it('the same event twice is applied once', async () => {
    const { orderId, parcelId } = await shippedOrder();
    const body = parcelEvent(parcelId, { phase: 'sorted', at: Date.now() });
    const first = await post(body, bearer(TOKEN));
    expect(await first.json()).toEqual({ received: true, outcome: 'applied' });
    const second = await post(body, bearer(TOKEN));
    expect(second.status).toBe(200);
    expect(await second.json()).toEqual({ received: true, outcome: 'duplicate' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const after = await view(orderId);
    expect(after.parcels[0]?.history).toHaveLength(1);
    expect(statusEvents(orderId).map((e) => e.sendcloudStatus.id)).toEqual([5]);
  });

  it('an older event after a newer one lands in history only; the current status stays', async () => {
    const { orderId, parcelId } = await shippedOrder();
    const now = Date.now();
    const newer = await post(parcelEvent(parcelId, { phase: 'in_delivery', at: now }), bearer(TOKEN));
    expect(await newer.json()).toEqual({ received: true, outcome: 'applied' });
    const older = await post(parcelEvent(parcelId, { phase: 'in_transit', at: now - 60_000 }), bearer(TOKEN));
    expect(older.status).toBe(200);
    expect(await older.json()).toEqual({ received: true, outcome: 'stale' });
    const after = await view(orderId);
    expect(after.status).toBe('out_for_delivery');
    expect(after.parcels[0]?.status?.id).toBe(92);
    expect(after.parcels[0]?.history.map((h) => h.sendcloudStatus.id)).toEqual([91, 92]);
    expect(statusEvents(orderId).map((e) => e.sendcloudStatus.id)).toEqual([92]);
  });

  it('an exception wins over the phase: cancelled upstream while in transit', async () => {
    const { orderId, parcelId } = await shippedOrder();
    const response = await post(
      parcelEvent(parcelId, { phase: 'in_transit', exception: 'cancelled_upstream', at: Date.now() }),
      bearer(TOKEN),
    );
    expect(await response.json()).toEqual({ received: true, outcome: 'applied' });
    expect((await view(orderId)).parcels[0]?.status?.id).toBe(1998);
  });

  it('authenticated bodies that are no parcel status event are acknowledged as ignored (202), never a 500', async () => {
    const { orderId, parcelId } = await shippedOrder();
    // An integration webhook (the other document) sent to the events route: no event_type at all.
    const integrationWebhook = {
      action: 'parcel_status_changed',
      timestamp: Date.now(),
      parcel: { id: parcelId, status: { id: 11, message: 'Delivered' } },
    };
    expect(parcelStatusChanged(integrationWebhook)).toEqual([]);
    const cases: Array<[unknown, string]> = [
      [{ event_type: 'returns.event.created', data: { return: { id: 1 } } }, 'not_a_parcel_event'],
      [integrationWebhook, 'not_a_parcel_event'],
      [[1, 2, 3], 'not_a_parcel_event'],
      [
        { event_type: 'parcels.event.created', data: { parcel: { parcel_id: 'x' } } },
        'malformed_parcel_event',
      ],
      [JSON.parse(parcelEvent(parcelId, { phase: 'none', at: Date.now() })), 'no_status'],
    ];
    for (const [payload, reason] of cases) {
      const response = await post(JSON.stringify(payload), bearer(TOKEN));
      expect(response.status, reason).toBe(202);
      expect(await response.json()).toEqual({ received: true, ignored: true, reason });
    }
    expect((await post('not json', bearer(TOKEN))).status).toBe(400);
    const after = await view(orderId);
    expect(after.status).toBe('label_stored');
    expect(after.parcels[0]?.history).toEqual([]);
    expect(statusEvents(orderId)).toEqual([]);
  });
});
