import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../local/simulator';
import { type SpecName, validateRequest, validateResponse } from '../helpers/openapi';

/**
 * The v3 Orders API of the simulator: upserting orders, asking labels for them and the asynchronous
 * announcement that follows. The simulator's clock is frozen and moved by hand, so nothing here waits on
 * the wall clock.
 */
const KEYS = { publicKey: 'sim-public-key', secretKey: 'sim-secret-key' };
const OTHER = { publicKey: 'other-public', secretKey: 'other-secret' };
const basic = (keys: typeof KEYS) =>
  `Basic ${Buffer.from(`${keys.publicKey}:${keys.secretKey}`).toString('base64')}`;
const ASYNC_MS = 300;

let clockMs = Date.parse('2026-05-04T16:00:00Z');
let sim: RunningSimulator;
let integrationId: number;

beforeAll(async () => {
  sim = await startSimulator({
    port: 0,
    rateLimits: false,
    clock: () => new Date(clockMs),
    accounts: [
      { id: 'default', ...KEYS, api: 'v3' },
      { id: 'other', ...OTHER, api: 'v3' },
    ],
  });
  const accounts = (await admin('/accounts')) as unknown as Array<{ id: string; integrationId: number }>;
  integrationId = accounts.find((a) => a.id === 'default')?.integrationId ?? 0;
});
afterAll(() => sim.stop());
afterEach(async () => {
  await admin('/faults', { method: 'DELETE' });
  await admin('/accounts/default/duplicate-external-reference', { method: 'PUT', json: { mode: 'reject' } });
});

type Json = Record<string, unknown>;
interface Call {
  readonly status: number;
  readonly json: Json;
}

async function v3(path: string, init: { method?: string; body?: unknown } = {}): Promise<Call> {
  const response = await fetch(`${sim.v3BaseUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: basic(KEYS), 'content-type': 'application/json' },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  return { status: response.status, json: (text ? JSON.parse(text) : {}) as Json };
}

async function admin(path: string, init: { method?: string; json?: unknown } = {}): Promise<Json> {
  const response = await fetch(`${sim.url}/__sim${path}`, {
    method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
    ...(init.json === undefined ? {} : { body: JSON.stringify(init.json) }),
  });
  return response.status === 204 ? {} : ((await response.json()) as Json);
}
const fault = (input: Json) => admin('/faults', { json: input });
const counts = (reference: string) =>
  admin(`/counts?account=default&external_reference=${encodeURIComponent(reference)}`);
const setMode = (mode: string) =>
  admin('/accounts/default/duplicate-external-reference', { method: 'PUT', json: { mode } });
/** Moves the simulator's clock past the carrier's answer. */
const carrierAnswers = () => {
  clockMs += ASYNC_MS;
};

let counter = 0;
const orderId = () => `order-${counter++}`;

const POSTNL = { type: 'shipping_option_code', properties: { shipping_option_code: 'postnl:standard' } };
const order = (id: string, overrides: Json = {}): Json => ({
  order_id: id,
  order_number: id,
  order_details: {
    integration: { id: integrationId },
    status: { code: 'fulfilled', message: 'Fulfilled' },
    order_created_at: '2026-05-04T09:00:00.000Z',
    order_items: [
      {
        item_id: 'mug',
        name: 'Mug',
        quantity: 2,
        unit_price: { value: 12.5, currency: 'EUR' },
        total_price: { value: 25, currency: 'EUR' },
        measurement: { weight: { value: 500, unit: 'g' } },
      },
    ],
  },
  payment_details: { total_price: { value: 25, currency: 'EUR' }, status: { code: 'paid', message: 'Paid' } },
  shipping_address: {
    name: 'Sanne Jansen',
    address_line_1: 'Damrak',
    house_number: '1',
    postal_code: '1012AB',
    city: 'Amsterdam',
    country_code: 'NL',
  },
  shipping_details: {
    is_local_pickup: false,
    measurement: {
      weight: { value: 1.2, unit: 'kg' },
      dimension: { length: 30, width: 20, height: 10, unit: 'cm' },
    },
    ship_with: POSTNL,
  },
  ...overrides,
});
const labels = (ids: readonly string[], overrides: Json = {}): Json => ({
  integration_id: integrationId,
  orders: ids.map((id) => ({ order_id: id })),
  ...overrides,
});

interface Label {
  shipment_id: string;
  parcel_id: number;
  parcels_ids: number[];
  order_id: string;
  order_number: string;
}
interface ShipmentJson {
  id: string;
  external_reference_id: string | null;
  order_number: string;
  parcels: Array<{ id: number; status: { code: string }; tracking_number: string; documents: unknown[] }>;
  errors: Array<{ code: string; detail: string }>;
}
const labelsOf = (call: Call) => (call.json.data ?? []) as Label[];
const errorsOf = (call: Call) =>
  (call.json.errors ?? []) as Array<{
    status: string;
    code: string;
    detail: string;
    source?: { pointer?: string };
  }>;
const shipment = async (id: string) => (await v3(`/shipments/${id}`)).json.data as ShipmentJson;

/** Upserts the orders and asks a label for each; the labels answered. */
async function shipped(ids: readonly string[], labelsOverrides: Json = {}): Promise<Label[]> {
  expect((await v3('/orders', { method: 'POST', body: ids.map((id) => order(id)) })).status).toBe(201);
  const call = await v3('/orders/create-labels-async', {
    method: 'POST',
    body: labels(ids, labelsOverrides),
  });
  expect(call.status).toBe(202);
  return labelsOf(call);
}

describe('fidelity: every Orders API answer validates against SendCloud v3 documents', () => {
  it('upsert, read, list, delete and create-labels-async — successes and errors', async () => {
    // Prepare
    const checks: Array<[SpecName, string, string, Call]> = [];
    const call = async (spec: SpecName, method: string, template: string, path: string, body?: unknown) => {
      const result = await v3(path, { method, ...(body === undefined ? {} : { body }) });
      checks.push([spec, method, template, result]);
      return result;
    };
    const [a, b, gone] = [orderId(), orderId(), orderId()];
    const batch = [order(a), order(b), order(gone)];
    const labelRequest = labels([a], {
      ship_with: { ...POSTNL, properties: { ...POSTNL.properties, contract_id: 517 } },
    });
    const requests: Array<[SpecName, string, unknown]> = [
      ['v3orders', '/orders', batch],
      ['v3shipAnOrder', '/orders/create-labels-async', labelRequest],
    ];
    for (const [spec, template, body] of requests)
      expect(
        validateRequest(spec, {
          method: 'POST',
          template,
          path: template,
          query: new URLSearchParams(),
          body,
        }),
      ).toEqual([]);

    // Act
    const upserted = await call('v3orders', 'POST', '/orders', '/orders', batch);
    await call('v3orders', 'POST', '/orders', '/orders', [order(orderId(), { colour: 'red' })]);
    await call('v3orders', 'POST', '/orders', '/orders', { order_id: 'not a list' });
    const [idA, , idGone] = (upserted.json.data as Array<{ id: number }>).map((row) => row.id);
    await call('v3orders', 'GET', '/orders/{id}', `/orders/${idA}`);
    await call('v3orders', 'GET', '/orders/{id}', '/orders/999999');
    await call('v3orders', 'GET', '/orders', `/orders?order_id=${a}`);
    await call('v3orders', 'GET', '/orders', '/orders?cursor=bm9wZQ%3D%3D');
    await call('v3orders', 'DELETE', '/orders/{id}', `/orders/${idGone}`);
    await call('v3orders', 'DELETE', '/orders/{id}', `/orders/${idGone}`);
    await call(
      'v3shipAnOrder',
      'POST',
      '/orders/create-labels-async',
      '/orders/create-labels-async',
      labelRequest,
    );
    await call(
      'v3shipAnOrder',
      'POST',
      '/orders/create-labels-async',
      '/orders/create-labels-async',
      labels([b, 'never-upserted']),
    );
    await call('v3shipAnOrder', 'POST', '/orders/create-labels-async', '/orders/create-labels-async', {
      ...labels([b]),
      orders: [{ order_id: 7 }],
    });
    await call(
      'v3shipAnOrder',
      'POST',
      '/orders/create-labels-async',
      '/orders/create-labels-async',
      labels([b], { sender_address_id: 1 }),
    );

    // Assess
    const problems = checks.flatMap(([spec, method, template, { status, json }]) =>
      [spec, 'v3merged' as const].flatMap((name) =>
        validateResponse(name, { method, template, status, body: json }).map(
          (p) => `${name} ${method} ${template} ${status}: ${p}`,
        ),
      ),
    );
    expect(problems).toEqual([]);
    expect(checks.map(([, method, template, c]) => `${method} ${template} ${c.status}`)).toEqual([
      'POST /orders 201',
      'POST /orders 400',
      'POST /orders 400',
      'GET /orders/{id} 200',
      'GET /orders/{id} 404',
      'GET /orders 200',
      'GET /orders 404',
      'DELETE /orders/{id} 204',
      'DELETE /orders/{id} 404',
      'POST /orders/create-labels-async 202',
      'POST /orders/create-labels-async 202',
      'POST /orders/create-labels-async 400',
      'POST /orders/create-labels-async 404',
    ]);
  });
});

describe('POST /orders', () => {
  it('answers the id, order_id and order_number of each order, in the order sent', async () => {
    // Prepare
    const ids = [orderId(), orderId()];

    // Act
    const answer = await v3('/orders', { method: 'POST', body: ids.map((id) => order(id)) });

    // Assess
    const data = answer.json.data as Array<{ id: number; order_id: string; order_number: string }>;
    expect(answer.status).toBe(201);
    expect(data.map((row) => [typeof row.id, row.order_id, row.order_number])).toEqual(
      ids.map((id) => ['number', id, id]),
    );
  });

  it('is all or nothing: one bad order refuses the batch, every problem pointed at, nothing stored', async () => {
    // Prepare
    const [good, unknownField, illTyped] = [orderId(), orderId(), orderId()];
    const batch = [
      order(good),
      order(unknownField, { gift_wrap: true }),
      order(illTyped, {
        id: 669,
        payment_details: { total_price: { value: '25', currency: 'EUR' }, status: { code: 'paid' } },
      }),
    ];

    // Act
    const answer = await v3('/orders', { method: 'POST', body: batch });
    const stored = await Promise.all(
      [good, unknownField, illTyped].map((id) => v3(`/orders?order_id=${id}`)),
    );

    // Assess
    expect(answer.status).toBe(400);
    expect(errorsOf(answer).map((e) => [e.code, e.source?.pointer])).toEqual([
      ['unknown_field', '/data/attributes/[1]/gift_wrap'],
      ['invalid', '/data/attributes/[2]/id'],
      ['invalid', '/data/attributes/[2]/payment_details/total_price/value'],
    ]);
    expect(stored.map((s) => s.json.data)).toEqual([[], [], []]);
  });

  it('refuses an order of another integration as the documented IntegrationNotFound', async () => {
    // Act
    const answer = await v3('/orders', {
      method: 'POST',
      body: [
        order(orderId(), {
          order_details: { ...(order('x').order_details as Json), integration: { id: 99999 } },
        }),
      ],
    });

    // Assess
    expect(answer).toEqual({
      status: 400,
      json: {
        errors: [
          {
            status: '400',
            code: 'invalid',
            detail: 'Integration with id 99999 does not exist',
            source: { pointer: '/data/attributes/[0]/order_details/integration/id' },
          },
        ],
      },
    });
  });

  it('upserts on order_id + integration: the same order twice is one order, updated', async () => {
    // Prepare
    const id = orderId();
    const first = await v3('/orders', { method: 'POST', body: [order(id)] });

    // Act
    const second = await v3('/orders', { method: 'POST', body: [order(id, { order_number: 'WEB-2' })] });
    const listed = await v3(`/orders?order_id=${id}`);

    // Assess
    const idOf = (call: Call) => (call.json.data as Array<{ id: number }>)[0]?.id;
    expect(idOf(second)).toBe(idOf(first));
    expect(
      (listed.json.data as Array<{ id: string; order_number: string }>).map((o) => [o.id, o.order_number]),
    ).toEqual([[String(idOf(first)), 'WEB-2']]);
  });
});

describe('POST /orders/create-labels-async', () => {
  it('answers a shipment per order and an error pointing at each order that cannot ship', async () => {
    // Prepare
    const [good, noAddress, noOption, tooHeavy] = [orderId(), orderId(), orderId(), orderId()];
    const { shipping_address: _, ...withoutAddress } = order(noAddress);
    const upsert = await v3('/orders', {
      method: 'POST',
      body: [
        order(good),
        withoutAddress,
        order(noOption, { shipping_details: { measurement: { weight: { value: 1, unit: 'kg' } } } }),
        order(tooHeavy, {
          shipping_details: { measurement: { weight: { value: 40, unit: 'kg' } }, ship_with: POSTNL },
        }),
      ],
    });

    // Act
    const answer = await v3('/orders/create-labels-async', {
      method: 'POST',
      body: labels([good, 'never-upserted', noAddress, noOption, tooHeavy]),
    });

    // Assess
    expect(upsert.status).toBe(201);
    expect(answer.status).toBe(202);
    expect(labelsOf(answer)).toEqual([
      expect.objectContaining({ order_id: good, order_number: good, shipment_id: expect.any(String) }),
    ]);
    expect(errorsOf(answer).map((e) => [e.source?.pointer, e.detail])).toEqual([
      ['/data/attributes/orders/[1]', expect.stringContaining('No order with order_id "never-upserted"')],
      ['/data/attributes/orders/[2]', 'The order has no valid shipping address.'],
      ['/data/attributes/orders/[3]', expect.stringContaining('no shipping option')],
      ['/data/attributes/orders/[4]', expect.stringContaining('Weight must be between')],
    ]);
    expect(await counts(noOption)).toMatchObject({ created: 0, existing: 0 });
  });

  it('fails the whole call for another integration, an unknown sender address or a bad body', async () => {
    // Prepare
    const id = orderId();
    await v3('/orders', { method: 'POST', body: [order(id)] });

    // Act
    const otherIntegration = await v3('/orders/create-labels-async', {
      method: 'POST',
      body: labels([id], { integration_id: integrationId + 1000 }),
    });
    const unknownSender = await v3('/orders/create-labels-async', {
      method: 'POST',
      body: labels([id], { sender_address_id: 17 }),
    });
    const both = await v3('/orders/create-labels-async', {
      method: 'POST',
      body: labels([id], { orders: [{ order_id: id, order_number: id }] }),
    });
    const twice = await v3('/orders/create-labels-async', {
      method: 'POST',
      body: labels([id], { orders: [{ order_id: id }, { order_id: id }] }),
    });

    // Assess
    expect([otherIntegration.status, unknownSender.status, both.status, twice.status]).toEqual([
      404, 404, 400, 400,
    ]);
    expect(errorsOf(unknownSender)).toEqual([
      {
        status: '404',
        code: 'invalid',
        detail: 'Does not exist.',
        source: { pointer: '/data/attributes/sender_address_id' },
      },
    ]);
    expect(errorsOf(otherIntegration)[0]?.source?.pointer).toBe('/data/attributes/integration_id');
    expect(errorsOf(both)[0]?.source?.pointer).toBe('/data/attributes/orders/0');
    expect(await counts(id)).toMatchObject({ created: 0, existing: 0 });
  });

  it('makes ordinary shipments: ANNOUNCING without label, then READY_TO_SEND once the carrier answered', async () => {
    // Prepare
    const ids = [orderId(), orderId()];
    const made = await shipped(ids);
    const parcelIds = made.map((label) => label.parcel_id);

    // Act
    const before = await shipment(made[0]?.shipment_id ?? '');
    const labelBefore = await fetch(`${sim.v3BaseUrl}/parcels/${parcelIds[0]}/documents/label`, {
      headers: { authorization: basic(KEYS) },
    });
    carrierAnswers();
    const byIds = await v3(`/shipments?ids=${parcelIds.join(',')}`);
    const byNumber = await v3(`/shipments?order_number=${ids[1]}`);
    const labelAfter = await fetch(`${sim.v3BaseUrl}/parcels/${parcelIds[0]}/documents/label`, {
      headers: { authorization: basic(KEYS) },
    });

    // Assess
    expect(made.map((label) => [label.order_id, label.parcels_ids])).toEqual(
      ids.map((id, n) => [id, [parcelIds[n]]]),
    );
    expect(before).toMatchObject({
      external_reference_id: null,
      order_number: ids[0],
      parcels: [{ status: { code: 'ANNOUNCING' }, tracking_number: '', documents: [] }],
    });
    expect(labelBefore.status).toBe(404);
    const found = byIds.json.data as ShipmentJson[];
    expect(found.map((s) => s.id).sort()).toEqual(made.map((label) => label.shipment_id).sort());
    expect(
      found.every(
        (s) => s.parcels[0]?.status.code === 'READY_TO_SEND' && s.parcels[0].tracking_number !== '',
      ),
    ).toBe(true);
    expect((byNumber.json.data as ShipmentJson[]).map((s) => s.id)).toEqual([made[1]?.shipment_id]);
    expect(labelAfter.status).toBe(200);
  });

  it('a carrier refusal shows once the carrier answered: ANNOUNCEMENT_FAILED with the message in errors[]', async () => {
    // Prepare
    await fault({
      method: 'POST',
      path: '^/orders/create-labels-async$',
      kind: 'carrier_reject',
      message: 'Address unknown',
      count: 1,
    });
    const [label] = await shipped([orderId()]);

    // Act
    const before = await shipment(label?.shipment_id ?? '');
    carrierAnswers();
    const after = await shipment(label?.shipment_id ?? '');

    // Assess
    expect(before.parcels[0]?.status.code).toBe('ANNOUNCING');
    expect(after.parcels[0]?.status.code).toBe('ANNOUNCEMENT_FAILED');
    expect(after.errors).toEqual([
      { status: '500', code: 'parcel_announcement_error', detail: 'Service error: Address unknown' },
    ]);
  });

  it('ships the order in several parcels when the request splits it', async () => {
    // Prepare
    const id = orderId();
    await v3('/orders', { method: 'POST', body: [order(id)] });
    const parcel = { weight: { value: '0.6', unit: 'kg' }, parcel_items: [{ item_id: 'mug', quantity: 1 }] };

    // Act
    const answer = await v3('/orders/create-labels-async', {
      method: 'POST',
      body: labels([id], { orders: [{ order_id: id, parcels: [parcel, parcel] }] }),
    });

    // Assess
    const [label] = labelsOf(answer);
    expect(label?.parcels_ids).toHaveLength(2);
    expect((await shipment(label?.shipment_id ?? '')).parcels.map((p) => p.id)).toEqual(label?.parcels_ids);
    expect(
      validateResponse('v3shipAnOrder', {
        method: 'POST',
        template: '/orders/create-labels-async',
        status: answer.status,
        body: answer.json,
      }),
    ).toEqual([]);
    // The split parcels are the colli of one shipment, as v2 reads them.
    const colli = await Promise.all(
      (label?.parcels_ids ?? []).map(async (parcelId) => {
        const response = await fetch(`${sim.baseUrl}/parcels/${parcelId}`, {
          headers: { authorization: basic(KEYS) },
        });
        return (
          (await response.json()) as { parcel: { collo_nr: number; collo_count: number; colli_uuid: string } }
        ).parcel;
      }),
    );
    expect(colli.map((p) => [p.collo_nr, p.collo_count])).toEqual([
      [0, 2],
      [1, 2],
    ]);
    expect(colli[0]?.colli_uuid).toBe(colli[1]?.colli_uuid);
  });

  it('refuses to split an order over several parcels of an option without multicollo', async () => {
    // Prepare: CreateMulticolloLabelAsync with a ship_with whose functionalities.multicollo is false
    const id = orderId();
    await v3('/orders', { method: 'POST', body: [order(id)] });
    const parcel = { weight: { value: '0.6', unit: 'kg' }, parcel_items: [{ item_id: 'mug', quantity: 1 }] };
    const mailbox = { type: 'shipping_option_code', properties: { shipping_option_code: 'postnl:mailbox' } };

    // Act
    const answer = await v3('/orders/create-labels-async', {
      method: 'POST',
      body: labels([id], { ship_with: mailbox, orders: [{ order_id: id, parcels: [parcel, parcel] }] }),
    });

    // Assess
    expect(labelsOf(answer)).toEqual([]);
    expect(errorsOf(answer).map((e) => e.detail)).toEqual([
      expect.stringContaining('does not support multicollo shipments'),
    ]);
  });
});

describe('asking labels twice for one order, in each duplicate mode', () => {
  it('reject (default): an error for the order, nothing new', async () => {
    // Prepare
    const id = orderId();
    await shipped([id]);

    // Act
    const again = await v3('/orders/create-labels-async', { method: 'POST', body: labels([id]) });

    // Assess
    expect(labelsOf(again)).toEqual([]);
    expect(errorsOf(again)).toEqual([
      expect.objectContaining({
        status: '409',
        detail: 'A label was already requested for this order.',
        source: { pointer: '/data/attributes/orders/[0]' },
      }),
    ]);
    expect(await counts(id)).toMatchObject({ created: 1, existing: 1 });
  });

  it('accept: a second shipment for the order — the worst case a client must never trigger', async () => {
    // Prepare
    await setMode('accept');
    const id = orderId();
    const [first] = await shipped([id]);

    // Act
    const again = await v3('/orders/create-labels-async', { method: 'POST', body: labels([id]) });

    // Assess
    expect(labelsOf(again)[0]?.shipment_id).not.toBe(first?.shipment_id);
    expect(await counts(id)).toMatchObject({ created: 2, existing: 2 });
  });

  it('return-existing: the shipment already there, nothing new', async () => {
    // Prepare
    await setMode('return-existing');
    const id = orderId();
    const [first] = await shipped([id]);

    // Act
    const again = await v3('/orders/create-labels-async', { method: 'POST', body: labels([id]) });

    // Assess
    expect(labelsOf(again)).toEqual([first]);
    expect(await counts(id)).toMatchObject({ created: 1, existing: 1 });
  });

  it('a cancelled or refused shipment never blocks a new request', async () => {
    // Prepare
    const [cancelledId, refusedId] = [orderId(), orderId()];
    const [cancelled] = await shipped([cancelledId]);
    await v3(`/shipments/${cancelled?.shipment_id}/cancel`, { method: 'POST' });
    await fault({ method: 'POST', path: '^/orders/create-labels-async$', kind: 'carrier_reject', count: 1 });
    await shipped([refusedId]);
    carrierAnswers();

    // Act
    const again = await v3('/orders/create-labels-async', {
      method: 'POST',
      body: labels([cancelledId, refusedId]),
    });

    // Assess
    expect(errorsOf(again)).toEqual([]);
    expect(labelsOf(again).map((label) => label.order_id)).toEqual([cancelledId, refusedId]);
    expect(await counts(refusedId)).toMatchObject({ created: 2, existing: 2 });
  });
});

describe('faults and lost answers', () => {
  it('a label request processed but never answered leaves one shipment, found by order number and counted', async () => {
    // Prepare
    const id = orderId();
    await v3('/orders', { method: 'POST', body: [order(id)] });
    await fault({ method: 'POST', path: '^/orders/create-labels-async$', kind: 'drop_response', count: 1 });

    // Act
    const lost = await fetch(`${sim.v3BaseUrl}/orders/create-labels-async`, {
      method: 'POST',
      headers: { authorization: basic(KEYS), 'content-type': 'application/json' },
      body: JSON.stringify(labels([id])),
    }).then(
      () => 'answered',
      () => 'lost',
    );
    const found = await v3(`/shipments?order_number=${id}`);

    // Assess
    expect(lost).toBe('lost');
    expect((found.json.data as ShipmentJson[]).map((s) => s.external_reference_id)).toEqual([null]);
    expect(await counts(id)).toMatchObject({ created: 1, existing: 1 });
  });

  it('an upsert meets the 5xx and 429 faults as every other write does', async () => {
    // Prepare
    await fault({ method: 'POST', path: '^/orders$', kind: 'status', status: 503, count: 1 });
    await fault({ method: 'POST', path: '^/orders$', kind: 'rate_limit', count: 1 });
    const body = [order(orderId())];

    // Act
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push(
        (
          await fetch(`${sim.v3BaseUrl}/orders`, {
            method: 'POST',
            headers: { authorization: basic(KEYS), 'content-type': 'application/json' },
            body: JSON.stringify(body),
          })
        ).status,
      );

    // Assess
    expect(statuses).toEqual([503, 429, 201]);
  });
});

describe('integrations and the carrier’s delay, per account', () => {
  it('gives each account its own integration id by its place in the list, settable like other options', async () => {
    // Act
    const accounts = (await admin('/accounts')) as unknown as Array<{
      id: string;
      integrationId: number;
      asyncAnnounceMs: number;
    }>;
    const set = await admin('/accounts/other/integration-id', { method: 'PUT', json: { integrationId: 7 } });
    const taken = await admin('/accounts/other/integration-id', { method: 'PUT', json: { integrationId } });

    // Assess
    expect(accounts.map((a) => [a.id, a.integrationId, a.asyncAnnounceMs])).toEqual([
      ['default', 241_526, ASYNC_MS],
      ['other', 241_527, ASYNC_MS],
    ]);
    expect(set).toMatchObject({ account: 'other', integrationId: 7 });
    expect(taken).toMatchObject({ error: expect.stringContaining('another account') });
  });

  it('asyncAnnounceMs holds the shipment ANNOUNCING until that much time passed on the simulator’s clock', async () => {
    // Prepare
    await admin('/accounts/default/async-announce-ms', { method: 'PUT', json: { ms: 60_000 } });
    try {
      const [label] = await shipped([orderId()]);

      // Act
      clockMs += 59_999;
      const early = await shipment(label?.shipment_id ?? '');
      clockMs += 1;
      const due = await shipment(label?.shipment_id ?? '');

      // Assess
      expect(early.parcels[0]?.status.code).toBe('ANNOUNCING');
      expect(due.parcels[0]?.status.code).toBe('READY_TO_SEND');
    } finally {
      await admin('/accounts/default/async-announce-ms', { method: 'PUT', json: { ms: ASYNC_MS } });
    }
  });
});
