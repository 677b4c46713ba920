import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ShipmentDraft } from '../../../../shared/sendcloud/port';
import { V3AnnounceManyError } from '../../../../shared/sendcloud/v3';
import { type Captured, type Reply, ScriptedServer } from '../../../helpers/scriptedServer';
import { homeDraft, portFor, SENDER_ADDRESSES, shipmentJson } from './factories';

/**
 * The Orders API path of `V3Port.announceMany`, against a scripted SendCloud that keeps its orders and
 * shipments: what is sent, how many writes, and that a lost answer never makes a second shipment.
 */
const ORDERS = /^\/api\/v3\/orders$/;
const LABELS = /^\/api\/v3\/orders\/create-labels-async$/;
const SHIPMENTS = /^\/api\/v3\/shipments$/;
const SHIPMENT = /^\/api\/v3\/shipments\/([^/]+)$/;
const ANNOUNCE = /^\/api\/v3\/shipments\/announce$/;
const INTEGRATION = 70;

interface Made {
  readonly id: string;
  readonly orderId: string;
  readonly parcelId: number;
  code: string;
  reads: number;
}

let server: ScriptedServer;
let made: Made[];
let orders: Map<string, Record<string, unknown>>;
/** Reads a shipment stays ANNOUNCING for before it is made; Infinity: never. */
let announcingReads: number;
let refuse: Set<string>;

beforeAll(async () => {
  server = await ScriptedServer.start();
});
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
  made = [];
  orders = new Map();
  announcingReads = 1;
  refuse = new Set();
  server.on('GET', /\/addresses\/sender-addresses$/, { status: 200, json: SENDER_ADDRESSES });
  server.on('POST', ORDERS, (req) => {
    const body = req.json as Array<Record<string, unknown>>;
    for (const order of body) orders.set(String(order.order_id), order);
    return {
      status: 201,
      json: {
        data: body.map((o, i) => ({ id: 600 + i, order_id: o.order_id, order_number: o.order_number })),
      },
    };
  });
  server.on('POST', LABELS, (req) => createLabels(req));
  server.on('GET', SHIPMENTS, (req) => listShipments(req));
  server.on('GET', SHIPMENT, (req) => {
    const id = decodeURIComponent(SHIPMENT.exec(req.url.pathname)?.[1] ?? '');
    const shipment = made.find((m) => m.id === id);
    return shipment ? { status: 200, json: { data: read(shipment) } } : notFound();
  });
});

function createLabels(req: Captured): Reply {
  const body = req.json as { integration_id: number; orders: Array<{ order_id: string }> };
  const data: unknown[] = [];
  const errors: unknown[] = [];
  body.orders.forEach(({ order_id: orderId }, i) => {
    if (!orders.has(orderId)) {
      errors.push({
        status: '404',
        code: 'not_found',
        detail: 'Order not found.',
        source: { pointer: `/data/attributes/orders/[${i}]` },
      });
      return;
    }
    const n = made.length + 1;
    const shipment: Made = { id: String(500 + n), orderId, parcelId: 4000 + n, code: 'ANNOUNCING', reads: 0 };
    made.push(shipment);
    data.push({
      parcel_id: shipment.parcelId,
      parcels_ids: [shipment.parcelId],
      shipment_id: shipment.id,
      order_id: orderId,
      order_number: orderId,
    });
  });
  return { status: 202, json: { data, ...(errors.length > 0 ? { errors } : {}) } };
}

/** A shipment as read now: ANNOUNCING for `announcingReads` reads, then made (or refused). */
function read(shipment: Made): Record<string, unknown> {
  if (shipment.code === 'ANNOUNCING' && ++shipment.reads > announcingReads)
    shipment.code = refuse.has(shipment.orderId) ? 'ANNOUNCEMENT_FAILED' : 'READY_TO_SEND';
  const json = shipmentJson({
    id: shipment.id,
    ref: null,
    parcels: [{ id: shipment.parcelId, code: shipment.code }],
    ...(shipment.code === 'ANNOUNCEMENT_FAILED'
      ? { errors: [{ status: '400', code: 'carrier_error', detail: 'Carrier refused the address.' }] }
      : {}),
  });
  return { ...json, order_number: shipment.orderId };
}

function listShipments(req: Captured): Reply {
  const ids = req.url.searchParams.get('ids');
  const orderNumber = req.url.searchParams.get('order_number');
  const found = made.filter((m) =>
    ids !== null
      ? ids.split(',').includes(String(m.parcelId))
      : orderNumber !== null && m.orderId === orderNumber,
  );
  return found.length > 0 ? { status: 200, json: { data: found.map(read) } } : notFound();
}

const notFound = (): Reply => ({
  status: 404,
  json: { errors: [{ status: '404', code: 'not_found', detail: 'Not found.' }] },
});

function drafts(n: number, overrides: Partial<ShipmentDraft> = {}): ShipmentDraft[] {
  return Array.from({ length: n }, (_, i) =>
    homeDraft({ externalReference: `webshop:B-${i}`, ...overrides }),
  );
}

/** A port whose sleeps move its clock, so settling ends by time as well as by answers. */
function batchPort(overrides: Parameters<typeof portFor>[1] = {}) {
  const setup = portFor(server, { integrationId: INTEGRATION, settleMs: 20_000, ...overrides });
  const { clock } = setup;
  const port = portFor(server, {
    integrationId: INTEGRATION,
    settleMs: 20_000,
    clock: () => clock.now,
    sleep: async (ms) => {
      setup.sleeps.push(ms);
      clock.now += ms;
    },
    ...overrides,
  }).port;
  return { ...setup, port };
}

const writes = () => server.requests.filter((r) => r.method === 'POST').length;

describe('V3Port.announceMany through the Orders API', () => {
  it('upserts once, asks labels per option in calls of 20, and answers each shipment once it is made', async () => {
    const { port } = batchPort();
    const batch = [
      ...drafts(45),
      ...drafts(2, { method: 'dhl:parcel@9' }).map((d, i) => ({ ...d, externalReference: `webshop:D-${i}` })),
    ];

    const outcomes = await port.announceMany(batch);

    expect(outcomes.size).toBe(47);
    for (const draft of batch)
      expect(outcomes.get(draft.externalReference)).toMatchObject({
        outcome: 'announced',
        shipment: { externalReference: draft.externalReference, state: 'announced' },
      });
    const upserts = server.requests.filter((r) => r.method === 'POST' && ORDERS.test(r.url.pathname));
    expect(upserts).toHaveLength(1);
    const sent = upserts[0]?.json as Array<{
      order_id: string;
      order_number: string;
      order_details: unknown;
    }>;
    expect(sent.map((o) => o.order_id)).toEqual(batch.map((d) => d.externalReference));
    expect(sent.every((o) => o.order_number === o.order_id)).toBe(true);
    expect(sent[0]?.order_details).toMatchObject({ integration: { id: INTEGRATION } });
    const labelCalls = server.requests
      .filter((r) => LABELS.test(r.url.pathname))
      .map(
        (r) => r.json as { orders: unknown[]; ship_with: { properties: { shipping_option_code: string } } },
      );
    expect(labelCalls.map((c) => [c.ship_with.properties.shipping_option_code, c.orders.length])).toEqual([
      ['postnl:standard', 20],
      ['postnl:standard', 20],
      ['postnl:standard', 5],
      ['dhl:parcel', 2],
    ]);
    // 47 labels for 5 writes (one synchronous announce each would be 47).
    expect(writes()).toBe(5);
    expect(made).toHaveLength(47);
  });

  it('a shipment the carrier refused is a refusal with its shipment, for the caller to fall back from', async () => {
    refuse.add('webshop:B-1');
    const { port } = batchPort();
    const outcomes = await port.announceMany(drafts(2));
    expect(outcomes.get('webshop:B-0')?.outcome).toBe('announced');
    expect(outcomes.get('webshop:B-1')).toMatchObject({
      outcome: 'carrier_refused',
      reason: expect.stringContaining('Carrier refused'),
      shipment: { state: 'refused', externalReference: 'webshop:B-1' },
    });
  });

  it('after a lost answer, finds the labels by order number and does not ask again', async () => {
    // The call is carried out, then the connection drops before the answer.
    server.on('POST', LABELS, (req) => {
      createLabels(req);
      return 'destroy';
    });
    const { port } = batchPort();

    const outcomes = await port.announceMany(drafts(3));

    expect([...outcomes.values()].map((o) => o.outcome)).toEqual(['announced', 'announced', 'announced']);
    expect(server.count('POST', LABELS)).toBe(1);
    expect(made).toHaveLength(3);
    const lookups = server.requests.filter((r) => r.url.searchParams.has('order_number'));
    expect(lookups).toHaveLength(3);
  });

  it('after an answer that never came and no labels, asks again for those orders only', async () => {
    let calls = 0;
    server.on('POST', LABELS, (req) => {
      calls++;
      if (calls > 1) return createLabels(req);
      // The first call made the label of the first order only, then failed.
      const body = req.json as { orders: Array<{ order_id: string }> };
      createLabels({ ...req, json: { ...body, orders: body.orders.slice(0, 1) } });
      return {
        status: 503,
        json: { errors: [{ status: '503', code: 'unavailable', detail: 'Try later.' }] },
      };
    });
    const { port } = batchPort();

    const outcomes = await port.announceMany(drafts(3));

    expect([...outcomes.values()].every((o) => o.outcome === 'announced')).toBe(true);
    const second = server.requests.filter((r) => LABELS.test(r.url.pathname))[1]?.json as {
      orders: Array<{ order_id: string }>;
    };
    expect(second.orders.map((o) => o.order_id)).toEqual(['webshop:B-1', 'webshop:B-2']);
    expect(made.map((m) => m.orderId).sort()).toEqual(['webshop:B-0', 'webshop:B-1', 'webshop:B-2']);
  });

  it('an order the call did not take is looked up, then announced on its own, which says why', async () => {
    server.on('POST', LABELS, (req) => {
      const body = req.json as { orders: Array<{ order_id: string }> };
      const reply = createLabels({ ...req, json: { ...body, orders: body.orders.slice(0, 1) } }) as {
        status: number;
        json: { data: unknown[] };
      };
      return {
        status: 202,
        json: {
          data: reply.json.data,
          errors: [
            {
              status: '400',
              code: 'validation_error',
              detail: 'The order has no valid shipping address.',
              source: { pointer: '/data/attributes/orders/[1]' },
            },
          ],
        },
      };
    });
    server.on('POST', ANNOUNCE, {
      status: 400,
      json: {
        errors: [
          {
            status: '400',
            code: 'invalid',
            detail: 'Enter a valid postal code.',
            source: { pointer: '/data/attributes/to_address/postal_code' },
          },
        ],
      },
    });
    const { port } = batchPort();

    const outcomes = await port.announceMany(drafts(2));

    expect(outcomes.get('webshop:B-0')?.outcome).toBe('announced');
    expect(outcomes.get('webshop:B-1')).toMatchObject({
      outcome: 'rejected',
      reason: expect.stringContaining('postal code'),
    });
    const lookup = server.requests.find((r) => r.url.searchParams.get('order_number') === 'webshop:B-1');
    const announce = server.requests.find((r) => ANNOUNCE.test(r.url.pathname));
    expect(lookup).toBeDefined();
    expect(announce?.json).toMatchObject({ external_reference_id: 'webshop:B-1' });
    expect(server.requests.indexOf(lookup as Captured)).toBeLessThan(
      server.requests.indexOf(announce as Captured),
    );
  });

  it('labels still being made when the wait ends are given back as retryable failures, the rest kept', async () => {
    announcingReads = Number.POSITIVE_INFINITY;
    const { port } = batchPort({ settleMs: 5_000 });

    const error = await port.announceMany(drafts(2)).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(V3AnnounceManyError);
    const failed = error as V3AnnounceManyError;
    expect([...failed.failures.keys()]).toEqual(['webshop:B-0', 'webshop:B-1']);
    expect(failed.retryable).toBe(true);
    expect(made).toHaveLength(2);
  });

  it('find() on such an account reaches the order-made shipment by order number, once it is made', async () => {
    const { port } = batchPort();
    orders.set('webshop:B-0', {});
    createLabels({ json: { orders: [{ order_id: 'webshop:B-0' }] } } as unknown as Captured);
    server.on('GET', SHIPMENTS, (req) =>
      req.url.searchParams.has('external_reference_id') ? notFound() : listShipments(req),
    );

    const found = await port.find('webshop:B-0');

    expect(found).toMatchObject({ id: '501', state: 'announced', externalReference: 'webshop:B-0' });
    expect(found?.parcels[0]?.status.code).toBe('READY_TO_SEND');
  });

  it('without an integration id, one synchronous announce per draft (no Orders API call)', async () => {
    server.on('POST', ANNOUNCE, (req) => ({
      status: 201,
      json: {
        data: shipmentJson({ ref: (req.json as { external_reference_id: string }).external_reference_id }),
      },
    }));
    const { port } = portFor(server);
    await port.announceMany(drafts(3));
    expect(server.count('POST', ANNOUNCE)).toBe(3);
    expect(server.count('POST', ORDERS) + server.count('POST', LABELS)).toBe(0);
  });
});
