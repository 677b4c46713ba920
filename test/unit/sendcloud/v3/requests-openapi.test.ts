import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { tinyPdf } from '../../../helpers/factories';
import { type SpecName, validateRequest, validateResponse } from '../../../helpers/openapi';
import type { Captured, Reply } from '../../../helpers/scriptedServer';
import { ScriptedServer } from '../../../helpers/scriptedServer';
import {
  homeDraft,
  internationalDraft,
  portFor,
  returnDraft,
  returnJson,
  SENDER_ADDRESSES,
  shipmentJson,
} from './factories';

/**
 * Every request V3Port builds is checked against SendCloud's own v3 OpenAPI documents (the 3.1 files, and
 * the merged 3.0.3 bundle for shipping options, compat, sender addresses and OAuth2), and every scripted
 * answer against the document's response schema, so the test cannot pass on answers SendCloud never gives.
 */
const ROUTES: ReadonlyArray<readonly [method: string, path: RegExp, spec: SpecName, template: string]> = [
  ['POST', /^\/shipments\/announce$/, 'v3shipments', '/shipments/announce'],
  ['GET', /^\/shipments$/, 'v3shipments', '/shipments'],
  ['POST', /^\/shipments\/[^/]+\/cancel$/, 'v3shipments', '/shipments/{id}/cancel'],
  ['GET', /^\/shipments\/[^/]+\/return-portal-url$/, 'v3shipments', '/shipments/{id}/return-portal-url'],
  ['POST', /^\/returns\/announce-synchronously$/, 'v3returns', '/returns/announce-synchronously'],
  ['GET', /^\/returns$/, 'v3returns', '/returns'],
  ['GET', /^\/returns\/\d+$/, 'v3returns', '/returns/{id}'],
  ['PATCH', /^\/returns\/\d+\/cancel$/, 'v3returns', '/returns/{id}/cancel'],
  ['GET', /^\/parcels\/\d+\/documents\/[a-z-]+$/, 'v3documents', '/parcels/{id}/documents/{type}'],
  ['GET', /^\/parcel-documents\/[a-z-]+$/, 'v3documents', '/parcel-documents/{type}'],
  ['POST', /^\/shipping-options$/, 'v3merged', '/shipping-options'],
  ['POST', /^\/compat\/shipping-options$/, 'v3merged', '/compat/shipping-options'],
  ['GET', /^\/addresses\/sender-addresses$/, 'v3merged', '/addresses/sender-addresses'],
  ['POST', /^\/oauth2\/token$/, 'v3merged', '/oauth2/token'],
  ['POST', /^\/orders$/, 'v3orders', '/orders'],
  [
    'GET',
    /^\/checkout\/configurations\/[^/]+\/delivery-options$/,
    'v3merged',
    '/checkout/configurations/{configuration_id}/delivery-options',
  ],
  ['POST', /^\/orders\/create-labels-async$/, 'v3shipAnOrder', '/orders/create-labels-async'],
];

const SHIPPING_OPTION = {
  code: 'postnl:standard',
  name: 'PostNL Standard',
  carrier: { code: 'postnl', name: 'PostNL' },
  product: { code: 'postnl:standard', name: 'PostNL Standard' },
  functionalities: { returns: false, last_mile: 'home_delivery' },
  contract: { id: 517, client_id: '', carrier_code: 'postnl', name: 'PostNL' },
  weight: { min: { value: '0.001', unit: 'kg' }, max: { value: '23.001', unit: 'kg' } },
  requirements: { fields: [], export_documents: false, is_service_point_required: false },
  charging_type: 'label_creation',
  quotes: [
    {
      weight: { min: { value: '0.001', unit: 'kg' }, max: { value: '23.001', unit: 'kg' } },
      price: { total: { value: '6.50', currency: 'EUR' } },
      lead_time: 24,
    },
  ],
};

const LEAD_TIMES = {
  p10: 20,
  p20: 22,
  p30: 24,
  p40: 24,
  p50: 24,
  p60: 26,
  p70: 28,
  p80: 30,
  p90: 48,
  p95: 72,
};

/** Each scripted JSON answer, with the operation it answers, for response validation. */
const answers: Array<{ spec: SpecName; method: string; template: string; status: number; body: unknown }> =
  [];

function answer(spec: SpecName, method: string, template: string, status: number, json: unknown): Reply {
  answers.push({ spec, method, template, status, body: json });
  return { status, json };
}

let server: ScriptedServer;
beforeAll(async () => {
  server = await ScriptedServer.start();
  const pdf = await tinyPdf();
  const V3 = '/api/v3';
  server
    .on('POST', /\/shipments\/announce$/, (req) => {
      const ref = (req.json as { external_reference_id: string }).external_reference_id;
      return answer('v3shipments', 'POST', '/shipments/announce', 201, { data: shipmentJson({ ref }) });
    })
    .on('GET', new RegExp(`^${V3}/shipments$`), () =>
      answer('v3shipments', 'GET', '/shipments', 200, { data: [shipmentJson()] }),
    )
    .on('POST', /\/shipments\/[^/]+\/cancel$/, () =>
      answer('v3shipments', 'POST', '/shipments/{id}/cancel', 202, {
        data: { status: 'queued', message: 'Shipment cancellation has been queued' },
      }),
    )
    .on('GET', /\/return-portal-url$/, () =>
      answer('v3shipments', 'GET', '/shipments/{id}/return-portal-url', 200, {
        data: { url: 'https://mybrand.returns-portal.example.invalid/initiate/' },
      }),
    )
    .on('POST', /\/returns\/announce-synchronously$/, () =>
      answer('v3returns', 'POST', '/returns/announce-synchronously', 201, {
        return_id: 12345,
        parcel_id: 67880,
        multi_collo_ids: [],
      }),
    )
    .on('GET', new RegExp(`^${V3}/returns$`), () =>
      answer('v3returns', 'GET', '/returns', 200, { data: [returnJson()] }),
    )
    .on('GET', /\/returns\/\d+$/, () => answer('v3returns', 'GET', '/returns/{id}', 200, returnJson()))
    .on('PATCH', /\/returns\/\d+\/cancel$/, () =>
      answer('v3returns', 'PATCH', '/returns/{id}/cancel', 202, {
        message: 'Cancellation requested successfully',
      }),
    )
    .on('GET', /\/(parcels\/\d+\/documents|parcel-documents)\/label$/, (req) => ({
      status: 200,
      body: req.headers.accept === 'application/zpl' ? '^XA^FDlabel^FS^XZ' : pdf,
      headers: { 'content-type': String(req.headers.accept) },
    }))
    .on('GET', /\/parcels\/383707309\/documents\/customs-declaration$/, () => ({
      status: 200,
      body: pdf,
      headers: { 'content-type': 'application/pdf' },
    }))
    // An EU parcel has no customs declaration: the documented 404.
    .on('GET', /\/parcels\/383707310\/documents\/customs-declaration$/, () =>
      answer('v3documents', 'GET', '/parcels/{id}/documents/{type}', 404, {
        errors: [{ code: 'not_found', status: '404', detail: 'No Parcel matches the given query.' }],
      }),
    )
    .on('POST', /\/compat\/shipping-options$/, () =>
      answer('v3merged', 'POST', '/compat/shipping-options', 200, { data: { '8': 'postnl:standard' } }),
    )
    .on('POST', /^\/api\/v3\/shipping-options$/, () =>
      answer('v3merged', 'POST', '/shipping-options', 200, { data: [SHIPPING_OPTION] }),
    )
    .on('GET', /\/addresses\/sender-addresses$/, () =>
      answer('v3merged', 'GET', '/addresses/sender-addresses', 200, SENDER_ADDRESSES),
    )
    .on('POST', /^\/api\/v3\/orders$/, (req) =>
      answer('v3orders', 'POST', '/orders', 201, {
        data: (req.json as Array<{ order_id: string; order_number: string }>).map((o, i) => ({
          id: 660 + i,
          order_id: o.order_id,
          order_number: o.order_number,
        })),
      }),
    )
    .on('POST', /\/orders\/create-labels-async$/, (req) =>
      answer('v3shipAnOrder', 'POST', '/orders/create-labels-async', 202, {
        data: (req.json as { orders: Array<{ order_id: string }> }).orders.map((o) => ({
          parcel_id: 383707309,
          parcels_ids: [383707309],
          shipment_id: 'a1b2c3d4-shipment',
          order_id: o.order_id,
          order_number: o.order_id,
        })),
      }),
    )
    .on('GET', /\/checkout\/configurations\/[^/]+\/delivery-options$/, () =>
      answer('v3merged', 'GET', '/checkout/configurations/{configuration_id}/delivery-options', 200, {
        configuration_id: 'bae462c1-d659-48d0-aacd-fb7e3550de14',
        delivery_options: [
          {
            id: '431c1736-9a8f-480a-bf27-234016918417',
            title: 'PostNL - Standard',
            internal_title: 'standard_delivery_postnl',
            description: 'Reliable and cost-effective delivery for your order',
            delivery_method_type: 'standard_delivery',
            cut_off_time: '2030-01-01T15:00:00+01:00',
            checkout_identifier: { type: 'shipping_option_code', value: 'postnl:standard' },
            shipping_rate: { value: '5.00', currency: 'EUR' },
            carrier: { code: 'postnl', name: 'PostNL', logo_url: 'https://logos.example.invalid/postnl.svg' },
            delivery_dates: [
              {
                parcel_handover_date: '2030-01-01T15:00:00+01:00',
                delivery_date: '2030-01-02T12:00:00+01:00',
              },
            ],
            lead_time_hours: LEAD_TIMES,
            sustainability_rating: 'high',
          },
        ],
      }),
    )
    .on('POST', /\/oauth2\/token$/, () =>
      answer('v3merged', 'POST', '/oauth2/token', 200, {
        access_token: 'token-1',
        expires_in: 3600,
        token_type: 'bearer',
        scope: 'api',
      }),
    );

  const { port } = portFor(server, { partnerId: '7a9f1b6e-5d2c-4c1e-9f2a-0b3c4d5e6f70' });
  await port.announce(homeDraft());
  await port.announce(
    homeDraft({ externalReference: 'sp:1', servicePointId: 10663, method: 'postnl:servicepoint' }),
  );
  await port.announce(internationalDraft());
  await port.announce(returnDraft({ items: internationalDraft().items ?? [] }));
  await port.find('webshop:WEB-10001:1');
  for await (const _ of port.updatedSince(new Date('2029-12-31T00:00:00Z'))) {
    // reading every page is the point
  }
  await port.returnPortalUrl(383707309);
  const found = await mustFind(port);
  await port.cancel({ id: found.id, parcelIds: found.parcels.map((p) => p.id) });
  await port.returns.cancel(12345);
  await port.returnsPage(undefined, { windowDays: 30 });
  await port.getReturn(12345);
  await port.label(383707309, 'a6');
  await port.label(383707309, 'zpl');
  await port.labels([383707309, 383707310], 'a6');
  await port.labels([383707309, 383707310], 'zpl');
  await port.customsDocument(383707309);
  await port.customsDocument(383707310);
  await port.catalog({
    toCountry: 'NL',
    weightGrams: 1200,
    dimensionsCm: { length: 30, width: 20, height: 10 },
  });
  await port.catalog({
    toCountry: 'NL',
    fromCountry: 'BE',
    weightGrams: 900,
    returns: true,
    servicePointId: 10663,
  });
  await port.mapLegacyMethods([8, 9]);
  // The Orders API path of announceMany (an account with an integration id).
  const batching = portFor(server, { integrationId: 70 }).port;
  await batching.announceMany([homeDraft({ externalReference: 'webshop:B-1' }), internationalDraft()]);
  await port.checkout.deliveryOptions('bae462c1-d659-48d0-aacd-fb7e3550de14', {
    fromCountry: 'NL',
    toCountry: 'NL',
    toPostalCode: '1012AB',
    weightGrams: 1200,
    totalOrderValue: '49.95',
    dimensionsCm: { length: 30, width: 20, height: 10 },
  });
  // Several colli: one shipment of their parcels, also from a batch (the Orders API carries one parcel).
  const colli = [
    { weightGrams: 1200, dimensionsCm: { length: 30, width: 20, height: 10 } },
    { weightGrams: 4800 },
  ];
  await port.announce(homeDraft({ externalReference: 'webshop:COLLI-1', colli }));
  // A customs block with tax numbers and an importer of record, in the document's own field names.
  await port.announce(
    internationalDraft({
      externalReference: 'webshop:CUSTOMS-1',
      customs: {
        invoiceNumber: 'INV-9',
        shipmentType: 'commercial_goods',
        exportType: 'commercial_b2b',
        invoiceDate: '2029-12-31',
        taxNumbers: {
          sender: [{ kind: 'EORI', country: 'NL', value: 'NL123456789' }],
          receiver: [{ kind: 'VAT', country: 'US', value: '12-3456789' }],
          importerOfRecord: [],
        },
        importerOfRecord: {
          name: 'Import Co',
          company: null,
          street: 'Broadway',
          houseNumber: '1',
          addressLine2: null,
          postalCode: '10001',
          city: 'New York',
          country: 'US',
          state: 'NY',
          email: null,
          phone: '+12125550100',
        },
      },
    }),
  );
  await batching.announceMany([homeDraft({ externalReference: 'webshop:COLLI-2', colli })]);
  const oauth = portFor(server, { credentials: { publicKey: 'pk', secretKey: 'sk', auth: 'oauth2' } }).port;
  await oauth.find('webshop:WEB-10001:1');
});
afterAll(() => server.close());

async function mustFind(port: ReturnType<typeof portFor>['port']) {
  const found = await port.find('webshop:WEB-10001:1');
  if (!found) throw new Error('scripted shipment missing');
  return found;
}

function routeOf(request: Captured) {
  const path = request.url.pathname.replace(/^\/api\/v3/, '');
  return ROUTES.find(([method, pattern]) => method === request.method && pattern.test(path));
}

const SPECS = join(import.meta.dirname, '../../../fixtures/specs/v3');
const addFormats =
  (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(parse(readFileSync(join(SPECS, 'sendcloud-v3-returns-openapi.yml'), 'utf8')), 'returns');
ajv.addSchema(JSON.parse(readFileSync(join(SPECS, 'toppynl-v3-merged-openapi.json'), 'utf8')), 'bundle');

/**
 * The returns document declares its create body as `requestBody: {$ref: CreateReturn}`, which
 * `validateRequest` does not follow: that body is checked here against the referenced schema.
 */
const createReturnBody = ajv.compile({
  $ref: 'returns#/components/requestBodies/CreateReturn/content/application~1json/schema',
});
const BODY_BY_REF = new Set(['/returns/announce-synchronously']);

function problemsOf(request: Captured): string[] {
  const route = routeOf(request);
  const path = request.url.pathname.replace(/^\/api\/v3/, '');
  if (!route) return [`no spec route for ${request.method} ${path}`];
  const json = request.headers['content-type']?.startsWith('application/json');
  const problems = validateRequest(route[2], {
    method: request.method,
    template: route[3],
    path,
    query: request.url.searchParams,
    headers: request.headers,
    ...(json && !BODY_BY_REF.has(route[3]) ? { body: request.json } : {}),
  });
  if (BODY_BY_REF.has(route[3]) && !createReturnBody(request.json))
    problems.push(`body: ${ajv.errorsText(createReturnBody.errors)}`);
  return problems;
}

describe('v3 requests against SendCloud OpenAPI documents', () => {
  it('exercised every route the adapter uses', () => {
    const seen = new Set(
      server.requests
        .filter((r) => r.url.pathname.startsWith('/api/v3'))
        .map((r) => {
          const route = routeOf(r);
          return `${r.method} ${route?.[3] ?? r.url.pathname}`;
        }),
    );
    expect([...seen].sort()).toEqual(ROUTES.map(([method, , , template]) => `${method} ${template}`).sort());
  });

  it('every captured request validates', () => {
    const failures = server.requests
      .filter((r) => r.url.pathname.startsWith('/api/v3'))
      .map((r) => [`${r.method} ${r.url.pathname}${r.url.search}`, problemsOf(r)] as const)
      .filter(([, problems]) => problems.length > 0);
    expect(failures).toEqual([]);
  });

  it('the OAuth2 token request is the documented form, with the client authenticated by Basic', () => {
    const validate = ajv.compile({
      $ref: 'bundle#/paths/~1oauth2~1token/post/requestBody/content/application~1x-www-form-urlencoded/schema',
    });
    const token = server.requests.find((r) => r.url.pathname.endsWith('/oauth2/token'));
    const form = Object.fromEntries(new URLSearchParams(token?.body.toString('utf8')));
    expect(token?.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(validate(form)).toBe(true);
    expect(form).toEqual({ grant_type: 'client_credentials', scope: 'api' });
    expect(token?.headers.authorization).toBe(`Basic ${Buffer.from('pk:sk').toString('base64')}`);
  });

  it('the scripted answers are themselves valid per the documents', () => {
    const failures = answers
      .map((a) => [`${a.method} ${a.template} ${a.status}`, validateResponse(a.spec, a, [])] as const)
      .filter(([, problems]) => problems.length > 0);
    expect(failures).toEqual([]);
  });

  it('the validator catches a broken request (it can fail)', () => {
    const problems = validateRequest('v3shipments', {
      method: 'POST',
      template: '/shipments/announce',
      path: '/shipments/announce',
      query: new URLSearchParams(),
      body: { to_address: { name: 'x' }, parcels: [] },
    });
    expect(problems.join('\n')).toMatch(/from_address|ship_with|parcels/);
    expect(createReturnBody({ from_address: {}, ship_with: {} })).toBe(false);
    const brokenAnswer = { data: { ...shipmentJson(), ship_with: undefined, from_address: 'x' } };
    expect(
      validateResponse('v3shipments', {
        method: 'POST',
        template: '/shipments/announce',
        status: 201,
        body: JSON.parse(JSON.stringify(brokenAnswer)),
      }),
    ).not.toEqual([]);
  });
});

describe('v3 announce bodies', () => {
  const announced = () =>
    server.requests
      .filter((r) => r.method === 'POST' && r.url.pathname.endsWith('/shipments/announce'))
      .map((r) => r.json as Record<string, unknown>);

  it('ship from the sender address by id, grams as g, centimetres as cm, a PDF label at 72 dpi', () => {
    expect(announced()[0]).toEqual({
      from_address: { sender_address_id: 1 },
      to_address: {
        name: 'Jan de Vries',
        address_line_1: 'Damrak',
        house_number: '1',
        postal_code: '1012AB',
        city: 'Amsterdam',
        country_code: 'NL',
        email: 'jan@example.invalid',
        phone_number: '+31612345678',
      },
      ship_with: {
        type: 'shipping_option_code',
        properties: { shipping_option_code: 'postnl:standard', contract_id: 517 },
      },
      parcels: [
        {
          weight: { value: '1200', unit: 'g' },
          dimensions: { length: '30', width: '20', height: '10', unit: 'cm' },
        },
      ],
      label_details: { mime_type: 'application/pdf', dpi: 72 },
      external_reference_id: 'webshop:WEB-10001:1',
      order_number: 'WEB-10001',
      total_order_price: { value: '25.00', currency: 'EUR' },
    });
  });

  it('customs papers carry the invoice date, the tax numbers of each party and the importer of record', () => {
    const body = announced().find((b) => b.external_reference_id === 'webshop:CUSTOMS-1');
    expect(body?.customs_information).toEqual({
      invoice_number: 'INV-9',
      export_reason: 'commercial_goods',
      export_type: 'commercial_b2b',
      invoice_date: '2029-12-31',
      tax_numbers: {
        sender: [{ name: 'EORI', country_code: 'NL', value: 'NL123456789' }],
        receiver: [{ name: 'VAT', country_code: 'US', value: '12-3456789' }],
        importer_of_record: [],
      },
      importer_of_record: {
        name: 'Import Co',
        address_line_1: 'Broadway',
        house_number: '1',
        postal_code: '10001',
        city: 'New York',
        country_code: 'US',
        state_province_code: 'US-NY',
        telephone: '+12125550100',
      },
    });
  });

  it('several colli go as one shipment with a parcel each, also when announced in a batch', () => {
    for (const reference of ['webshop:COLLI-1', 'webshop:COLLI-2']) {
      const body = announced().find((b) => b.external_reference_id === reference);
      expect(body?.parcels).toEqual([
        {
          weight: { value: '1200', unit: 'g' },
          dimensions: { length: '30', width: '20', height: '10', unit: 'cm' },
        },
        { weight: { value: '4800', unit: 'g' } },
      ]);
    }
  });

  it('a service point goes as to_service_point.id; a shipment outside the EU carries customs and items', () => {
    expect(announced()[1]).toMatchObject({
      to_service_point: { id: '10663' },
      ship_with: { properties: { shipping_option_code: 'postnl:servicepoint' } },
    });
    expect(announced()[2]).toMatchObject({
      to_address: { country_code: 'US', state_province_code: 'US-NY', company_name: 'Lee Ltd' },
      customs_information: {
        invoice_number: 'INV-1',
        export_reason: 'commercial_goods',
        export_type: 'commercial_b2c',
      },
      parcels: [
        {
          parcel_items: [
            {
              description: 'Mug',
              quantity: 2,
              weight: { value: 500, unit: 'g' },
              price: { value: '12.50', currency: 'EUR' },
              hs_code: '691200',
              origin_country: 'NL',
              sku: 'MUG-1',
            },
          ],
        },
      ],
    });
  });

  it('a return goes from the customer to the shop, with returned_goods customs', () => {
    const body = server.requests.find((r) =>
      r.url.pathname.endsWith('/returns/announce-synchronously'),
    )?.json;
    expect(body).toMatchObject({
      from_address: { name: 'Jan de Vries', postal_code: '1012 AB' },
      to_address: { company_name: 'Webshop BV', postal_code: '5611EM' },
      ship_with: { type: 'shipping_option_code', shipping_option_code: 'postnl:standard/return' },
      weight: { value: 1200, unit: 'g' },
      dimensions: { length: 30, width: 20, height: 10, unit: 'cm' },
      external_reference: 'return:WEB-10001:1',
      total_order_value: { value: 25, currency: 'EUR' },
    });
  });

  it('quotes go as one parcel in grams with calculate_quotes; returns ask for return functionality', () => {
    const quotes = server.requests
      .filter((r) => r.url.pathname === '/api/v3/shipping-options')
      .map((r) => r.json);
    expect(quotes).toEqual([
      {
        from_country_code: 'NL',
        to_country_code: 'NL',
        parcels: [
          {
            weight: { value: '1200', unit: 'g' },
            dimensions: { length: '30', width: '20', height: '10', unit: 'cm' },
          },
        ],
        calculate_quotes: true,
      },
      {
        from_country_code: 'BE',
        to_country_code: 'NL',
        parcels: [{ weight: { value: '900', unit: 'g' } }],
        calculate_quotes: true,
        to_service_point_id: 10663,
        functionalities: { returns: true },
      },
    ]);
  });
});
