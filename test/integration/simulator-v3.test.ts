import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, startSimulator } from '../../local/simulator';
import { checkoutConfigurationUuid } from '../../local/simulator/v3/checkout';
import { verifySendcloudSignature } from '../../shared/sendcloud';
import { type SpecName, V3_SPEC_OVERLAY, validateRequest, validateResponse } from '../helpers/openapi';
import { pdfText } from '../helpers/pdfText';

const KEYS = { publicKey: 'sim-public-key', secretKey: 'sim-secret-key' };
const NEW_SHOP = { publicKey: 'new-public', secretKey: 'new-secret' };
const OAUTH_SHOP = { publicKey: 'oauth-public', secretKey: 'oauth-secret' };
const basic = (keys: { publicKey: string; secretKey: string }) =>
  `Basic ${Buffer.from(`${keys.publicKey}:${keys.secretKey}`).toString('base64')}`;

/** The simulator's clock; tests move it forward to expire OAuth2 tokens. */
let clockOffsetMs = 0;
let sim: RunningSimulator;
let senderId: number;

beforeAll(async () => {
  sim = await startSimulator({
    port: 0,
    rateLimits: false,
    clock: () => new Date(Date.now() + clockOffsetMs),
    accounts: [
      { id: 'default', ...KEYS },
      { id: 'new-shop', ...NEW_SHOP, api: 'v3' },
      { id: 'oauth-shop', ...OAUTH_SHOP, oauthOnly: true },
    ],
  });
  const senders = (await (await v3('/addresses/sender-addresses')).json()) as { data: Array<{ id: number }> };
  senderId = senders.data[0]?.id ?? 0;
});
afterAll(() => sim.stop());
afterEach(async () => {
  sim.faults.clear();
  clockOffsetMs = 0;
  await setMode('default', 'reject');
});

type Json = Record<string, unknown>;
interface Call {
  readonly status: number;
  readonly json: Json;
  readonly headers: Headers;
}

function v3(path: string, init: RequestInit & { keys?: typeof KEYS } = {}): Promise<Response> {
  const { keys, ...rest } = init;
  return fetch(`${sim.v3BaseUrl}${path}`, {
    ...rest,
    headers: { authorization: basic(keys ?? KEYS), 'content-type': 'application/json', ...rest.headers },
  });
}

async function json(
  path: string,
  init: Omit<RequestInit, 'body'> & { keys?: typeof KEYS; body?: unknown } = {},
) {
  const { body, ...rest } = init;
  const response = await v3(path, {
    ...rest,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: (text ? JSON.parse(text) : {}) as Json, headers: response.headers };
}

const admin = async (path: string, init: { method?: string; json?: unknown } = {}) => {
  const response = await fetch(`${sim.url}/__sim${path}`, {
    method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
    ...(init.json === undefined ? {} : { body: JSON.stringify(init.json) }),
  });
  return response.status === 204 ? undefined : ((await response.json()) as Json);
};
const setMode = (account: string, mode: string) =>
  admin(`/accounts/${account}/duplicate-external-reference`, { method: 'PUT', json: { mode } });
const counts = (externalReference: string, account = 'default') =>
  admin(`/counts?account=${account}&external_reference=${encodeURIComponent(externalReference)}`);
const fault = (input: Json) => admin('/faults', { json: input });

/**
 * The body as SendCloud would publish it: links on its own host. The documents type some links `format: url`,
 * whose check (ajv-formats) refuses loopback hosts such as the simulator's 127.0.0.1 by design.
 */
const published = (body: unknown): unknown =>
  JSON.parse(JSON.stringify(body).replaceAll(sim.url, 'https://panel.sendcloud.sc'));

let refCounter = 0;
const ref = (prefix = 'v3') => `${prefix}:${Date.now()}:${refCounter++}`;

const TO_NL = {
  name: 'Jan de Vries',
  address_line_1: 'Damrak',
  house_number: '1',
  postal_code: '1012AB',
  city: 'Amsterdam',
  country_code: 'NL',
  email: 'jan@example.invalid',
  phone_number: '+31612345678',
};
const TO_US = {
  name: 'John Doe',
  address_line_1: '123 West 43rd St',
  postal_code: '10036',
  city: 'New York',
  state_province_code: 'US-NY',
  country_code: 'US',
};
const ITEM = {
  description: 'T-Shirt XL',
  quantity: 1,
  weight: { value: 0.3, unit: 'kg' },
  price: { value: '12.65', currency: 'EUR' },
  hs_code: '620520',
  origin_country: 'NL',
};

const shipment = (overrides: Json = {}): Json => ({
  to_address: TO_NL,
  from_address: { sender_address_id: senderId },
  ship_with: { type: 'shipping_option_code', properties: { shipping_option_code: 'postnl:standard' } },
  order_number: 'WEB-10001',
  total_order_price: { value: '25.00', currency: 'EUR' },
  external_reference_id: ref(),
  parcels: [
    {
      weight: { value: '1.320', unit: 'kg' },
      dimensions: { length: '30', width: '20', height: '10', unit: 'cm' },
    },
  ],
  ...overrides,
});
const international = (overrides: Json = {}): Json =>
  shipment({
    to_address: TO_US,
    ship_with: {
      type: 'shipping_option_code',
      properties: { shipping_option_code: 'dhl_express:worldwide' },
    },
    customs_information: { invoice_number: 'INV-123', export_reason: 'commercial_goods' },
    parcels: [{ weight: { value: '1.320', unit: 'kg' }, parcel_items: [ITEM] }],
    ...overrides,
  });
const aReturn = (overrides: Json = {}): Json => ({
  from_address: TO_NL,
  to_address: {
    name: 'Warehouse',
    company_name: 'Voorbeeld Webwinkel B.V.',
    address_line_1: 'Insulindelaan',
    house_number: '115',
    postal_code: '5642CV',
    city: 'Eindhoven',
    country_code: 'NL',
  },
  ship_with: { type: 'shipping_option_code', shipping_option_code: 'postnl:standard/return' },
  weight: { value: 1.2, unit: 'kg' },
  order_number: 'WEB-10001',
  external_reference: ref('return'),
  ...overrides,
});

interface ShipmentJson {
  id: string;
  parcels: Array<{
    id: number;
    status: { code: string; message: string };
    tracking_number: string;
    weight: { value: string; unit: string };
    label_file?: string | null;
  }>;
  errors: Array<{ code: string; detail: string }>;
}
const dataOf = (call: Call) => call.json.data as ShipmentJson;

describe('fidelity: every v3 answer validates against SendCloud v3 documents', () => {
  it('shipments: announce, create, list, get, return portal, cancel — successes and errors', async () => {
    // Prepare
    const checks: Array<[SpecName, string, string, Call]> = [];
    const call = async (spec: SpecName, method: string, template: string, path: string, body?: unknown) => {
      const result = await json(path, { method, ...(body === undefined ? {} : { body }) });
      checks.push([spec, method, template, result]);
      return result;
    };
    const announceBody = shipment({ order_number: `FID-${Date.now()}` });
    expect(
      validateRequest('v3shipments', {
        method: 'POST',
        template: '/shipments/announce',
        path: '/shipments/announce',
        query: new URLSearchParams(),
        body: announceBody,
      }),
    ).toEqual([]);

    // Act
    const announced = await call(
      'v3shipments',
      'POST',
      '/shipments/announce',
      '/shipments/announce',
      announceBody,
    );
    await call('v3shipments', 'POST', '/shipments/announce', '/shipments/announce', international());
    await call('v3shipments', 'POST', '/shipments/announce', '/shipments/announce', {
      ...shipment(),
      parcels: [{ weight: { value: '1', unit: 'kg' } }, { weight: { value: '2', unit: 'kg' } }],
    });
    await call('v3shipments', 'POST', '/shipments/announce', '/shipments/announce', {
      ...shipment(),
      to_address: { ...TO_NL, name: undefined },
    });
    await call('v3shipments', 'POST', '/shipments/announce', '/shipments/announce', {
      ...shipment(),
      ship_with: { type: 'shipping_option_code', properties: { shipping_option_code: 'nope:nothing' } },
    });
    await fault({ method: 'POST', path: '^/shipments/announce$', kind: 'carrier_reject', count: 1 });
    await call('v3shipments', 'POST', '/shipments/announce', '/shipments/announce', shipment());
    const queued = await call('v3shipments', 'POST', '/shipments', '/shipments', shipment());
    await call('v3shipments', 'POST', '/shipments', '/shipments', { ...shipment(), parcels: [] });
    const id = dataOf(announced).id;
    await call('v3shipments', 'GET', '/shipments', `/shipments?order_number=${announceBody.order_number}`);
    await call('v3shipments', 'GET', '/shipments', '/shipments?page_size=2');
    await call('v3shipments', 'GET', '/shipments', '/shipments?updated_after=yesterday');
    await call('v3shipments', 'GET', '/shipments', '/shipments?cursor=bm9wZQ%3D%3D');
    await call('v3shipments', 'GET', '/shipments', '/shipments?external_reference_id=never-used');
    await call('v3shipments', 'GET', '/shipments/{id}', `/shipments/${id}`);
    await call('v3shipments', 'GET', '/shipments/{id}', '/shipments/00000000-0000-4000-8000-000000000000');
    // (its 404 is in the shipments document only, not the merged one the error bodies are checked against)
    await call(
      'v3shipments',
      'GET',
      '/shipments/{id}/return-portal-url',
      `/shipments/${id}/return-portal-url`,
    );
    await call('v3shipments', 'POST', '/shipments/{id}/cancel', `/shipments/${id}/cancel`);
    await call('v3shipments', 'POST', '/shipments/{id}/cancel', `/shipments/${id}/cancel`);
    await call('v3shipments', 'POST', '/shipments/{id}/cancel', `/shipments/${dataOf(queued).id}/cancel`);
    await call(
      'v3shipments',
      'POST',
      '/shipments/{id}/cancel',
      '/shipments/00000000-0000-4000-8000-000000000000/cancel',
    );

    // Assess
    const problems = checks.flatMap(([spec, method, template, { status, json: body }]) =>
      [
        ...validateResponse(spec, { method, template, status, body }, V3_SPEC_OVERLAY),
        // The shipments document types its error body as a bare array (see V3_SPEC_OVERLAY): the merged
        // document's object form checks the error objects themselves.
        ...(status >= 400 ? validateResponse('v3merged', { method, template, status, body }) : []),
      ].map((p) => `${method} ${template} ${status}: ${p}`),
    );
    expect(problems).toEqual([]);
    expect(checks.map(([, method, template, c]) => `${method} ${template} ${c.status}`)).toEqual([
      'POST /shipments/announce 201',
      'POST /shipments/announce 201',
      'POST /shipments/announce 201',
      'POST /shipments/announce 400',
      'POST /shipments/announce 400',
      'POST /shipments/announce 201',
      'POST /shipments 201',
      'POST /shipments 400',
      'GET /shipments 200',
      'GET /shipments 200',
      'GET /shipments 400',
      'GET /shipments 404',
      'GET /shipments 404',
      'GET /shipments/{id} 200',
      'GET /shipments/{id} 404',
      'GET /shipments/{id}/return-portal-url 200',
      'POST /shipments/{id}/cancel 202',
      'POST /shipments/{id}/cancel 409',
      'POST /shipments/{id}/cancel 200',
      'POST /shipments/{id}/cancel 404',
    ]);
  });

  it('documents, catalogue, sender addresses and statuses', async () => {
    // Prepare
    const checks: Array<[SpecName, string, string, Call]> = [];
    const call = async (spec: SpecName, method: string, template: string, path: string, body?: unknown) => {
      const result = await json(path, { method, ...(body === undefined ? {} : { body }) });
      checks.push([spec, method, template, result]);
      return result;
    };
    const parcelId = dataOf(await json('/shipments/announce', { method: 'POST', body: shipment() }))
      .parcels[0]?.id;
    const optionsQuery = {
      from_country_code: 'NL',
      to_country_code: 'NL',
      parcels: [{ weight: { value: '2', unit: 'kg' } }, { weight: { value: '1.5', unit: 'kg' } }],
      calculate_quotes: true,
    };
    expect(
      validateRequest('v3merged', {
        method: 'POST',
        template: '/shipping-options',
        path: '/shipping-options',
        query: new URLSearchParams(),
        body: optionsQuery,
      }),
    ).toEqual([]);

    // Act
    await call(
      'v3documents',
      'GET',
      '/parcels/{id}/documents/{type}',
      `/parcels/${parcelId}/documents/waybill`,
    );
    await call('v3documents', 'GET', '/parcels/{id}/documents/{type}', '/parcels/1/documents/label');
    await call(
      'v3documents',
      'GET',
      '/parcels/{id}/documents/{type}',
      `/parcels/${parcelId}/documents/label?dpi=300`,
    );
    await call(
      'v3documents',
      'GET',
      '/parcel-documents/{type}',
      `/parcel-documents/label?parcels=${parcelId},1`,
    );
    await call('v3documents', 'GET', '/parcel-documents/{type}', '/parcel-documents/label?parcels=1');
    const options = await call('v3merged', 'POST', '/shipping-options', '/shipping-options', optionsQuery);
    await call('v3merged', 'POST', '/shipping-options', '/shipping-options', { parcels: [] });
    await call('v3merged', 'POST', '/compat/shipping-options', '/compat/shipping-options', {
      shipping_method_ids: [1010, 1012, 99999],
    });
    await call('v3merged', 'GET', '/addresses/sender-addresses', '/addresses/sender-addresses');
    await call(
      'v3merged',
      'GET',
      '/addresses/sender-addresses/{id}',
      `/addresses/sender-addresses/${senderId}`,
    );
    await call('v3merged', 'GET', '/addresses/sender-addresses/{id}', '/addresses/sender-addresses/1');
    const statuses = await call('v3merged', 'GET', '/parcels/statuses', '/parcels/statuses');

    // Assess
    const problems = checks.flatMap(([spec, method, template, { status, json: body }]) =>
      validateResponse(spec, { method, template, status, body }).map(
        (p) => `${method} ${template} ${status}: ${p}`,
      ),
    );
    expect(problems).toEqual([]);
    expect(checks.map(([, , , c]) => c.status)).toEqual([
      400, 404, 400, 400, 404, 200, 400, 200, 200, 200, 404, 200,
    ]);
    const codes = (
      options.json.data as Array<{ code: string; quotes: Array<{ price: { total: { value: string } } }> }>
    ).map((o) => o.code);
    expect(codes).toContain('postnl:standard');
    expect(codes).not.toContain('postnl:mailbox'); // no multicollo
    expect(statuses.json.data).toContainEqual({ code: 'READY_TO_SEND', message: 'Ready to send' });
  });

  it('contracts: one per carrier, the ids shipping options name (merged document /contracts)', async () => {
    // Prepare: toppynl-v3-merged-openapi.json `/contracts`, `/contracts/{id}` (nothing recorded)
    const options = await json('/shipping-options', {
      method: 'POST',
      body: { from_country_code: 'NL', to_country_code: 'NL', carrier_code: 'postnl' },
    });
    const contractId = (options.json.data as Array<{ contract: { id: number } }>)[0]?.contract.id;

    // Act
    const all = await json('/contracts');
    const postnl = await json('/contracts?carrier_code=postnl');
    const one = await json(`/contracts/${contractId}`);
    const none = await json('/contracts/1');

    // Assess
    const problems = [
      ...validateResponse('v3merged', { method: 'GET', template: '/contracts', status: 200, body: all.json }),
      ...validateResponse('v3merged', {
        method: 'GET',
        template: '/contracts/{id}',
        status: 200,
        body: one.json,
      }),
    ];
    expect(problems).toEqual([]);
    expect(
      (postnl.json.data as Array<{ id: number; carrier: { code: string } }>).map((c) => c.carrier.code),
    ).toEqual(['postnl']);
    expect((one.json.data as { id: number }).id).toBe(contractId);
    expect(none.status).toBe(404);
    expect((all.json.data as unknown[]).length).toBeGreaterThan(1);
  });

  it('Dynamic Checkout on v3: options named by shipping option code for a configuration’s UUID', async () => {
    const configuration = checkoutConfigurationUuid('default', 'default-checkout');
    const path = (id: string, query: string) => `/checkout/configurations/${id}/delivery-options?${query}`;
    const full =
      'weight_value=1200&total_order_value=49.95&from_country_code=NL&to_country_code=NL&checkout_identifier_type=shipping_option_code';
    const template = '/checkout/configurations/{configuration_id}/delivery-options';
    const calls = [
      await json(path(configuration, full)),
      await json(path('default-checkout', full)), // the v2 id is not a UUID
      await json(path(checkoutConfigurationUuid('default', 'other'), full)),
      await json(path(configuration, 'weight_value=0&from_country_code=NL')),
    ];
    const problems = calls.flatMap(({ status, json: body }) =>
      validateResponse('v3merged', { method: 'GET', template, status, body }).map((p) => `${status}: ${p}`),
    );
    expect(problems).toEqual([]);
    expect(calls.map((c) => c.status)).toEqual([200, 400, 404, 400]);
    const options = calls[0]?.json.delivery_options as Array<{
      delivery_method_type: string;
      checkout_identifier: { type: string; value: string };
    }>;
    expect(options.map((o) => o.checkout_identifier.value)).toContain('postnl:standard');
    expect(options.every((o) => o.checkout_identifier.type === 'shipping_option_code')).toBe(true);
    const errors = (calls[3]?.json.errors ?? []) as Array<{ source: { parameter: string } }>;
    const missing = errors.map((e) => e.source.parameter);
    expect(missing).toEqual(['total_order_value', 'to_country_code', 'weight_value']);
  });

  it('returns: create (both ways), list, get and cancel', async () => {
    // Prepare
    const checks: Array<[string, string, Call]> = [];
    const call = async (method: string, template: string, path: string, body?: unknown) => {
      const result = await json(path, { method, ...(body === undefined ? {} : { body }) });
      checks.push([method, template, result]);
      return result;
    };
    const body = aReturn();
    const from = new Date(Date.now() - 60_000).toISOString();

    // Act
    const created = await call('POST', '/returns', '/returns', body);
    await call('POST', '/returns', '/returns', { ...aReturn(), weight: { value: '1.2', unit: 'kg' } });
    const synced = await call('POST', '/returns/announce-synchronously', '/returns/announce-synchronously', {
      ...aReturn(),
      collo_count: 2,
    });
    await call('POST', '/returns/announce-synchronously', '/returns/announce-synchronously', {
      ...aReturn(),
      ship_with: { type: 'shipping_option_code', shipping_option_code: 'postnl:standard' },
    });
    const to = new Date(Date.now() + 60_000).toISOString();
    await call('GET', '/returns', `/returns?from_date=${from}&to_date=${to}&page_size=1`);
    await call('GET', '/returns/{id}', `/returns/${created.json.return_id}`);
    await call('PATCH', '/returns/{id}/cancel', `/returns/${synced.json.return_id}/cancel`);
    await call('PATCH', '/returns/{id}/cancel', `/returns/${synced.json.return_id}/cancel`);

    // Assess
    const problems = checks.flatMap(([method, template, { status, json: b }]) =>
      validateResponse('v3returns', { method, template, status, body: published(b) }).map(
        (p) => `${method} ${template} ${status}: ${p}`,
      ),
    );
    expect(problems).toEqual([]);
    expect(checks.map(([, , c]) => c.status)).toEqual([201, 400, 201, 400, 200, 200, 202, 409]);
    expect((synced.json.multi_collo_ids as number[]).length).toBe(2);
    expect(checks[3]?.[2].json).toMatchObject({
      error: {
        request: 'api/v3/returns/announce-synchronously',
        message: expect.stringContaining('ship_with'),
      },
    });
  });

  it('answers the statuses v3 does not document for an endpoint with the documents’ JSON:API `errors` body', async () => {
    // Prepare: the `errors` schema (status, code and detail required), through an operation answering exactly it
    const asErrors = (body: unknown) =>
      validateResponse('v3documents', {
        method: 'GET',
        template: '/parcel-documents/{type}',
        status: 400,
        body,
      });

    // Act
    const unauthenticated = await json('/shipments', { keys: { publicKey: 'x', secretKey: 'y' } });
    const unknownPath = await json('/parcels/1/teleport');
    const wrongMethod = await json('/shipments/announce', { method: 'GET' });
    const noWindow = await json('/returns?from_date=2026-01-01%2000:00:00');
    const badJson = await json('/shipments/announce', { method: 'POST', body: '{"to_address": ' });
    const badPartner = await json('/shipments/announce', {
      method: 'POST',
      body: shipment(),
      headers: { 'sendcloud-partner-id': 'acme' },
    });

    // Assess
    expect(unauthenticated).toMatchObject({
      status: 401,
      json: { errors: [{ code: 'authentication_failed' }] },
    });
    expect(unknownPath).toMatchObject({ status: 404, json: { errors: [{ code: 'not_found' }] } });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST, OPTIONS');
    expect(noWindow).toMatchObject({
      status: 400,
      json: { errors: [{ code: 'required', source: { parameter: 'to_date' } }] },
    });
    expect(badJson.status).toBe(400);
    expect(badPartner).toMatchObject({
      status: 400,
      json: { errors: [{ source: { header: 'Sendcloud-Partner-Id' } }] },
    });
    for (const call of [unauthenticated, unknownPath, wrongMethod, noWindow, badJson, badPartner])
      expect(asErrors(call.json)).toEqual([]);
  });
});

describe('accounts created after 13 April 2026 (api: v3)', () => {
  it('are refused v2 parcel creation with 403, single, batch and label-later, but may use v3', async () => {
    // Prepare
    const v2 = (method: string, path: string, body: unknown) =>
      fetch(`${sim.baseUrl}${path}`, {
        method,
        headers: { authorization: basic(NEW_SHOP), 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const parcel = {
      name: 'A',
      address: 'Damrak 1',
      city: 'Amsterdam',
      postal_code: '1012AB',
      country: 'NL',
    };

    // Act
    const single = await v2('POST', '/parcels', { parcel: { ...parcel, request_label: false } });
    const batch = await v2('POST', '/parcels', { parcels: [parcel] });
    const labelLater = await v2('PUT', '/parcels', { parcel: { id: 1, request_label: true } });
    const statuses = await fetch(`${sim.baseUrl}/parcels/statuses`, {
      headers: { authorization: basic(NEW_SHOP) },
    });
    const viaV3 = await json('/shipments/announce', {
      method: 'POST',
      keys: NEW_SHOP,
      body: shipment({ from_address: TO_NL }),
    });

    // Assess
    for (const refused of [single, batch, labelLater]) {
      expect(refused.status).toBe(403);
      expect(await refused.json()).toEqual({
        error: {
          code: 403,
          request: 'api/v2/parcels',
          message: expect.stringMatching(/closed to new users.*use \/api\/v3\/shipments/),
        },
      });
    }
    expect(statuses.status).toBe(200);
    expect(viaV3.status).toBe(201);
    expect(await admin('/accounts')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: 'default', api: 'v2' }),
        expect.objectContaining({ id: 'new-shop', api: 'v3' }),
      ]),
    );
  });
});

describe('a reused external_reference_id, in each duplicate mode', () => {
  it('reject (default): 409 with the existing shipment, nothing created', async () => {
    // Prepare
    const body = shipment();
    const first = await json('/shipments/announce', { method: 'POST', body });

    // Act
    const second = await json('/shipments/announce', { method: 'POST', body });

    // Assess
    expect(second.status).toBe(409);
    expect(dataOf(second).id).toBe(dataOf(first).id);
    expect(dataOf(second).parcels.map((p) => p.tracking_number)).toEqual(
      dataOf(first).parcels.map((p) => p.tracking_number),
    );
    // The document types no 409 for announce; its field description says "the associated object being returned".
    expect(
      validateResponse(
        'v3shipments',
        { method: 'POST', template: '/shipments/announce', status: 201, body: second.json },
        V3_SPEC_OVERLAY,
      ),
    ).toEqual([]);
    expect(await counts(String(body.external_reference_id))).toMatchObject({ created: 1, existing: 1 });
  });

  it('accept: a second shipment — the worst case a client must never trigger by blindly re-sending', async () => {
    // Prepare
    await setMode('default', 'accept');
    const body = shipment();
    const first = await json('/shipments/announce', { method: 'POST', body });

    // Act
    const second = await json('/shipments/announce', { method: 'POST', body });

    // Assess
    expect(second.status).toBe(201);
    expect(dataOf(second).id).not.toBe(dataOf(first).id);
    expect(await counts(String(body.external_reference_id))).toMatchObject({ created: 2, existing: 2 });
    const listed = await json(`/shipments?external_reference_id=${body.external_reference_id}`);
    expect((listed.json.data as unknown[]).length).toBe(2);
  });

  it('return-existing: 201 with the shipment already there, nothing new counted', async () => {
    // Prepare
    await setMode('default', 'return-existing');
    const body = shipment();
    const first = await json('/shipments/announce', { method: 'POST', body });

    // Act
    const second = await json('/shipments/announce', {
      method: 'POST',
      body: { ...body, order_number: 'OTHER' },
    });

    // Assess
    expect(second.status).toBe(201);
    expect(dataOf(second).id).toBe(dataOf(first).id);
    expect(await counts(String(body.external_reference_id))).toMatchObject({ created: 1, existing: 1 });
  });

  it('one reference across versions: a v2 parcel blocks a v3 shipment with it, and counts see both', async () => {
    // Prepare
    const externalReference = ref('shared');
    const v2 = await fetch(`${sim.baseUrl}/parcels`, {
      method: 'POST',
      headers: { authorization: basic(KEYS), 'content-type': 'application/json' },
      body: JSON.stringify({
        parcel: {
          name: 'A',
          address: 'Damrak',
          house_number: '1',
          city: 'Amsterdam',
          postal_code: '1012AB',
          country: 'NL',
          shipment: { id: 1010 },
          request_label: true,
          external_reference: externalReference,
        },
      }),
    });
    const { parcel } = (await v2.json()) as { parcel: { id: number; shipment_uuid: string } };

    // Act
    const v3Answer = await json('/shipments/announce', {
      method: 'POST',
      body: shipment({ external_reference_id: externalReference }),
    });

    // Assess
    expect(v3Answer.status).toBe(409);
    expect(dataOf(v3Answer)).toMatchObject({ id: parcel.shipment_uuid, parcels: [{ id: parcel.id }] });
    expect(await counts(externalReference)).toMatchObject({ created: 1, existing: 1 });
  });
});

describe('carrier refusals and lost answers', () => {
  it('a carrier refusal is a 201 whose parcels are ANNOUNCEMENT_FAILED with the carrier’s message', async () => {
    // Prepare
    await fault({
      method: 'POST',
      path: '^/shipments/announce$',
      kind: 'carrier_reject',
      message: 'Address unknown',
      count: 1,
    });
    const body = shipment();

    // Act
    const refused = await json('/shipments/announce', { method: 'POST', body });
    const retried = await json('/shipments/announce', { method: 'POST', body });

    // Assess
    expect(refused.status).toBe(201);
    expect(dataOf(refused).parcels[0]).toMatchObject({
      status: { code: 'ANNOUNCEMENT_FAILED' },
      tracking_number: '',
    });
    expect(dataOf(refused).errors).toEqual([
      { status: '500', code: 'parcel_announcement_error', detail: 'Service error: Address unknown' },
    ]);
    // The refused shipment exists: a retry with the same reference meets it.
    expect(retried.status).toBe(409);
    expect(dataOf(retried).id).toBe(dataOf(refused).id);
  });

  it('the asynchronous create answers ANNOUNCING without a label; a refusal shows on the next read', async () => {
    // Prepare
    await fault({
      method: 'POST',
      path: '^/shipments$',
      kind: 'carrier_reject',
      message: 'No service',
      count: 1,
    });

    // Act
    const queued = await json('/shipments', { method: 'POST', body: shipment() });
    const read = await json(`/shipments/${dataOf(queued).id}`);

    // Assess
    expect(queued.status).toBe(201);
    expect(dataOf(queued).parcels[0]).toMatchObject({
      status: { code: 'ANNOUNCING', message: 'Being announced' },
      tracking_number: '',
      tracking_url: null,
      documents: [],
    });
    expect(dataOf(read)).toMatchObject({
      parcels: [{ status: { code: 'ANNOUNCEMENT_FAILED' } }],
      errors: [{ code: 'parcel_announcement_error', detail: 'Service error: No service' }],
    });
  });

  it('an announce processed but never answered leaves exactly one shipment to find by its reference', async () => {
    // Prepare
    await fault({ method: 'POST', path: '^/shipments/announce$', kind: 'drop_response', count: 1 });
    const body = shipment();

    // Act
    const lost = await v3('/shipments/announce', { method: 'POST', body: JSON.stringify(body) }).then(
      () => 'answered',
      () => 'lost',
    );
    const found = await json(`/shipments?external_reference_id=${body.external_reference_id}`);

    // Assess
    expect(lost).toBe('lost');
    expect((found.json.data as ShipmentJson[]).map((s) => s.parcels[0]?.status.code)).toEqual([
      'READY_TO_SEND',
    ]);
    expect(await counts(String(body.external_reference_id))).toMatchObject({ created: 1 });
  });

  it('5xx faults answer the HTML page of a load balancer, 4xx faults the JSON:API body', async () => {
    // Prepare
    await fault({ method: 'GET', path: '^/parcels/statuses$', kind: 'status', status: 503, count: 1 });
    await fault({ method: 'GET', path: '^/parcels/statuses$', kind: 'status', status: 400, count: 1 });

    // Act
    const unavailable = await v3('/parcels/statuses');
    const bad = await json('/parcels/statuses');

    // Assess
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get('content-type')).toBe('text/html');
    expect(bad).toMatchObject({ status: 400, json: { errors: [{ status: '400' }] } });
  });
});

describe('shipment rules the documents state', () => {
  it('validates every field problem at once, with pointers into the request', async () => {
    // Act
    const answer = await json('/shipments/announce', {
      method: 'POST',
      body: {
        ...shipment(),
        to_address: { ...TO_NL, name: '', country_code: 'XX' },
        parcels: [{ weight: { value: 1.3, unit: 'stone' } }],
        surprise: true,
      },
    });

    // Assess
    expect(answer.status).toBe(400);
    expect(
      (answer.json.errors as Array<{ code: string; source: { pointer: string } }>).map((e) => [
        e.code,
        e.source.pointer,
      ]),
    ).toEqual(
      expect.arrayContaining([
        ['invalid', '/to_address/name'],
        ['invalid', '/parcels/0/weight/value'],
        ['invalid_choice', '/parcels/0/weight/unit'],
        ['unknown_field', '/surprise'],
      ]),
    );
  });

  it('demands customs outside the EU, a service point for point options, one currency, and ≤15 parcels', async () => {
    // Act
    const noCustoms = await json('/shipments/announce', {
      method: 'POST',
      body: international({
        customs_information: undefined,
        parcels: [{ weight: { value: '1', unit: 'kg' } }],
      }),
    });
    const noPoint = await json('/shipments/announce', {
      method: 'POST',
      body: shipment({
        ship_with: {
          type: 'shipping_option_code',
          properties: { shipping_option_code: 'postnl:service_point' },
        },
      }),
    });
    const twoCurrencies = await json('/shipments/announce', {
      method: 'POST',
      body: international({
        total_order_price: { value: '10.00', currency: 'USD' },
      }),
    });
    const sixteen = await json('/shipments/announce', {
      method: 'POST',
      body: shipment({ parcels: Array.from({ length: 16 }, () => ({ weight: { value: '1', unit: 'kg' } })) }),
    });

    // Assess
    const pointers = (call: Call) =>
      (call.json.errors as Array<{ source?: { pointer?: string } }>).map((e) => e.source?.pointer);
    expect(pointers(noCustoms)).toEqual(['/customs_information', '/parcels/0/parcel_items']);
    expect(pointers(noPoint)).toEqual(['/to_service_point']);
    expect(pointers(twoCurrencies)).toEqual(['/parcels/0/parcel_items/0/price/currency']);
    expect(pointers(sixteen)).toEqual(['/parcels']);
  });

  it('announces to a service point and multicollo, and weighs in the unit it was sent', async () => {
    // Prepare
    const points = (await (
      await fetch(`${sim.servicePointsBaseUrl}/service-points/?country=NL&carrier=postnl`, {
        headers: { authorization: basic(KEYS) },
      })
    ).json()) as Array<{ id: number; code: string }>;
    const [point] = points;

    // Act
    const toPoint = await json('/shipments/announce', {
      method: 'POST',
      body: shipment({
        ship_with: {
          type: 'shipping_option_code',
          properties: { shipping_option_code: 'postnl:service_point' },
        },
        to_service_point: { id: String(point?.id) },
      }),
    });
    const multicollo = await json('/shipments/announce', {
      method: 'POST',
      body: shipment({
        parcels: [{ weight: { value: '1500', unit: 'g' } }, { weight: { value: '2', unit: 'lbs' } }],
      }),
    });

    // Assess
    expect(toPoint.json.data).toMatchObject({
      to_service_point: { id: String(point?.id), carrier_service_point_id: point?.code },
    });
    const { parcels } = dataOf(multicollo);
    expect(parcels.map((p) => p.weight)).toEqual([
      { value: '1.500', unit: 'kg' },
      { value: '0.907', unit: 'kg' },
    ]);
    expect(parcels.map((p) => p.label_file)).toEqual([null, null]);
    const v2 = (await (
      await fetch(`${sim.baseUrl}/parcels/${dataOf(multicollo).parcels[1]?.id}`, {
        headers: { authorization: basic(KEYS) },
      })
    ).json()) as { parcel: { shipment_uuid: string; weight: string } };
    expect(v2.parcel).toMatchObject({ shipment_uuid: dataOf(multicollo).id, weight: '0.907' });
  });

  it('pages with the Link header and lists what changed since a time (updated_after)', async () => {
    // Prepare
    const orderNumber = `PAGE-${Date.now()}`;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push(
        dataOf(
          await json('/shipments/announce', {
            method: 'POST',
            body: shipment({ order_number: orderNumber }),
          }),
        ).id,
      );
    const since = new Date(Date.now() + 1).toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const moved = (await json(`/shipments/${ids[0]}`)).json.data as ShipmentJson;
    await admin(`/parcels/${moved.parcels[0]?.id}/advance`, { json: {} });

    // Act
    const first = await json(`/shipments?order_number=${orderNumber}&page_size=2`);
    const next = /<([^>]+)>; rel="next"/.exec(first.headers.get('link') ?? '')?.[1] ?? '';
    const second = await fetch(next, { headers: { authorization: basic(KEYS) } });
    const changed = await json(
      `/shipments?order_number=${orderNumber}&updated_after=${encodeURIComponent(since)}`,
    );

    // Assess
    expect((first.json.data as ShipmentJson[]).map((s) => s.id)).toEqual([ids[2], ids[1]]);
    expect(next).toMatch(/\/api\/v3\/shipments\/\?cursor=[^&]+&order_number=/);
    const secondPage = (await second.json()) as { data: ShipmentJson[] };
    expect(secondPage.data.map((s) => s.id)).toEqual([ids[0]]);
    expect(second.headers.get('link')).toMatch(/rel="prev"$/);
    expect((changed.json.data as ShipmentJson[]).map((s) => s.id)).toEqual([ids[0]]);
  });
});

describe('documents', () => {
  it('labels as PDF (A6, A5, A4), ZPL and PNG; customs declarations only outside the EU', async () => {
    // Prepare
    const domestic = dataOf(await json('/shipments/announce', { method: 'POST', body: shipment() }))
      .parcels[0]?.id;
    const abroad = dataOf(await json('/shipments/announce', { method: 'POST', body: international() }))
      .parcels[0]?.id;
    const get = (path: string, accept = 'application/pdf') => v3(path, { headers: { accept } });
    const pageSize = async (response: Response) =>
      (await PDFDocument.load(await response.arrayBuffer())).getPage(0).getSize();

    // Act
    const a6 = await get(`/parcels/${domestic}/documents/label`);
    const a5 = await get(`/parcels/${domestic}/documents/label?paper_size=A5`);
    const a4 = await get(`/parcels/${domestic}/documents/label?paper_size=a4`);
    const zpl = await get(`/parcels/${domestic}/documents/label`, 'application/zpl');
    const png = await get(`/parcels/${domestic}/documents/label?dpi=300`, 'image/png');
    const customs = await get(`/parcels/${abroad}/documents/customs-declaration`);
    const noCustoms = await json(`/parcels/${domestic}/documents/customs-declaration`);

    // Assess
    expect(await pageSize(a6)).toEqual({ width: 297.64, height: 419.53 });
    expect(await pageSize(a5)).toEqual({ width: 419.53, height: 595.28 });
    expect(await pageSize(a4)).toEqual({ width: 595.28, height: 841.89 });
    expect(await zpl.text()).toMatch(/^\^XA/);
    expect(
      Buffer.from(await png.arrayBuffer())
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');
    expect(customs.headers.get('content-type')).toBe('application/pdf');
    expect(await pageSize(customs)).toEqual({ width: 595.28, height: 841.89 });
    expect(noCustoms).toMatchObject({ status: 404, json: { errors: [{ code: 'not_found' }] } });
  });

  it('bulk: the parcels key repeated, 1 to 20 of them, one merged file; 21 or a comma list is a 400', async () => {
    // Prepare
    const ids = await Promise.all(
      [1, 2].map(
        async () =>
          dataOf(await json('/shipments/announce', { method: 'POST', body: shipment() })).parcels[0]?.id,
      ),
    );
    const many = Array.from({ length: 21 }, () => `parcels=${ids[0]}`).join('&');

    // Act
    const merged = await v3(`/parcel-documents/label?parcels=${ids[0]}&parcels=${ids[1]}`, {
      headers: { accept: 'application/pdf' },
    });
    const sheet = await v3(`/parcel-documents/label?parcels=${ids[0]}&parcels=${ids[1]}`, {
      headers: { accept: 'image/png' },
    });
    const tooMany = await json(`/parcel-documents/label?${many}`);
    const commaList = await json(`/parcel-documents/label?parcels=${ids[0]},${ids[1]}`);
    const none = await json('/parcel-documents/label');

    // Assess
    expect((await PDFDocument.load(await merged.arrayBuffer())).getPageCount()).toBe(2);
    expect(
      Buffer.from(await sheet.arrayBuffer())
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');
    expect(tooMany).toMatchObject({ status: 400, json: { errors: [{ source: { parameter: 'parcels' } }] } });
    expect(commaList).toMatchObject({
      status: 400,
      json: { errors: [{ source: { parameter: 'parcels' } }] },
    });
    expect(none).toMatchObject({ status: 400, json: { errors: [{ code: 'required' }] } });
  });

  it('bulk PDF and ZPL pages come reversed when the account says so (PUT …/bulk-page-order)', async () => {
    // Prepare
    const ids = await Promise.all(
      [1, 2, 3].map(
        async () =>
          dataOf(await json('/shipments/announce', { method: 'POST', body: shipment() })).parcels[0]?.id,
      ),
    );
    const query = ids.map((id) => `parcels=${id}`).join('&');
    await admin('/accounts/default/bulk-page-order', { method: 'PUT', json: { order: 'reversed' } });

    // Act
    const pdf = await v3(`/parcel-documents/label?${query}`, { headers: { accept: 'application/pdf' } });
    const zpl = await v3(`/parcel-documents/label?${query}`, { headers: { accept: 'application/zpl' } });
    await admin('/accounts/default/bulk-page-order', { method: 'PUT', json: { order: 'requested' } });

    // Assess
    const { text } = await pdfText(await pdf.arrayBuffer());
    expect([...text.matchAll(/Parcel (\d+)/g)].map((m) => Number(m[1]))).toEqual([...ids].reverse());
    expect([...(await zpl.text()).matchAll(/Parcel (\d+)/g)].map((m) => Number(m[1]))).toEqual(
      [...ids].reverse(),
    );
  });

  it('a label asked for as ZPL at announce stays ZPL (carrier-native)', async () => {
    // Prepare
    const answer = await json('/shipments/announce', {
      method: 'POST',
      body: shipment({ label_details: { mime_type: 'application/zpl', dpi: 203 } }),
    });
    const [parcel] = dataOf(answer).parcels;

    // Act
    const asPdf = await v3(`/parcels/${parcel?.id}/documents/label`, {
      headers: { accept: 'application/pdf' },
    });

    // Assess
    expect(asPdf.headers.get('content-type')).toBe('application/zpl');
    expect(Buffer.from(parcel?.label_file ?? '', 'base64').toString()).toContain(
      `^FD${parcel?.tracking_number}^FS`,
    );
  });
});

describe('OAuth2 client credentials', () => {
  const token = (keys: typeof KEYS, form = 'grant_type=client_credentials') =>
    fetch(`${sim.v3BaseUrl}/oauth2/token`, {
      method: 'POST',
      headers: { authorization: basic(keys), 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });

  it('issues an hour-long bearer token that v3 accepts until the simulator’s clock passes it', async () => {
    // Prepare
    const issued = await token(KEYS);
    const body = (await issued.json()) as {
      access_token: string;
      token_type: string;
      expires_in: number;
      scope: string;
    };
    const bearer = { authorization: `Bearer ${body.access_token}` };

    // Act
    const fresh = await fetch(`${sim.v3BaseUrl}/parcels/statuses`, { headers: bearer });
    clockOffsetMs = 3_600_000;
    const expired = await fetch(`${sim.v3BaseUrl}/parcels/statuses`, { headers: bearer });
    const unknown = await fetch(`${sim.v3BaseUrl}/parcels/statuses`, {
      headers: { authorization: 'Bearer nope' },
    });

    // Assess
    expect(issued.status).toBe(200);
    expect(body).toMatchObject({ token_type: 'bearer', expires_in: 3600, scope: 'api' });
    expect(
      validateResponse('v3merged', { method: 'POST', template: '/oauth2/token', status: 200, body }),
    ).toEqual([]);
    expect(fresh.status).toBe(200);
    for (const refused of [expired, unknown]) {
      expect(refused.status).toBe(401);
      expect(await refused.json()).toMatchObject({
        errors: [{ status: '401', code: 'authentication_failed' }],
      });
    }
  });

  it('refuses wrong clients and grants in Hydra’s error form', async () => {
    // Act
    const wrongClient = await token({ publicKey: 'x', secretKey: 'y' });
    const wrongGrant = await token(KEYS, 'grant_type=password');
    const noGrant = await token(KEYS, '');

    // Assess
    expect(wrongClient.status).toBe(401);
    expect(await wrongClient.json()).toMatchObject({ error: 'invalid_client', status_code: 401 });
    expect(await wrongGrant.json()).toMatchObject({ error: 'unsupported_grant_type', status_code: 400 });
    expect(await noGrant.json()).toMatchObject({ error: 'invalid_request', status_code: 400 });
  });

  it('an OAuth2-only integration is refused Basic (v3 and v2) but gets and uses a token', async () => {
    // Act
    const basicV3 = await json('/parcels/statuses', { keys: OAUTH_SHOP });
    const basicV2 = await fetch(`${sim.baseUrl}/parcels/statuses`, {
      headers: { authorization: basic(OAUTH_SHOP) },
    });
    const issued = (await (await token(OAUTH_SHOP)).json()) as { access_token: string };
    const bearerV3 = await fetch(`${sim.v3BaseUrl}/shipments/announce`, {
      method: 'POST',
      headers: { authorization: `Bearer ${issued.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify(shipment({ from_address: TO_NL })),
    });

    // Assess
    expect(basicV3).toMatchObject({ status: 401, json: { errors: [{ code: 'authentication_failed' }] } });
    expect(basicV2.status).toBe(401);
    expect(bearerV3.status).toBe(201);
  });
});

describe('one budget per account across v2 and v3', () => {
  it('answers 429 with an empty body once v2 and v3 writes together pass the limit', async () => {
    // Prepare
    const limited = await startSimulator({
      port: 0,
      rateLimits: { read: [{ limit: 100, windowMs: 60_000 }], write: [{ limit: 2, windowMs: 60_000 }] },
    });
    const auth = { authorization: basic(KEYS) };
    try {
      // Act
      const v2 = await fetch(`${limited.baseUrl}/parcels/1/cancel`, { method: 'POST', headers: auth });
      const v3First = await fetch(`${limited.v3BaseUrl}/shipments/x/cancel`, {
        method: 'POST',
        headers: auth,
      });
      const v3Second = await fetch(`${limited.v3BaseUrl}/shipments/x/cancel`, {
        method: 'POST',
        headers: auth,
      });

      // Assess
      expect([v2.status, v3First.status, v3Second.status]).toEqual([404, 404, 429]);
      expect(await v3Second.text()).toBe('');
    } finally {
      await limited.stop();
    }
  });
});

describe('the shared state: timelines, webhooks, returns, the state file', () => {
  it('a v3 parcel moves ANNOUNCING → READY_TO_SEND → … → DELIVERED with v2-shaped signed webhooks', async () => {
    // Prepare
    const received: Array<{ body: string; signature: string }> = [];
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({
          body: Buffer.concat(chunks).toString(),
          signature: String(req.headers['sendcloud-signature']),
        });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const hookSim = await startSimulator({
      port: 0,
      rateLimits: false,
      accounts: [
        {
          id: 'shop',
          publicKey: 'p',
          secretKey: 's',
          api: 'v3',
          webhookUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
          webhookSecret: 'whsec',
        },
      ],
    });
    try {
      const created = await fetch(`${hookSim.v3BaseUrl}/shipments`, {
        method: 'POST',
        headers: {
          authorization: basic({ publicKey: 'p', secretKey: 's' }),
          'content-type': 'application/json',
        },
        body: JSON.stringify(shipment({ from_address: TO_NL })),
      });
      const { data } = (await created.json()) as { data: ShipmentJson };
      const parcelId = data.parcels[0]?.id;

      // Act
      for (let i = 0; i < 8; i++)
        await fetch(`${hookSim.url}/__sim/parcels/${parcelId}/advance`, { method: 'POST' });
      await waitFor(() => received.length >= 8);
      const after = await fetch(`${hookSim.v3BaseUrl}/shipments/${data.id}`, {
        headers: { authorization: basic({ publicKey: 'p', secretKey: 's' }) },
      });

      // Assess
      expect(data.parcels[0]?.status.code).toBe('ANNOUNCING');
      // Sent in timeline order (the simulator's delivery log); they may arrive in any order, as SendCloud's may.
      const sent = (await (await fetch(`${hookSim.url}/__sim/webhooks`)).json()) as Array<{ body: string }>;
      const parcels = sent.map(
        (d) => JSON.parse(d.body) as { action: string; parcel: { id: number; status: { id: number } } },
      );
      expect(parcels.map((p) => p.parcel.status.id)).toEqual([1000, 22, 3, 7, 5, 91, 92, 11]);
      expect(parcels.every((p) => p.action === 'parcel_status_changed' && p.parcel.id === parcelId)).toBe(
        true,
      );
      expect(new Set(received.map((r) => r.body))).toEqual(new Set(sent.map((d) => d.body)));
      expect(received[0]?.body).toMatch(
        /^\{"action": "parcel_status_changed", "timestamp": \d+, "parcel": \{/,
      );
      expect(
        verifySendcloudSignature({
          rawBody: received[0]?.body ?? '',
          signature: received[0]?.signature,
          secrets: ['whsec'],
        }).valid,
      ).toBe(true);
      expect(((await after.json()) as { data: ShipmentJson }).data.parcels[0]?.status).toEqual({
        code: 'DELIVERED',
        message: 'Delivered',
      });
    } finally {
      await hookSim.stop();
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });

  it('v3 returns need a window, are v2 returns too, and cancel into the timeline', async () => {
    // Prepare
    const created = await json('/returns/announce-synchronously', { method: 'POST', body: aReturn() });
    const window = `from_date=${encodeURIComponent('2026-01-01 00:00:00')}&to_date=${encodeURIComponent(
      new Date(Date.now() + 86_400_000).toISOString(),
    )}`;

    // Act
    const withoutWindow = await json('/returns');
    const listed = await json(`/returns?${window}&parent_parcel_status=ready-to-send`);
    const v2 = (await (
      await fetch(`${sim.baseUrl}/returns/${created.json.return_id}`, {
        headers: { authorization: basic(KEYS) },
      })
    ).json()) as { incoming_parcel: number };
    const cancelled = await json(`/returns/${created.json.return_id}/cancel`, { method: 'PATCH' });
    await admin(`/parcels/${created.json.parcel_id}/advance`, { json: {} });
    const after = await json(`/returns/${created.json.return_id}`);

    // Assess
    expect(withoutWindow).toMatchObject({
      status: 400,
      json: { errors: [{ code: 'required', source: { parameter: 'from_date' } }] },
    });
    expect((listed.json.data as Array<{ tracking_number: string }>).length).toBeGreaterThan(0);
    expect(v2.incoming_parcel).toBe(created.json.parcel_id);
    expect(cancelled.status).toBe(202);
    expect(after.json).toMatchObject({
      is_cancellable: false,
      status_history: [{}, { parent_status: 'Cancelled' }],
    });
  });

  it('keeps v3 shipments in the state file across a restart', async () => {
    // Prepare
    const stateFile = join(mkdtempSync(join(tmpdir(), 'sim-v3-')), 'state.json');
    const first = await startSimulator({ port: 0, rateLimits: false, stateFile });
    const announce = await fetch(`${first.v3BaseUrl}/shipments/announce`, {
      method: 'POST',
      headers: { authorization: basic(KEYS), 'content-type': 'application/json' },
      body: JSON.stringify(shipment({ from_address: TO_NL, reference: 'kept' })),
    });
    const { data } = (await announce.json()) as { data: ShipmentJson };
    await first.stop();

    // Act
    const second = await startSimulator({ port: 0, rateLimits: false, stateFile });
    try {
      const again = await fetch(`${second.v3BaseUrl}/shipments/${data.id}`, {
        headers: { authorization: basic(KEYS) },
      });

      // Assess
      expect(((await again.json()) as { data: Json }).data).toMatchObject({
        id: data.id,
        reference: 'kept',
        from_address: { name: TO_NL.name },
        parcels: [{ tracking_number: data.parcels[0]?.tracking_number }],
      });
    } finally {
      await second.stop();
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
